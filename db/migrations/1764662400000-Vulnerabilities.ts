import type { MigrationInterface, QueryRunner } from "typeorm";

/** Vulnerabilities: OSV records and their affected-package index, findings, import runs. SQL common to MySQL 8 and MariaDB 10.11. */
export class Vulnerabilities1764662400000 implements MigrationInterface {
  name = "Vulnerabilities1764662400000";

  async up(db: QueryRunner): Promise<void> {
    const table = "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci";
    await db.query(
      `CREATE TABLE \`vuln_record\` (
        \`id\` varchar(128) COLLATE utf8mb4_bin NOT NULL,
        \`modified\` datetime(3) NOT NULL,
        \`json\` longtext NOT NULL,
        \`version\` int NOT NULL,
        PRIMARY KEY (\`id\`)
      ) ${table}`,
    );
    await db.query(
      `CREATE TABLE \`vuln_affected\` (
        \`id\` bigint NOT NULL AUTO_INCREMENT,
        \`recordId\` varchar(128) COLLATE utf8mb4_bin NOT NULL,
        \`ecosystem\` varchar(100) COLLATE utf8mb4_bin NOT NULL,
        \`packageName\` varchar(255) COLLATE utf8mb4_bin NOT NULL,
        INDEX \`IDX_6bf584daba3ea3bdf24d89e9a0\` (\`ecosystem\`, \`packageName\`),
        PRIMARY KEY (\`id\`),
        CONSTRAINT \`FK_914083ffce1044696d96975fa26\` FOREIGN KEY (\`recordId\`) REFERENCES \`vuln_record\` (\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION
      ) ${table}`,
    );
    await db.query(
      `CREATE TABLE \`finding\` (
        \`id\` bigint NOT NULL AUTO_INCREMENT,
        \`artifactDigest\` varchar(100) NOT NULL,
        \`advisoryId\` varchar(128) NOT NULL,
        \`aliases\` json NOT NULL,
        \`packageType\` varchar(16) NOT NULL,
        \`packageName\` varchar(255) COLLATE utf8mb4_bin NOT NULL,
        \`sourceName\` varchar(255) NULL,
        \`installedVersion\` varchar(255) COLLATE utf8mb4_bin NOT NULL,
        \`fixedVersion\` varchar(255) NULL,
        \`severity\` enum ('CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN') NOT NULL,
        \`severityRank\` tinyint NOT NULL,
        \`cvssScore\` decimal(3,1) NULL,
        \`summary\` varchar(1000) NULL,
        INDEX \`IDX_b79955aff2452f3e20a4e227dd\` (\`artifactDigest\`, \`severityRank\`),
        PRIMARY KEY (\`id\`),
        CONSTRAINT \`FK_767a826e5198f9f891ba0f7456f\` FOREIGN KEY (\`artifactDigest\`) REFERENCES \`artifact\` (\`digest\`) ON DELETE CASCADE ON UPDATE NO ACTION
      ) ${table}`,
    );
    await db.query(
      `CREATE TABLE \`import_run\` (
        \`id\` char(36) NOT NULL,
        \`status\` enum ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED') NOT NULL DEFAULT 'QUEUED',
        \`source\` varchar(2048) NOT NULL,
        \`queuedAt\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        \`startedAt\` datetime(3) NULL,
        \`finishedAt\` datetime(3) NULL,
        \`imported\` int NOT NULL DEFAULT '0',
        \`withdrawn\` int NOT NULL DEFAULT '0',
        \`unchanged\` int NOT NULL DEFAULT '0',
        \`malformed\` json NOT NULL,
        \`version\` int NULL,
        \`error\` varchar(2000) NULL,
        INDEX \`IDX_b7f8dea65b1a9fb672999ec815\` (\`queuedAt\`),
        PRIMARY KEY (\`id\`)
      ) ${table}`,
    );
    await db.query(
      `CREATE TABLE \`import_run_change\` (
        \`importRunId\` char(36) NOT NULL,
        \`artifactDigest\` varchar(100) NOT NULL,
        PRIMARY KEY (\`importRunId\`, \`artifactDigest\`),
        CONSTRAINT \`FK_5269c318b05f81da5d70e6a2951\` FOREIGN KEY (\`importRunId\`) REFERENCES \`import_run\` (\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION
      ) ${table}`,
    );
    await db.query("ALTER TABLE `artifact` ADD `matchedVersion` int NULL, ADD `matchNotes` json NULL");
    await db.query("ALTER TABLE `scan_job` ADD `databaseVersion` int NULL");
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query("ALTER TABLE `scan_job` DROP COLUMN `databaseVersion`");
    await db.query("ALTER TABLE `artifact` DROP COLUMN `matchedVersion`, DROP COLUMN `matchNotes`");
    for (const table of ["import_run_change", "import_run", "finding", "vuln_affected", "vuln_record"]) {
      await db.query(`DROP TABLE \`${table}\``);
    }
  }
}
