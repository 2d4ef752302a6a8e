/** Pure mapping of Harbor API answers to what drydock lists (registry-apis.md §2, DESIGN §2). */
import type { ListedTag } from "../../adapter";
import { RegistryError } from "../../errors";
import { configDate } from "../../tag-resolver";
import type { HarborArtifact, HarborPermission, HarborProject } from "./harbor-types";
import { parseDate } from "../../dates";

/** Role ids of Harbor's project members (src/common/const.go). */
export const HARBOR_ROLES: Readonly<Record<number, string>> = {
  1: "Project Admin",
  2: "Developer",
  3: "Guest",
  4: "Maintainer",
  5: "Limited Guest",
};

/**
 * What listing and pulling need in a project: exactly what Limited Guest has
 * (src/common/rbac/project/rbac_role.go), so every role passes.
 */
export const REQUIRED_PERMISSIONS: readonly string[] = [
  "repository:list",
  "repository:read",
  "repository:pull",
  "artifact:list",
  "artifact:read",
  "tag:list",
];

/** `team/api` → the API path of that repository: the project, then the rest with `/` encoded twice (`a/b` → `a%252Fb`). */
export function repositoryPath(repository: string): string {
  const slash = repository.indexOf("/");
  if (slash <= 0 || slash === repository.length - 1) {
    throw new RegistryError("REGISTRY_PROTOCOL", `${repository} is not a Harbor repository name (project/repository)`, { retryable: false });
  }
  const project = repository.slice(0, slash);
  const rest = repository.slice(slash + 1);
  return `projects/${encodeURIComponent(project)}/repositories/${encodeURIComponent(encodeURIComponent(rest))}`;
}

/** The project's highest role, or null where the caller is no member (robots, public projects). */
export function roleOf(project: HarborProject): number | null {
  const ids = [project.current_user_role_id ?? 0, ...(project.current_user_role_ids ?? [])].filter((id) => HARBOR_ROLES[id] !== undefined);
  return ids[0] ?? null;
}

/** A proxy-cache project mirrors another registry: its repositories are reported as skipped (DESIGN §2). */
export function isProxyCache(project: HarborProject): boolean {
  return typeof project.registry_id === "number" && project.registry_id > 0;
}

/** Which of the required `resource:action` pairs a permission list lacks. */
export function missingPermissions(granted: readonly HarborPermission[]): string[] {
  const have = new Set(granted.map((p) => `${p.resource}:${p.action}`));
  if (have.has("*:*")) return [];
  return REQUIRED_PERMISSIONS.filter((needed) => !have.has(needed) && !have.has(`${needed.split(":")[0]}:*`));
}

/** An image index (multi-platform): its date is that of the wanted platform's config, which the artifact does not carry. */
export function isIndex(artifact: HarborArtifact): boolean {
  return /index|manifest\.list/.test(artifact.manifest_media_type ?? "");
}

/** Images only: Harbor also stores Helm charts, CNAB bundles and other OCI artifacts drydock cannot scan. */
export function isImage(artifact: HarborArtifact): boolean {
  return artifact.type === undefined || artifact.type.toUpperCase() === "IMAGE";
}

/** Harbor writes Go's zero time (0001-01-01) for "never". */
const timeOf = (text: string | null | undefined) => parseDate(text, 1);

/**
 * One listed tag per tag of an image artifact: `createdAt` from
 * `extra_attrs.created` (before 1980 counts as missing), `pushedAt` from the
 * artifact's `push_time`. An index has no `extra_attrs.created`: the caller
 * resolves its date from the wanted platform.
 */
export function artifactTags(repository: string, artifact: HarborArtifact): ListedTag[] {
  if (!isImage(artifact)) return [];
  const createdAt = isIndex(artifact) ? null : configDate({ created: artifact.extra_attrs?.created ?? undefined });
  const pushedAt = timeOf(artifact.push_time);
  return (artifact.tags ?? []).map((tag) => ({ repository, tag: tag.name, digest: artifact.digest, createdAt, pushedAt }));
}
