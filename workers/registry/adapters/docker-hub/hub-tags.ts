import type { ListedTag } from "../../adapter";
import { platformMatches, platformOf } from "../../platforms";
import type { PlatformImage, ResolvedTag } from "../../tag-resolver";
import type { HubTag } from "./hub-api";
import { parseDigest } from "../../distribution/digest";
import { parseDate } from "../../dates";

/** DESIGN §2: no `createdAt` (a config fetch would cost pull quota), `pushedAt` = `tag_last_pushed`. */
export function listedTag(repository: string, tag: HubTag): ListedTag {
  return { repository, tag: tag.name, digest: parseDigest(tag.digest)?.value ?? null, createdAt: null, pushedAt: parseDate(tag.tag_last_pushed) };
}

/**
 * The wanted platforms' manifests as the Hub lists them in `images`, in the
 * order of `platforms` (as the tag resolver picks them from an index), so a
 * sync resolves the tag without a manifest GET; null when the listing lacks
 * what that needs (then the resolver fetches as for any registry).
 */
export function resolvedFromListing(tag: HubTag, platforms: readonly string[]): ResolvedTag | null {
  if (!tag.digest || !parseDigest(tag.digest) || !Array.isArray(tag.images) || tag.images.length === 0) return null;
  const listed = tag.images.map((image) => ({
    platform: platformOf({ os: image.os ?? undefined, architecture: image.architecture ?? undefined, variant: image.variant ?? undefined }),
    digest: image.digest ?? null,
  }));
  if (listed.some((image) => image.platform !== null && (!image.digest || !parseDigest(image.digest)))) return null;
  const images: PlatformImage[] = [];
  for (const wanted of platforms) {
    const entry = listed.find((image) => image.platform !== null && platformMatches(image.platform, wanted));
    if (!entry || images.some((image) => image.digest === entry.digest)) continue;
    images.push({ platform: entry.platform!, digest: entry.digest!, createdAt: null });
  }
  return { digest: tag.digest, images };
}
