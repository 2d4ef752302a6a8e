/**
 * The Artifactory REST calls drydock makes (registry-apis.md §4), relative to
 * the `…/artifactory` base: Docker repositories by type, images and tags
 * through the REST-API Docker path, and the File Info of a tag's manifest.
 */
import { nextPageUrl } from "../../distribution/pagination";
import { RegistryError } from "../../errors";
import type { ApiAnswer, VendorApiClient } from "../../vendor-api/api-client";
import { type ArtifactoryRepository, encodePath, type FileInfo, isDocker, REPOSITORY_TYPES } from "./mapping";

/** Entries asked per catalog or tag-list page. */
const PAGE_SIZE = 100;

/** The manifest files of a tag folder: single-platform first, then a multi-platform list (§4.4). */
const MANIFEST_FILES = ["manifest.json", "list.manifest.json"] as const;

export class ArtifactoryApi {
  constructor(
    private readonly client: VendorApiClient,
    /** How the REST API is authenticated: Basic (password or API key) or Bearer (access token). */
    readonly scheme: "basic" | "bearer",
  ) {}

  close(): Promise<void> {
    return this.client.close();
  }

  /** Every Docker repository the account sees, by type (one unpaged list per type). */
  async dockerRepositories(types: readonly string[] = REPOSITORY_TYPES): Promise<ArtifactoryRepository[]> {
    const lists = await Promise.all(types.map((type) => this.repositoriesOfType(type)));
    return lists.flat();
  }

  private async repositoriesOfType(type: string): Promise<ArtifactoryRepository[]> {
    const { body } = await this.client.getJson<unknown>("api/repositories", { type, packageType: "docker" });
    if (!Array.isArray(body)) throw new RegistryError("REGISTRY_PROTOCOL", "the Artifactory API answered /api/repositories without a list", { retryable: false });
    return (body as ArtifactoryRepository[])
      .filter((entry) => typeof entry?.key === "string" && typeof entry.type === "string" && isDocker(entry))
      .map((entry) => ({ ...entry, type: entry.type.toUpperCase() }));
  }

  /** The images of a repository: `/api/docker/<key>/v2/_catalog`, paged. */
  images(key: string, pageSize = PAGE_SIZE): AsyncIterable<string> {
    return this.paged(`api/docker/${encodeURIComponent(key)}/v2/_catalog`, "repositories", pageSize);
  }

  /** The tags of an image: `/api/docker/<key>/v2/<image>/tags/list`, paged. */
  tags(key: string, image: string, pageSize = PAGE_SIZE): AsyncIterable<string> {
    return this.paged(`api/docker/${encodeURIComponent(key)}/v2/${encodePath(image)}/tags/list`, "tags", pageSize);
  }

  /** File Info of the tag's manifest file, or null when the tag folder holds neither. */
  async manifestInfo(key: string, image: string, tag: string): Promise<FileInfo | null> {
    for (const file of MANIFEST_FILES) {
      const answer = await this.client.getJson<FileInfo>(`api/storage/${encodeURIComponent(key)}/${encodePath(image)}/${encodeURIComponent(tag)}/${file}`, {}, { accept: [404] });
      if (answer.status !== 404 && answer.body) return answer.body;
    }
    return null;
  }

  /**
   * Follows `Link: <…>; rel="next"` like distribution; whether Artifactory
   * sends it is unverified (registry-apis.md §9), so a full page without one
   * asks on from its last entry (`last=`), and a short page ends the list.
   */
  private async *paged(path: string, field: "repositories" | "tags", pageSize: number): AsyncIterable<string> {
    const next = (answer: ApiAnswer<Record<string, unknown> | null>): URL | undefined => {
      const linked = nextPageUrl(answer.headers.link, answer.url);
      if (linked) return linked;
      const items = itemsOf(answer.body, field);
      if (items.length < pageSize) return undefined;
      return this.client.url(answer.url, { n: pageSize, last: items[items.length - 1] });
    };
    for await (const answer of this.client.pages<Record<string, unknown> | null>(this.client.url(path, { n: pageSize }), next)) {
      yield* itemsOf(answer.body, field);
    }
  }
}

function itemsOf(body: Record<string, unknown> | null, field: "repositories" | "tags"): string[] {
  const list = body?.[field];
  if (list === null || list === undefined) return [];
  if (!Array.isArray(list) || list.some((item) => typeof item !== "string")) {
    throw new RegistryError("REGISTRY_PROTOCOL", `the Artifactory API answered a ${field} list that is not a list of names`, { retryable: false });
  }
  return list as string[];
}
