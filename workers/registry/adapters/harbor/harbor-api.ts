import { nextPageUrl } from "../../distribution/pagination";
import { RegistryError } from "../../errors";
import type { VendorApiClient } from "../../vendor-api/api-client";
import type { HarborArtifact, HarborPermission, HarborProject, HarborRepository, HarborUser } from "./harbor-types";
import { repositoryPath } from "./mapping";

/** Harbor's maximum `page_size` (registry-apis.md §2.2). */
const PAGE_SIZE = 100;

/**
 * The Harbor API v2.0 calls drydock makes, on the integration's origin
 * (`<url>/api/v2.0`). Lists follow the `Link: <…>; rel="next"` header.
 */
export class HarborApi {
  constructor(private readonly client: VendorApiClient) {}

  /** Every project the account sees: public ones, those it is a member of, a robot's own (all of them for an administrator). */
  projects(): AsyncIterable<HarborProject> {
    return this.list<HarborProject>("projects");
  }

  /** The repositories of one project; names include the project. */
  repositories(project: string): AsyncIterable<HarborRepository> {
    return this.list<HarborRepository>(`projects/${encodeURIComponent(project)}/repositories`);
  }

  /** The artifacts of one repository (`team/api`), with their tags. */
  artifacts(repository: string): AsyncIterable<HarborArtifact> {
    return this.list<HarborArtifact>(`${repositoryPath(repository)}/artifacts`, { with_tag: true });
  }

  /** The local user behind the credentials, or null for a robot account (Harbor answers 412 to non-local security contexts). */
  async currentUser(): Promise<HarborUser | null> {
    const answer = await this.client.getJson<HarborUser>("users/current", {}, { accept: [412] });
    return answer.status === 412 ? null : answer.body;
  }

  /** What the caller may do in a project; works for robots too. The scope takes the numeric project id. */
  async permissions(projectId: number): Promise<HarborPermission[]> {
    const answer = await this.client.getJson<HarborPermission[] | null>("users/current/permissions", { scope: `/project/${projectId}`, relative: true });
    return Array.isArray(answer.body) ? answer.body : [];
  }

  close(): Promise<void> {
    return this.client.close();
  }

  private async *list<T>(path: string, query: Record<string, string | number | boolean> = {}): AsyncIterable<T> {
    const first = this.client.url(path, { ...query, page: 1, page_size: PAGE_SIZE });
    for await (const answer of this.client.pages<T[] | null>(first, (page) => nextPageUrl(page.headers.link, page.url))) {
      if (answer.body !== null && !Array.isArray(answer.body)) {
        throw new RegistryError("REGISTRY_PROTOCOL", `the Harbor API answered ${path} without a list`, { retryable: false });
      }
      yield* answer.body ?? [];
    }
  }
}
