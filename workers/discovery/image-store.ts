import { randomUUID } from "node:crypto";
import { type EntityManager, IsNull } from "typeorm";
import { Image } from "../../db/entities";
import type { ImageSource } from "../../db/enums";

const CHUNK = 500;

/** A selected tag resolved to one platform image. */
export interface ResolvedImage {
  repository: string;
  tag: string | null;
  tagDigest: string;
  platform: string;
  digest: string;
  createdAt: Date | null;
  pushedAt: Date | null;
}

/**
 * Records the images a run (or an operator) selected: new ones are inserted,
 * known ones refreshed and un-removed; an image whose tag now points elsewhere
 * stops being current. Answers the ids, in input order.
 */
export async function upsertImages(
  db: EntityManager,
  registryId: string,
  images: ResolvedImage[],
  addedBy: ImageSource,
  now: Date,
): Promise<string[]> {
  const ids = new Map<ResolvedImage, string>();
  const tagged = images.filter((image) => image.tag !== null);
  for (let i = 0; i < tagged.length; i += CHUNK) {
    const chunk = tagged.slice(i, i + CHUNK);
    await db
      .createQueryBuilder()
      .insert()
      .into(Image)
      .values(chunk.map((image) => ({ ...image, id: randomUUID(), registryId, addedBy, removed: false, current: true, lastSeenAt: now })))
      .orUpdate(["tagDigest", "createdAt", "pushedAt", "removed", "current", "lastSeenAt"], ["registryId", "repository", "tag", "platform", "digest"])
      .execute();
    const keys = chunk.map((image) => [image.repository, image.tag, image.platform, image.digest]);
    const found: Pick<Image, "id" | "repository" | "tag" | "platform" | "digest">[] = await db.query(
      `SELECT id, repository, tag, platform, digest FROM image WHERE registryId = ? AND (repository, tag, platform, digest) IN (${keys
        .map(() => "(?, ?, ?, ?)")
        .join(", ")})`,
      [registryId, ...keys.flat()],
    );
    const byKey = new Map(found.map((r) => [`${r.repository}\n${r.tag}\n${r.platform}\n${r.digest}`, r.id]));
    for (const image of chunk) ids.set(image, byKey.get(`${image.repository}\n${image.tag}\n${image.platform}\n${image.digest}`)!);
    await db.query(
      `UPDATE image SET current = 0 WHERE registryId = ? AND current = 1 AND lastSeenAt < ?
         AND (repository, tag, platform) IN (${chunk.map(() => "(?, ?, ?)").join(", ")})`,
      [registryId, now, ...chunk.flatMap((image) => [image.repository, image.tag, image.platform])],
    );
  }
  // Added by digest: no tag, so the unique index cannot fold repeats; look first.
  for (const image of images.filter((i) => i.tag === null)) {
    const where = { registryId, repository: image.repository, tag: IsNull(), platform: image.platform, digest: image.digest };
    const existing = await db.findOne(Image, { select: { id: true }, where });
    if (existing) {
      await db.update(Image, { id: existing.id }, { removed: false, lastSeenAt: now });
      ids.set(image, existing.id);
    } else {
      const id = randomUUID();
      await db.insert(Image, { ...image, id, registryId, addedBy, removed: false, current: true, lastSeenAt: now });
      ids.set(image, id);
    }
  }
  return images.map((image) => ids.get(image)!);
}

/**
 * Marks removed the tagged images whose tag is no longer in the stored
 * listing, except in repositories that failed to list in this run.
 */
export async function markVanishedImages(db: EntityManager, registryId: string, failed: ReadonlySet<string>): Promise<number> {
  const exceptFailed = failed.size > 0 ? `AND i.repository NOT IN (${[...failed].map(() => "?").join(", ")})` : "";
  const result = await db.query(
    `UPDATE image i LEFT JOIN registry_tag t
        ON t.registryId = i.registryId AND t.repository = i.repository AND t.tag = i.tag
      SET i.removed = 1
      WHERE i.registryId = ? AND i.removed = 0 AND i.tag IS NOT NULL AND t.id IS NULL ${exceptFailed}`,
    [registryId, ...failed],
  );
  return Number(result.affectedRows ?? 0);
}
