import type { DataSource, EntityManager } from "typeorm";
import type { OsvRecord } from "../osv/record";

/** Where matching gets its candidate records. */
export interface RecordSource {
  affecting(db: DataSource | EntityManager, keys: ReadonlyArray<{ ecosystem: string; name: string }>): Promise<OsvRecord[]>;
}

/** The records for (ecosystem, normalised name) keys, read from the store every time: for one image's scan. */
export const storedRecords: RecordSource = {
  async affecting(db, keys) {
    const ids = await recordIds(db, keys);
    return parsedRecords(db, [...new Set([...ids.values()].flat())]);
  },
};

const keyOf = (ecosystem: string, name: string) => `${ecosystem}\u0000${name}`;

async function recordIds(db: DataSource | EntityManager, keys: ReadonlyArray<{ ecosystem: string; name: string }>): Promise<Map<string, string[]>> {
  const ids = new Map<string, string[]>(keys.map((key) => [keyOf(key.ecosystem, key.name), []]));
  if (keys.length === 0) return ids;
  const rows: Array<{ ecosystem: string; packageName: string; recordId: string }> = await db.query(
    `SELECT ecosystem, packageName, recordId FROM vuln_affected WHERE (ecosystem, packageName) IN (${keys.map(() => "(?, ?)").join(", ")})`,
    keys.flatMap((key) => [key.ecosystem, key.name]),
  );
  for (const row of rows) ids.get(keyOf(row.ecosystem, row.packageName))?.push(row.recordId);
  return ids;
}

async function parsedRecords(db: DataSource | EntityManager, ids: readonly string[]): Promise<OsvRecord[]> {
  if (ids.length === 0) return [];
  const rows: Array<{ json: string }> = await db.query("SELECT json FROM vuln_record WHERE id IN (?)", [ids]);
  // Stored records were validated on import: parsing them again is JSON only.
  return rows.map((row) => JSON.parse(row.json) as OsvRecord);
}

/**
 * Records for many images in a row (the re-match after an import): keys and
 * parsed records are kept, up to `maxRecords`, so a package shared by many
 * images costs one lookup and a record one parse. Oldest entries go first.
 */
export class CachedRecords implements RecordSource {
  private readonly idsByKey = new Map<string, string[]>();
  private readonly records = new Map<string, OsvRecord>();

  constructor(private readonly maxRecords = 50_000) {}

  async affecting(db: DataSource | EntityManager, keys: ReadonlyArray<{ ecosystem: string; name: string }>): Promise<OsvRecord[]> {
    const unknown = keys.filter((key) => !this.idsByKey.has(keyOf(key.ecosystem, key.name)));
    for (const [key, ids] of await recordIds(db, unknown)) this.remember(this.idsByKey, key, ids);
    const wanted = [...new Set(keys.flatMap((key) => this.idsByKey.get(keyOf(key.ecosystem, key.name)) ?? []))];
    const fetched = new Map((await parsedRecords(db, wanted.filter((id) => !this.records.has(id)))).map((record) => [record.id, record]));
    const found = wanted.map((id) => this.records.get(id) ?? fetched.get(id)).filter((record): record is OsvRecord => record !== undefined);
    for (const [id, record] of fetched) this.remember(this.records, id, record);
    return found;
  }

  private remember<T>(map: Map<string, T>, key: string, value: T): void {
    map.set(key, value);
    if (map.size > this.maxRecords) map.delete(map.keys().next().value!);
  }
}
