import { randomUUID } from "node:crypto";
import type { EntityManager } from "typeorm";
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
  const ids: string[] = [];
  for (let i = 0; i < images.length; i += CHUNK) {
    const chunk = images.slice(i, i + CHUNK);
    await db
      .createQueryBuilder()
      .insert()
      .into(Image)
      .values(chunk.map((image) => ({ ...image, id: randomUUID(), registryId, addedBy, removed: false, current: true, lastSeenAt: now })))
      .orUpdate(["tagDigest", "createdAt", "pushedAt", "removed", "current", "lastSeenAt"], ["registryId", "repository", "tag", "platform", "digest"])
      .execute();
    const keys = chunk.map((image) => [image.repository, image.tag, image.platform, image.digest]);
    const found = await db.query(
      `SELECT id, repository, tag, platform, digest FROM image WHERE registryId = ? AND (repository, tag, platform, digest) IN (${keys
        .map(() => "(?, ?, ?, ?)")
        .join(", ")})`,
      [registryId, ...keys.flat()],
    );
    const byKey = new Map<string, string>(found.map((r: Image) => [`${r.repository}\n${r.tag}\n${r.platform}\n${r.digest}`, r.id]));
    ids.push(...chunk.map((image) => byKey.get(`${image.repository}\n${image.tag}\n${image.platform}\n${image.digest}`)!));
    const tagged = chunk.filter((image) => image.tag !== null);
    if (tagged.length > 0) {
      await db.query(
        `UPDATE image SET current = 0 WHERE registryId = ? AND current = 1 AND lastSeenAt < ?
           AND (repository, tag, platform) IN (${tagged.map(() => "(?, ?, ?)").join(", ")})`,
        [registryId, now, ...tagged.flatMap((image) => [image.repository, image.tag, image.platform])],
      );
    }
  }
  return ids;
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
