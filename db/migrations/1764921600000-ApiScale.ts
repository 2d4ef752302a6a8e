import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Keyset pagination on indexes (issue 7, API at scale): every list's ORDER BY,
 * after its equality filter, is an index, so a page reads its rows from the
 * cursor on instead of sorting the whole set. SQL common to MySQL 8 and MariaDB 10.11.
 */
export class ApiScale1764921600000 implements MigrationInterface {
  name = "ApiScale1764921600000";

  async up(db: QueryRunner): Promise<void> {
    // images(filter: { registryId }) newest first; with removed and current in the index, their counts need no row.
    await db.query("CREATE INDEX `IDX_a81795a7e770c895756e0ac0d4` ON `image` (`registryId`, `firstSeenAt`, `id`, `removed`, `current`)");
    // Image.vulnerabilities in its order; it also serves the foreign key and the summary's counts, so it replaces (artifactDigest, severityRank).
    await db.query("CREATE INDEX `IDX_503357673a048445c8d6680c7e` ON `finding` (`artifactDigest`, `severityRank`, `advisoryId`, `packageName`, `id`)");
    await db.query("DROP INDEX `IDX_b79955aff2452f3e20a4e227dd` ON `finding`");
    // scanJobs newest first, all or of one registry; the second replaces the index the foreign key had made for itself.
    await db.query("CREATE INDEX `IDX_29940c3d265a525cf455bc8c0c` ON `scan_job` (`queuedAt`, `id`)");
    await db.query("CREATE INDEX `IDX_ace487890b8381439a89ee2aaf` ON `scan_job` (`registryId`, `queuedAt`, `id`)");
  }

  async down(db: QueryRunner): Promise<void> {
    // The foreign key needs an index on registryId: its own comes back in the same statement.
    await db.query("ALTER TABLE `scan_job` ADD INDEX `FK_2854a33a4d00499ba790ecb4db9` (`registryId`), DROP INDEX `IDX_ace487890b8381439a89ee2aaf`");
    await db.query("DROP INDEX `IDX_29940c3d265a525cf455bc8c0c` ON `scan_job`");
    await db.query("CREATE INDEX `IDX_b79955aff2452f3e20a4e227dd` ON `finding` (`artifactDigest`, `severityRank`)");
    await db.query("DROP INDEX `IDX_503357673a048445c8d6680c7e` ON `finding`");
    await db.query("DROP INDEX `IDX_a81795a7e770c895756e0ac0d4` ON `image`");
  }
}
