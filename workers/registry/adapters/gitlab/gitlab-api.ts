/**
 * The parts of the GitLab REST API (v4) drydock uses (registry-apis.md §3):
 * projects by minimum access level, each project's container repositories,
 * their tags, and one tag's detail — all offset-paginated and followed on
 * `X-Next-Page` (the only header GitLab keeps past 10,000 rows).
 */
import type { IncomingHttpHeaders } from "node:http";
import type { ApiAnswer, VendorApiClient } from "../../vendor-api/api-client";

/** GitLab's maximum `per_page`. */
const PER_PAGE = 100;

/** Member access levels (GitLab `Gitlab::Access`). */
export const ACCESS_LEVEL = { minimal: 5, guest: 10, planner: 15, reporter: 20, developer: 30, maintainer: 40, owner: 50 } as const;

export interface GitLabProject {
  id: number;
  path_with_namespace: string;
}

export interface GitLabRepository {
  id: number;
  /** `group/project[/image]`: the canonical name (DESIGN §2). */
  path: string;
  project_id: number;
  /** `delete_scheduled`, `delete_ongoing`, `delete_failed`, or null. */
  status?: string | null;
}

export interface GitLabTag {
  name: string;
}

export interface GitLabTagDetail {
  name: string;
  digest?: string | null;
  /** The manifest's creation time, not the tag's push time (registry-apis.md §3.2). */
  created_at?: string | null;
}

export interface GitLabTokenSelf {
  scopes?: string[];
  active?: boolean;
  revoked?: boolean;
  expires_at?: string | null;
}

/** The next page's URL from `X-Next-Page` (empty on the last page), or undefined. */
export function nextPage(headers: IncomingHttpHeaders, current: URL): URL | undefined {
  const raw = headers["x-next-page"];
  const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  if (!value || !/^\d+$/.test(value)) return undefined;
  const next = new URL(current);
  next.searchParams.set("page", value);
  return next;
}

export class GitLabApi {
  constructor(private readonly client: VendorApiClient) {}

  /** Projects the token reaches at `minAccessLevel` or above (membership direct or through groups). */
  projects(minAccessLevel: number): AsyncIterable<GitLabProject> {
    return this.items<GitLabProject>("projects", { min_access_level: minAccessLevel, simple: true, order_by: "id", sort: "asc" });
  }

  /** Whether the token reaches at least one project at `minAccessLevel` or above: one small page. */
  async reachesAnyProject(minAccessLevel: number): Promise<boolean> {
    const answer = await this.client.getJson<GitLabProject[]>("projects", { min_access_level: minAccessLevel, simple: true, per_page: 1 });
    return Array.isArray(answer.body) && answer.body.length > 0;
  }

  repositories(projectId: number): AsyncIterable<GitLabRepository> {
    return this.items<GitLabRepository>(`projects/${projectId}/registry/repositories`, {});
  }

  tags(projectId: number, repositoryId: number): AsyncIterable<GitLabTag> {
    return this.items<GitLabTag>(`projects/${projectId}/registry/repositories/${repositoryId}/tags`, {});
  }

  /** null when the tag is gone (404). */
  async tagDetail(projectId: number, repositoryId: number, tag: string): Promise<GitLabTagDetail | null> {
    const path = `projects/${projectId}/registry/repositories/${repositoryId}/tags/${encodeURIComponent(tag)}`;
    const answer = await this.client.getJson<GitLabTagDetail>(path, {}, { accept: [404] });
    return answer.status === 404 ? null : answer.body;
  }

  /**
   * The token's own record (GitLab lets any scope read it); null for tokens
   * that are not personal, project or group access tokens (OAuth, job
   * tokens: 400 in recent GitLab, 404 before — unverified which version says which).
   */
  async tokenSelf(): Promise<GitLabTokenSelf | null> {
    const answer = await this.client.getJson<GitLabTokenSelf>("personal_access_tokens/self", {}, { accept: [400, 404] });
    return answer.status === 200 ? answer.body : null;
  }

  private async *items<T>(path: string, query: Record<string, string | number | boolean>): AsyncIterable<T> {
    const first = this.client.url(path, { ...query, per_page: PER_PAGE, page: 1 });
    for await (const answer of this.client.pages<T[]>(first, (a: ApiAnswer<T[]>) => nextPage(a.headers, a.url))) {
      if (Array.isArray(answer.body)) yield* answer.body;
    }
  }
}
