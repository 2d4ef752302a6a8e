import type { DataSource, EntityManager } from "typeorm";
import { SystemState } from "../../../db/entities";

const KEY = "vulndb.version";

/**
 * The vulnerability database's version: 0 when empty, one higher after
 * every import that changed something (DESIGN §4). Findings record the
 * version they were matched against. Imports run one at a time (one
 * graphile queue), so the next version is simply this one plus one.
 */
export async function databaseVersion(db: DataSource | EntityManager): Promise<number> {
  const row = await db.getRepository(SystemState).findOneBy({ key: KEY });
  return row ? Number(row.value) : 0;
}

export async function saveDatabaseVersion(db: DataSource | EntityManager, version: number): Promise<void> {
  await db.getRepository(SystemState).upsert({ key: KEY, value: String(version) }, ["key"]);
}
