import type { DataSource, EntityManager } from "typeorm";
import { type CandidateLookup, type Candidate, candidatesByKey, indexKey } from "../match/matcher";
import type { OsvRecord } from "../osv/record";

type Db = DataSource | EntityManager;
type Key = { ecosystem: string; name: string };

/** Where matching gets its candidate records. */
export interface RecordSource {
  /** The candidates under `keys` (any other key looks up none). */
  candidates(db: Db, keys: readonly Key[]): Promise<CandidateLookup>;
}

/** The records for (ecosystem, normalised name) keys, read from the store every time: for one image's scan. */
export const storedRecords: RecordSource = {
  async candidates(db, keys) {
    const ids = await recordIds(db, keys);
    const index = candidatesByKey(await parsedRecords(db, [...new Set([...ids.values()].flat())]));
    return (ecosystem, name) => index.get(indexKey(ecosystem, name)) ?? [];
  },
};

async function recordIds(db: Db, keys: readonly Key[]): Promise<Map<string, string[]>> {
  const ids = new Map<string, string[]>(keys.map((key) => [indexKey(key.ecosystem, key.name), []]));
  if (keys.length === 0) return ids;
  const rows: Array<{ ecosystem: string; packageName: string; recordId: string }> = await db.query(
    `SELECT ecosystem, packageName, recordId FROM vuln_affected WHERE (ecosystem, packageName) IN (${keys.map(() => "(?, ?)").join(", ")})`,
    keys.flatMap((key) => [key.ecosystem, key.name]),
  );
  for (const row of rows) ids.get(indexKey(row.ecosystem, row.packageName))?.push(row.recordId);
  return ids;
}

async function parsedRecords(db: Db, ids: readonly string[]): Promise<OsvRecord[]> {
  if (ids.length === 0) return [];
  const rows: Array<{ json: string }> = await db.query("SELECT json FROM vuln_record WHERE id IN (?)", [ids]);
  // Stored records were validated on import: parsing them again is JSON only.
  return rows.map((row) => JSON.parse(row.json) as OsvRecord);
}

/**
 * What matching and findings read of a candidate once its severity is
 * assessed (matcher.ts): ids, summary, and its entries' package, ranges and
 * versions. The rest is left behind so that many fit in memory.
 */
function forMatching(candidate: Candidate): Candidate {
  const { record } = candidate;
  return {
    record: { ...record, details: null, related: [], severity: [], database_specific: null, affected: [] },
    entries: candidate.entries.map((entry) => ({
      package: entry.package,
      ranges: entry.ranges.filter((range) => range.type !== "GIT"),
      versions: entry.versions,
      severity: [],
      ecosystem_specific: null,
      database_specific: null,
    })),
    assessment: candidate.assessment,
  };
}

/** Keys whose records are read and parsed at once. */
const KEYS_PER_READ = 500;

/**
 * Candidates for many images in a row (the re-match after an import): a key
 * is looked up, and its records read and prepared, once while it stays
 * among the `maxCandidates` most recently used. A record under several keys
 * is read once per key.
 */
export class CachedRecords implements RecordSource {
  /** By key, least recently used first (Map order, refreshed on use). */
  private readonly byKey = new Map<string, Candidate[]>();
  private size = 0;

  /** 150,000 lean candidates take about 150 MB: the bench's 200,000 records over 2,000 images stay under its 512 MB. */
  constructor(private readonly maxCandidates = 150_000) {}

  async candidates(db: Db, keys: readonly Key[]): Promise<CandidateLookup> {
    const found = new Map<string, readonly Candidate[]>();
    const unknown: Key[] = [];
    for (const key of keys) {
      const id = indexKey(key.ecosystem, key.name);
      const cached = this.byKey.get(id);
      if (cached === undefined) {
        unknown.push(key);
        continue;
      }
      this.byKey.delete(id);
      this.byKey.set(id, cached);
      found.set(id, cached);
    }
    // A few hundred keys at a time: their full records are parsed, made lean and dropped before the next keys' are read.
    for (let i = 0; i < unknown.length; i += KEYS_PER_READ) {
      const ids = await recordIds(db, unknown.slice(i, i + KEYS_PER_READ));
      const index = candidatesByKey(await parsedRecords(db, [...new Set([...ids.values()].flat())]));
      for (const id of ids.keys()) {
        const candidates = (index.get(id) ?? []).map(forMatching);
        found.set(id, candidates);
        this.remember(id, candidates);
      }
    }
    return (ecosystem, name) => found.get(indexKey(ecosystem, name)) ?? [];
  }

  private remember(id: string, candidates: Candidate[]): void {
    this.byKey.set(id, candidates);
    this.size += candidates.length;
    for (const [oldest, evicted] of this.byKey) {
      if (this.size <= this.maxCandidates) break;
      this.byKey.delete(oldest);
      this.size -= evicted.length;
    }
  }
}
