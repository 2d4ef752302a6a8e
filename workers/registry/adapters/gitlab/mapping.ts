import type { ListedRepository, ListedTag } from "../../adapter";
import type { GitLabRepository, GitLabTagDetail } from "./gitlab-api";

/** Before this a date is a reproducible-build placeholder: missing (DESIGN §2). */
const EARLIEST_REAL_DATE = Date.UTC(1980, 0, 1);

/** Repositories GitLab is deleting: their tags are going away, so they are reported, not integrated. */
const BEING_DELETED = new Set(["delete_scheduled", "delete_ongoing"]);

export function listedRepository(repository: GitLabRepository): ListedRepository {
  if (repository.status && BEING_DELETED.has(repository.status)) {
    return { repository: repository.path, skipped: `GitLab is deleting this repository (status ${repository.status})` };
  }
  return { repository: repository.path };
}

export function gitLabDate(value: string | null | undefined): Date | null {
  const time = value ? Date.parse(value) : NaN;
  return Number.isFinite(time) && time >= EARLIEST_REAL_DATE ? new Date(time) : null;
}

/** A tag with GitLab's dates: `createdAt` from the detail's `created_at`, no push date (DESIGN §2). */
export function listedTag(repository: string, detail: GitLabTagDetail): ListedTag {
  return {
    repository,
    tag: detail.name,
    digest: detail.digest && /^sha256:[a-f0-9]{64}$/.test(detail.digest) ? detail.digest : null,
    createdAt: gitLabDate(detail.created_at),
    pushedAt: null,
  };
}
