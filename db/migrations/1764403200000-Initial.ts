import type { MigrationInterface, QueryRunner } from "typeorm";

/** Registries, their pull policies, API tokens and installation state. SQL common to MySQL 8 and MariaDB 10.11. */
export class Initial1764403200000 implements MigrationInterface {
  name = "Initial1764403200000";

  async up(db: QueryRunner): Promise<void> {
    const table = "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci";
    await db.query(
      `CREATE TABLE \`registry\` (
        \`id\` char(36) NOT NULL,
        \`name\` varchar(100) NOT NULL,
        \`nameKey\` varchar(100) COLLATE utf8mb4_bin NOT NULL,
        \`description\` varchar(1000) NULL,
        \`type\` enum ('DOCKER_REGISTRY', 'HARBOR', 'GITLAB', 'ARTIFACTORY', 'NEXUS', 'DOCKER_HUB', 'YANDEX') NOT NULL,
        \`url\` varchar(2048) NOT NULL,
        \`apiUrl\` varchar(2048) NULL,
        \`repositoryPathMethod\` enum ('REPOSITORY_PATH', 'SUBDOMAIN', 'PORT') NULL,
        \`repositoryKey\` varchar(255) NULL,
        \`insecure\` tinyint NOT NULL DEFAULT 0,
        \`caCertificate\` text NULL,
        \`authMethod\` enum ('ACCOUNT', 'API_KEY', 'NONE') NOT NULL,
        \`username\` varchar(255) NULL,
        \`secretCiphertext\` text NULL,
        \`scanTimeoutMinutes\` int NOT NULL DEFAULT '60',
        \`createdAt\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        \`updatedAt\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
        UNIQUE INDEX \`IDX_770d9cbeb52d17bd323b9b1ede\` (\`nameKey\`),
        PRIMARY KEY (\`id\`)
      ) ${table}`,
    );
    await db.query(
      `CREATE TABLE \`pull_policy\` (
        \`registryId\` char(36) NOT NULL,
        \`mode\` enum ('MANUAL', 'AUTOMATIC') NOT NULL DEFAULT 'MANUAL',
        \`schedule\` varchar(255) NULL,
        \`timezone\` varchar(64) NOT NULL,
        \`rescan\` tinyint NOT NULL DEFAULT 0,
        \`criteriaEnabled\` tinyint NOT NULL DEFAULT 0,
        \`criteria\` json NOT NULL,
        \`condition\` enum ('NONE', 'CREATED_WITHIN', 'LATEST') NOT NULL DEFAULT 'CREATED_WITHIN',
        \`createdWithinAmount\` int NOT NULL DEFAULT '60',
        \`createdWithinUnit\` enum ('DAYS', 'MONTHS', 'YEARS') NOT NULL DEFAULT 'DAYS',
        \`latestTags\` int NULL,
        \`neverPull\` json NOT NULL,
        \`alwaysPull\` json NOT NULL,
        \`platforms\` json NOT NULL,
        \`nextRunAt\` datetime(3) NULL,
        \`updatedAt\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
        INDEX \`IDX_5eb0fa9ad3ec7ad2f5147e620e\` (\`nextRunAt\`),
        PRIMARY KEY (\`registryId\`),
        CONSTRAINT \`FK_86a69eb1073b49ccb9017d11bc1\` FOREIGN KEY (\`registryId\`) REFERENCES \`registry\` (\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION
      ) ${table}`,
    );
    await db.query(
      `CREATE TABLE \`api_token\` (
        \`id\` char(36) NOT NULL,
        \`name\` varchar(100) NOT NULL,
        \`role\` enum ('ADMIN', 'OPERATOR', 'VIEWER') NOT NULL,
        \`tokenHash\` char(64) NOT NULL,
        \`createdAt\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        \`lastUsedAt\` datetime(3) NULL,
        UNIQUE INDEX \`IDX_b8d5076cd3f3572829943b3f8a\` (\`tokenHash\`),
        PRIMARY KEY (\`id\`)
      ) ${table}`,
    );
    await db.query(
      `CREATE TABLE \`system_state\` (
        \`key\` varchar(64) NOT NULL,
        \`value\` varchar(255) NOT NULL,
        PRIMARY KEY (\`key\`)
      ) ${table}`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of ["system_state", "api_token", "pull_policy", "registry"]) {
      await db.query(`DROP TABLE \`${table}\``);
    }
  }
}
