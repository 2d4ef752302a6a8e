import type { MigrationInterface, QueryRunner } from "typeorm";

/** Discovery: the stored listing, images, scan jobs and sync runs. SQL common to MySQL 8 and MariaDB 10.11. */
export class Discovery1764489600000 implements MigrationInterface {
  name = "Discovery1764489600000";

  async up(db: QueryRunner): Promise<void> {
    const table = "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci";
    await db.query(
      `CREATE TABLE \`registry_tag\` (
        \`id\` bigint NOT NULL AUTO_INCREMENT,
        \`registryId\` char(36) NOT NULL,
        \`repository\` varchar(255) COLLATE utf8mb4_bin NOT NULL,
        \`tag\` varchar(128) COLLATE utf8mb4_bin NOT NULL,
        \`digest\` varchar(100) NULL,
        \`createdAt\` datetime(3) NULL,
        \`pushedAt\` datetime(3) NULL,
        \`listedAt\` datetime(3) NOT NULL,
        UNIQUE INDEX \`IDX_2639fc42ab7dc4d9fefc9da71a\` (\`registryId\`, \`repository\`, \`tag\`),
        PRIMARY KEY (\`id\`),
        CONSTRAINT \`FK_29ed5e3976833b6570d0cbced2f\` FOREIGN KEY (\`registryId\`) REFERENCES \`registry\` (\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION
      ) ${table}`,
    );
    await db.query(
      `CREATE TABLE \`image\` (
        \`id\` char(36) NOT NULL,
        \`registryId\` char(36) NOT NULL,
        \`repository\` varchar(255) COLLATE utf8mb4_bin NOT NULL,
        \`tag\` varchar(128) COLLATE utf8mb4_bin NULL,
        \`platform\` varchar(64) NOT NULL,
        \`digest\` varchar(100) NOT NULL,
        \`tagDigest\` varchar(100) NOT NULL,
        \`createdAt\` datetime(3) NULL,
        \`pushedAt\` datetime(3) NULL,
        \`addedBy\` enum ('MANUAL', 'POLICY', 'WEBHOOK') NOT NULL,
        \`removed\` tinyint NOT NULL DEFAULT 0,
        \`current\` tinyint NOT NULL DEFAULT 1,
        \`firstSeenAt\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        \`lastSeenAt\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        INDEX \`IDX_9b5ee6e1a7010e991337d11f68\` (\`digest\`),
        UNIQUE INDEX \`IDX_7dbb436e7f4f06b399e40575dc\` (\`registryId\`, \`repository\`, \`tag\`, \`platform\`, \`digest\`),
        PRIMARY KEY (\`id\`),
        CONSTRAINT \`FK_457b01ea42a192be2d26e1aedc1\` FOREIGN KEY (\`registryId\`) REFERENCES \`registry\` (\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION
      ) ${table}`,
    );
    await db.query(
      `CREATE TABLE \`scan_job\` (
        \`id\` char(36) NOT NULL,
        \`registryId\` char(36) NOT NULL,
        \`imageId\` char(36) NOT NULL,
        \`status\` enum ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED') NOT NULL DEFAULT 'QUEUED',
        \`attemptCount\` int NOT NULL DEFAULT '0',
        \`attemptToken\` char(36) NULL,
        \`queuedAt\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        \`startedAt\` datetime(3) NULL,
        \`finishedAt\` datetime(3) NULL,
        \`errorCode\` varchar(64) NULL,
        \`errorMessage\` varchar(2000) NULL,
        INDEX \`IDX_c8d5c1fcb6b22601c8724ab388\` (\`status\`, \`queuedAt\`),
        INDEX \`IDX_fd783d9fe1e853e65153571e8d\` (\`imageId\`, \`status\`),
        PRIMARY KEY (\`id\`),
        CONSTRAINT \`FK_2854a33a4d00499ba790ecb4db9\` FOREIGN KEY (\`registryId\`) REFERENCES \`registry\` (\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION,
        CONSTRAINT \`FK_a730b9bc2e84f886895200e62dc\` FOREIGN KEY (\`imageId\`) REFERENCES \`image\` (\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION
      ) ${table}`,
    );
    await db.query(
      `CREATE TABLE \`sync_run\` (
        \`id\` char(36) NOT NULL,
        \`registryId\` char(36) NOT NULL,
        \`trigger\` enum ('SCHEDULE', 'MANUAL', 'WEBHOOK') NOT NULL,
        \`status\` enum ('RUNNING', 'SUCCEEDED', 'PARTIAL', 'FAILED', 'CANCELLED') NOT NULL DEFAULT 'RUNNING',
        \`startedAt\` datetime(3) NOT NULL,
        \`finishedAt\` datetime(3) NULL,
        \`repositories\` int NOT NULL DEFAULT '0',
        \`tagsSeen\` int NOT NULL DEFAULT '0',
        \`selected\` int NOT NULL DEFAULT '0',
        \`queued\` int NOT NULL DEFAULT '0',
        \`skipped\` json NOT NULL,
        \`errors\` json NOT NULL,
        INDEX \`IDX_bba791c74044b25a3e2640d64e\` (\`registryId\`, \`startedAt\`),
        PRIMARY KEY (\`id\`),
        CONSTRAINT \`FK_641d58d7c697ba661e36cf52e0e\` FOREIGN KEY (\`registryId\`) REFERENCES \`registry\` (\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION
      ) ${table}`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of ["sync_run", "scan_job", "image", "registry_tag"]) {
      await db.query(`DROP TABLE \`${table}\``);
    }
  }
}
