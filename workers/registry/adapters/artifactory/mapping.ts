/** Pure mapping of Artifactory API answers to what drydock lists (registry-apis.md §4, DESIGN §2). */
import type { ListedRepository, ListedTag } from "../../adapter";
import { configDate } from "../../tag-resolver";
import { parseDigest } from "../../distribution/digest";
import { parseDate } from "../../dates";

/** One entry of `GET /api/repositories` (§4.3). */
export interface ArtifactoryRepository {
  key: string;
  /** LOCAL, REMOTE, VIRTUAL or FEDERATED (upper case in answers). */
  type: string;
  packageType?: string;
  url?: string;
  description?: string;
}

/** The fields of File Info (`GET /api/storage/<repo>/<path>`, §4.4) drydock reads. */
export interface FileInfo {
  repo?: string;
  path?: string;
  created?: string;
  lastModified?: string;
  checksums?: { sha256?: string };
}

/** The repository types `/api/repositories?type=` takes, each asked for on its own. */
export const REPOSITORY_TYPES = ["local", "remote", "virtual", "federated"] as const;

/** Why a non-local repository is reported and not integrated (DESIGN §2: only local repositories). */
const SKIP_REASONS: Record<string, string> = {
  REMOTE: "remote repository (a cache of another registry): only local repositories are integrated",
  VIRTUAL: "virtual repository (aggregates others): only local repositories are integrated",
  FEDERATED: "federated repository (mirrored between sites): only local repositories are integrated",
};

/**
 * `packageType` casing in answers is unverified (docs show "Generic", "Maven"):
 * compared without case, and an answer without it is trusted to the filter asked.
 */
export function isDocker(repository: ArtifactoryRepository): boolean {
  return repository.packageType === undefined || repository.packageType.toLowerCase() === "docker";
}

/** The listing entry of a repository: its key, and for non-local types why it is skipped. */
export function listedRepository(repository: ArtifactoryRepository): ListedRepository | null {
  const type = repository.type.toUpperCase();
  if (type === "LOCAL") return null;
  return { repository: repository.key, skipped: SKIP_REASONS[type] ?? `${type.toLowerCase()} repository: only local repositories are integrated` };
}

/** `docker-local/team/api` → `{ key: "docker-local", image: "team/api" }`; the key is the first segment. */
export function splitCanonical(repository: string): { key: string; image: string } | null {
  const slash = repository.indexOf("/");
  if (slash <= 0 || slash === repository.length - 1) return null;
  return { key: repository.slice(0, slash), image: repository.slice(slash + 1) };
}

/** `team/api` → `team/api` with each segment percent-encoded (the slashes stay path separators). */
export function encodePath(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}


/**
 * A tag from the storage info of its `manifest.json` (or `list.manifest.json`):
 * `created` → createdAt (before 1980 counts as missing), `lastModified` → pushedAt.
 * The file holds the manifest's exact bytes, so its sha256 is the manifest digest.
 */
export function tagFromFileInfo(repository: string, tag: string, info: FileInfo | null): ListedTag {
  const sha256 = info?.checksums?.sha256?.toLowerCase();
  return {
    repository,
    tag,
    digest: parseDigest(sha256 && `sha256:${sha256}`)?.value ?? null,
    createdAt: configDate({ created: info?.created }),
    pushedAt: parseDate(info?.lastModified),
  };
}
