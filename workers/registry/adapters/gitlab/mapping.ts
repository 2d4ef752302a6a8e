import type { ListedRepository, ListedTag } from "../../adapter";
import type { GitLabRepository, GitLabTagDetail } from "./gitlab-api";
import { parseDigest } from "../../distribution/digest";
import { EARLIEST_BUILD_DATE, parseDate } from "../../dates";

/** Repositories GitLab is deleting: their tags are going away, so they are reported, not integrated. */
const BEING_DELETED = new Set(["delete_scheduled", "delete_ongoing"]);

export function listedRepository(repository: GitLabRepository): ListedRepository {
  if (repository.status && BEING_DELETED.has(repository.status)) {
    return { repository: repository.path, skipped: `GitLab is deleting this repository (status ${repository.status})` };
  }
  return { repository: repository.path };
}

/** A tag with GitLab's dates: `createdAt` from the detail's `created_at`, no push date (DESIGN §2). */
export function listedTag(repository: string, detail: GitLabTagDetail): ListedTag {
  return {
    repository,
    tag: detail.name,
    digest: parseDigest(detail.digest)?.value ?? null,
    createdAt: parseDate(detail.created_at, EARLIEST_BUILD_DATE),
    pushedAt: null,
  };
}
