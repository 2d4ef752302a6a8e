import type { MigrationInterface, QueryRunner } from "typeorm";

const COUNTERS = ["findingsCritical", "findingsHigh", "findingsMedium", "findingsLow", "findingsUnknown", "findingsFixable"];

/**
 * Each artifact keeps the counts of its findings (issue 7, API at scale): a
 * page of images reads its vulnerabilitySummary from 50 artifact rows instead
 * of counting about 1,300 finding rows. Matching rewrites them with the findings.
 */
export class FindingCounts1765008000000 implements MigrationInterface {
  name = "FindingCounts1765008000000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE \`artifact\` ${COUNTERS.map((name) => `ADD \`${name}\` int UNSIGNED NOT NULL DEFAULT 0`).join(", ")}`);
    await db.query(
      `UPDATE \`artifact\` a JOIN (
         SELECT artifactDigest, SUM(severityRank = 0) AS critical, SUM(severityRank = 1) AS high, SUM(severityRank = 2) AS medium,
                SUM(severityRank = 3) AS low, SUM(severityRank = 4) AS unknown, COUNT(fixedVersion) AS fixable
           FROM \`finding\` GROUP BY artifactDigest) f ON f.artifactDigest = a.digest
       SET a.findingsCritical = f.critical, a.findingsHigh = f.high, a.findingsMedium = f.medium,
           a.findingsLow = f.low, a.findingsUnknown = f.unknown, a.findingsFixable = f.fixable`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE \`artifact\` ${COUNTERS.map((name) => `DROP COLUMN \`${name}\``).join(", ")}`);
  }
}
