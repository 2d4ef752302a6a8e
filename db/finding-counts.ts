/** Anything that runs SQL with `?` parameters: a TypeORM DataSource or EntityManager, or a mysql2 pool. */
export interface SqlRunner {
  query(sql: string, parameters: unknown[]): Promise<unknown>;
}

/**
 * Recounts the stored findings of `digests` into their artifacts' counters
 * (artifact.findingsCritical … findingsFixable), zero for an artifact without
 * findings. Run after writing findings, in the same transaction.
 */
export async function recountFindings(db: SqlRunner, digests: readonly string[]): Promise<void> {
  if (digests.length === 0) return;
  await db.query(
    `UPDATE artifact a LEFT JOIN (
       SELECT artifactDigest, SUM(severityRank = 0) AS critical, SUM(severityRank = 1) AS high, SUM(severityRank = 2) AS medium,
              SUM(severityRank = 3) AS low, SUM(severityRank = 4) AS unknown, COUNT(fixedVersion) AS fixable
         FROM finding WHERE artifactDigest IN (?) GROUP BY artifactDigest) f ON f.artifactDigest = a.digest
     SET a.findingsCritical = COALESCE(f.critical, 0), a.findingsHigh = COALESCE(f.high, 0), a.findingsMedium = COALESCE(f.medium, 0),
         a.findingsLow = COALESCE(f.low, 0), a.findingsUnknown = COALESCE(f.unknown, 0), a.findingsFixable = COALESCE(f.fixable, 0)
     WHERE a.digest IN (?)`,
    [digests, digests],
  );
}
