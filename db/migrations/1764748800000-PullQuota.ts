import type { MigrationInterface, QueryRunner } from "typeorm";

/** Pull quotas (Docker Hub): the latest reading per registry, and the pause on scan jobs, their attempts and sync runs. SQL common to MySQL 8 and MariaDB 10.11. */
export class PullQuota1764748800000 implements MigrationInterface {
  name = "PullQuota1764748800000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `CREATE TABLE \`registry_pull_quota\` (
        \`registryId\` char(36) NOT NULL,
        \`quota\` int NOT NULL,
        \`remaining\` int NOT NULL,
        \`windowSeconds\` int NOT NULL,
        \`observedAt\` datetime(3) NOT NULL,
        PRIMARY KEY (\`registryId\`),
        CONSTRAINT \`FK_ff618260951f70bf4c96b71a4a7\` FOREIGN KEY (\`registryId\`) REFERENCES \`registry\` (\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`,
    );
    await db.query("ALTER TABLE `scan_job` ADD `pausedUntil` datetime(3) NULL, ADD `pauseReason` varchar(500) NULL");
    await db.query("ALTER TABLE `sync_run` ADD `pullsPausedUntil` datetime(3) NULL, ADD `pullsPauseReason` varchar(500) NULL");
    await db.query(
      "ALTER TABLE `scan_attempt` MODIFY `outcome` enum ('RUNNING', 'SUCCEEDED', 'FAILED', 'ERROR', 'TIMED_OUT', 'WORKER_LOST', 'CANCELLED', 'PAUSED') NOT NULL DEFAULT 'RUNNING'",
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query("DELETE FROM `scan_attempt` WHERE `outcome` = 'PAUSED'");
    await db.query(
      "ALTER TABLE `scan_attempt` MODIFY `outcome` enum ('RUNNING', 'SUCCEEDED', 'FAILED', 'ERROR', 'TIMED_OUT', 'WORKER_LOST', 'CANCELLED') NOT NULL DEFAULT 'RUNNING'",
    );
    await db.query("ALTER TABLE `sync_run` DROP COLUMN `pullsPauseReason`, DROP COLUMN `pullsPausedUntil`");
    await db.query("ALTER TABLE `scan_job` DROP COLUMN `pauseReason`, DROP COLUMN `pausedUntil`");
    await db.query("DROP TABLE `registry_pull_quota`");
  }
}
