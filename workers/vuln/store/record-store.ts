import type { DataSource } from "typeorm";
import { retryOnDeadlock } from "../../../db/deadlock-retry";
import { normalisePackageName } from "../match/names";
import type { OsvRecord } from "../osv/record";

export interface StoreCounts {
  /** Added, or replaced by a newer `modified`. */
  imported: number;
  /** Removed because the source marks them withdrawn. */
  withdrawn: number;
  /** Known already with the same or a newer `modified`. */
  unchanged: number;
}

const modifiedMs = (modified: string | Date) => new Date(modified).getTime();

/** (ecosystem, normalised name) pairs a record affects, each once: the index matching looks candidates up by. */
function affectedKeys(record: OsvRecord): Array<[string, string]> {
  const keys = new Map<string, [string, string]>();
  for (const affected of record.affected) {
    if (!affected.package) continue;
    const { ecosystem, name } = affected.package;
    const normalised = normalisePackageName(ecosystem, name);
    keys.set(`${ecosystem}\u0000${normalised}`, [ecosystem, normalised]);
  }
  return [...keys.values()];
}

/**
 * Merges one batch of parsed records into the database (DESIGN §4): upsert
 * by id when `modified` is newer than the stored one, delete withdrawn ones;
 * changed records carry `version`. One transaction per batch.
 */
export async function storeRecords(db: DataSource, records: OsvRecord[], version: number): Promise<StoreCounts> {
  const counts: StoreCounts = { imported: 0, withdrawn: 0, unchanged: 0 };
  // The last occurrence of an id in a batch wins, as it would one record at a time.
  const byId = new Map(records.map((record) => [record.id, record]));
  if (byId.size === 0) return counts;
  return retryOnDeadlock(() =>
    db.transaction(async (tx) => {
      const stored: Array<{ id: string; modified: Date }> = await tx.query("SELECT id, modified FROM vuln_record WHERE id IN (?)", [[...byId.keys()]]);
      const storedModified = new Map(stored.map((row) => [row.id, modifiedMs(row.modified)]));
      const changed: OsvRecord[] = [];
      const withdrawn: string[] = [];
      for (const record of byId.values()) {
        const known = storedModified.get(record.id);
        if (record.withdrawn) {
          if (known !== undefined) withdrawn.push(record.id);
        } else if (known !== undefined && known >= modifiedMs(record.modified)) {
          counts.unchanged++;
        } else {
          changed.push(record);
        }
      }
      if (withdrawn.length > 0) await tx.query("DELETE FROM vuln_record WHERE id IN (?)", [withdrawn]);
      if (changed.length > 0) {
        await tx.query(
          `INSERT INTO vuln_record (id, modified, json, version) VALUES ${changed.map(() => "(?, ?, ?, ?)").join(", ")}
           ON DUPLICATE KEY UPDATE modified = VALUES(modified), json = VALUES(json), version = VALUES(version)`,
          changed.flatMap((record) => [record.id, new Date(record.modified), JSON.stringify(record), version]),
        );
        const replaced = changed.filter((record) => storedModified.has(record.id)).map((record) => record.id);
        if (replaced.length > 0) await tx.query("DELETE FROM vuln_affected WHERE recordId IN (?)", [replaced]);
        const rows = changed.flatMap((record) => affectedKeys(record).map(([ecosystem, name]) => [record.id, ecosystem, name]));
        if (rows.length > 0) {
          await tx.query(`INSERT INTO vuln_affected (recordId, ecosystem, packageName) VALUES ${rows.map(() => "(?, ?, ?)").join(", ")}`, rows.flat());
        }
      }
      counts.imported = changed.length;
      counts.withdrawn = withdrawn.length;
      return counts;
    }),
  );
}
