/**
 * Nexus search answers → what discovery lists (DESIGN §2): the canonical
 * name `<repositoryKey>/<image>`, the manifest digest from the manifest
 * asset's sha256 checksum, no `createdAt` (Nexus has no build date: the
 * image config's date is read when the image is resolved), and `pushedAt`
 * from the manifest asset's `blobCreated` (`lastModified` where it is absent).
 */
import type { ListedRepository, ListedTag } from "../../adapter";
import type { NexusAsset, NexusComponent, NexusRepository } from "./nexus-api";
import { parseDigest } from "../../distribution/digest";
import { parseDate } from "../../dates";

/** In scope (hosted Docker), skipped with the reason (proxy, group), or null (not Docker: not a registry at all). */
export function scopeOf(repository: NexusRepository): ListedRepository | null {
  if (repository.format !== "docker") return null;
  if (repository.type === "hosted") return { repository: repository.name };
  return { repository: repository.name, skipped: `a ${repository.type} repository: only hosted Docker repositories are integrated` };
}

export function canonicalName(repositoryKey: string, image: string): string {
  return `${repositoryKey}/${image}`;
}

/** `team/api` of `docker-hosted/team/api` when the key is `docker-hosted`; null when the name is not under the key. */
export function imageOf(repositoryKey: string, repository: string): string | null {
  const prefix = `${repositoryKey}/`;
  return repository.startsWith(prefix) && repository.length > prefix.length ? repository.slice(prefix.length) : null;
}


function manifestAsset(component: NexusComponent): NexusAsset | undefined {
  const assets = Array.isArray(component.assets) ? component.assets : [];
  const exact = `v2/${component.name}/manifests/${component.version}`;
  return assets.find((a) => a?.path === exact) ?? assets.find((a) => typeof a?.path === "string" && a.path.includes("/manifests/"));
}

/** One search item as a listed tag, or null when it is not a Docker image tag. */
export function tagOf(repositoryKey: string, component: NexusComponent): ListedTag | null {
  if (typeof component.name !== "string" || !component.name || typeof component.version !== "string" || !component.version) return null;
  if (component.format !== undefined && component.format !== "docker") return null;
  const asset = manifestAsset(component);
  const sha256 = asset?.checksum?.sha256?.toLowerCase();
  return {
    repository: canonicalName(repositoryKey, component.name),
    tag: component.version,
    digest: parseDigest(sha256 && `sha256:${sha256}`)?.value ?? null,
    createdAt: null,
    pushedAt: parseDate(asset?.blobCreated) ?? parseDate(asset?.lastModified),
  };
}
