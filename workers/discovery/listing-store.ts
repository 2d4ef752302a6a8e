import { type EntityManager, In } from "typeorm";
import { Image, RegistryTag } from "../../db/entities";
import type { ListedTag } from "../registry/adapter";
import { platformMatches } from "../registry/platforms";
import type { PlatformImage, TagResolver } from "../registry/tag-resolver";

const CHUNK = 500;

/**
 * Seeds a run's resolver with what earlier runs learned: tag dates from the
 * stored listing, and platform images of tags whose images cover every
 * wanted platform. Nothing known is fetched again.
 */
export async function seedResolver(db: EntityManager, registryId: string, platforms: readonly string[], resolver: TagResolver): Promise<void> {
  const tags = await db.find(RegistryTag, { select: { digest: true, createdAt: true }, where: { registryId } });
  for (const tag of tags) if (tag.digest) resolver.rememberDate(tag.digest, tag.createdAt);

  const images = await db.find(Image, {
    select: { tagDigest: true, platform: true, digest: true, createdAt: true },
    where: { registryId, current: true, removed: false },
  });
  const byTagDigest = new Map<string, PlatformImage[]>();
  for (const image of images) {
    const list = byTagDigest.get(image.tagDigest) ?? [];
    if (!list.some((i) => i.platform === image.platform)) list.push({ platform: image.platform, digest: image.digest, createdAt: image.createdAt });
    byTagDigest.set(image.tagDigest, list);
  }
  for (const [digest, list] of byTagDigest) {
    // A plain image has one platform, so what was stored is the whole answer.
    if (list.length === 1 && list[0].digest === digest) {
      resolver.remember({ digest, images: list });
      continue;
    }
    // An index is known only if every wanted platform has its image.
    const ordered = platforms.map((p) => list.find((i) => platformMatches(i.platform, p)));
    if (ordered.every(Boolean)) resolver.remember({ digest, images: [...new Set(ordered as PlatformImage[])] });
  }
}

/**
 * Replaces the stored listing of the repositories listed in this run. Rows of
 * repositories that failed to list are kept; when the whole catalog was
 * listed, repositories no longer in it are dropped.
 */
export async function storeListing(
  db: EntityManager,
  registryId: string,
  listed: Map<string, ListedTag[]>,
  catalogComplete: boolean,
  failed: ReadonlySet<string>,
  now: Date,
): Promise<void> {
  const rows = [...listed.values()].flat().map((t) => ({
    registryId,
    repository: t.repository,
    tag: t.tag,
    digest: t.digest,
    createdAt: t.createdAt,
    pushedAt: t.pushedAt,
    listedAt: now,
  }));
  for (let i = 0; i < rows.length; i += CHUNK) {
    await db
      .createQueryBuilder()
      .insert()
      .into(RegistryTag)
      .values(rows.slice(i, i + CHUNK))
      .orUpdate(["digest", "createdAt", "pushedAt", "listedAt"], ["registryId", "repository", "tag"])
      .execute();
  }
  // Rows this run did not refresh are vanished tags or repositories; failed repositories keep theirs.
  const staleRows = () => db.createQueryBuilder().delete().from(RegistryTag).where({ registryId }).andWhere("listedAt < :now", { now });
  if (catalogComplete) {
    const query = staleRows();
    if (failed.size > 0) query.andWhere("repository NOT IN (:...failed)", { failed: [...failed] });
    await query.execute();
    return;
  }
  const repositories = [...listed.keys()];
  for (let i = 0; i < repositories.length; i += CHUNK) {
    await staleRows().andWhere({ repository: In(repositories.slice(i, i + CHUNK)) }).execute();
  }
}
