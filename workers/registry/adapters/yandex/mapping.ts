import type { ListedTag } from "../../adapter";
import { RegistryError } from "../../errors";
import type { YandexImage } from "./yandex-api";
import { parseDate } from "../../dates";

/** The registry id of `https://cr.yandex/<registryId>`: the URL's first (only) path segment. */
export function registryIdOf(url: string): string {
  const segments = new URL(url).pathname.split("/").filter(Boolean);
  if (segments.length !== 1) {
    throw new RegistryError("REGISTRY_PROTOCOL", "the Yandex registry URL must end with the registry id, like https://cr.yandex/<registryId>", { retryable: false });
  }
  return segments[0];
}

/** The canonical name (DESIGN §2: the image name without the registry id), or null for a name outside the registry. */
export function canonicalName(registryId: string, name: string): string | null {
  const prefix = `${registryId}/`;
  return name.startsWith(prefix) && name.length > prefix.length ? name.slice(prefix.length) : null;
}

/** The name the registry host knows a repository by: `<registryId>/<canonical>`. */
export function wireName(registryId: string, repository: string): string {
  return `${registryId}/${repository}`;
}

/**
 * One listed tag per tag of each image: the image's digest, its `createdAt`
 * as the creation date (DESIGN §2; there is no separate push date). Untagged
 * images are not tags. A tag named by two images (a race with a push) keeps
 * the newer one.
 */
export function listedTags(repository: string, images: readonly YandexImage[]): ListedTag[] {
  const byTag = new Map<string, ListedTag>();
  for (const image of images) {
    const createdAt = parseDate(image.createdAt);
    for (const tag of image.tags ?? []) {
      const known = byTag.get(tag);
      if (known && (known.createdAt?.getTime() ?? -Infinity) >= (createdAt?.getTime() ?? -Infinity)) continue;
      byTag.set(tag, { repository, tag, digest: image.digest || null, createdAt, pushedAt: null });
    }
  }
  return [...byTag.values()];
}
