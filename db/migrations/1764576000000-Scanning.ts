import type { MigrationInterface, QueryRunner } from "typeorm";

/** Scanning: attempts, worker heartbeats, artifacts with their packages, the layer cache. SQL common to MySQL 8 and MariaDB 10.11. */
export class Scanning1764576000000 implements MigrationInterface {
  name = "Scanning1764576000000";

  async up(db: QueryRunner): Promise<void> {
    const table = "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci";
    await db.query(
      `CREATE TABLE \`scan_attempt\` (
        \`id\` char(36) NOT NULL,
        \`scanJobId\` char(36) NOT NULL,
        \`number\` int NOT NULL,
        \`workerId\` char(36) NOT NULL,
        \`startedAt\` datetime(3) NOT NULL,
        \`finishedAt\` datetime(3) NULL,
        \`outcome\` enum ('RUNNING', 'SUCCEEDED', 'FAILED', 'ERROR', 'TIMED_OUT', 'WORKER_LOST', 'CANCELLED') NOT NULL DEFAULT 'RUNNING',
        \`code\` varchar(64) NULL,
        \`message\` varchar(2000) NULL,
        INDEX \`IDX_6ffe3b4c906b897bc145ccbd4e\` (\`outcome\`, \`workerId\`),
        UNIQUE INDEX \`IDX_e4c0bf967b0229626232c1752a\` (\`scanJobId\`, \`number\`),
        PRIMARY KEY (\`id\`),
        CONSTRAINT \`FK_adc47c2b0eb4b8c1284a0ca95d3\` FOREIGN KEY (\`scanJobId\`) REFERENCES \`scan_job\` (\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION
      ) ${table}`,
    );
    await db.query(
      `CREATE TABLE \`worker_instance\` (
        \`id\` char(36) NOT NULL,
        \`host\` varchar(255) NOT NULL,
        \`pid\` int NOT NULL,
        \`graphileWorkerIds\` json NOT NULL,
        \`startedAt\` datetime(3) NOT NULL,
        \`lastBeatAt\` datetime(3) NOT NULL,
        INDEX \`IDX_b8f6e5708d15d16fcb898c806d\` (\`lastBeatAt\`),
        PRIMARY KEY (\`id\`)
      ) ${table}`,
    );
    await db.query(
      `CREATE TABLE \`artifact\` (
        \`digest\` varchar(100) NOT NULL,
        \`analyzersKey\` varchar(255) NOT NULL,
        \`os\` json NULL,
        \`packageCount\` int NOT NULL,
        \`layerCount\` int NOT NULL,
        \`scannedAt\` datetime(3) NOT NULL,
        PRIMARY KEY (\`digest\`)
      ) ${table}`,
    );
    await db.query(
      `CREATE TABLE \`artifact_package\` (
        \`id\` bigint NOT NULL AUTO_INCREMENT,
        \`artifactDigest\` varchar(100) NOT NULL,
        \`type\` enum ('apk', 'deb', 'rpm', 'npm', 'pypi', 'golang', 'maven') NOT NULL,
        \`name\` varchar(255) COLLATE utf8mb4_bin NOT NULL,
        \`version\` varchar(255) COLLATE utf8mb4_bin NOT NULL,
        \`purl\` varchar(1024) NOT NULL,
        \`path\` varchar(1024) NOT NULL,
        \`layerDigest\` varchar(100) NOT NULL,
        \`sourceName\` varchar(255) NULL,
        \`sourceVersion\` varchar(255) NULL,
        \`arch\` varchar(64) NULL,
        \`installed\` tinyint NOT NULL,
        INDEX \`IDX_eb2cd619b1633416cea74500fb\` (\`artifactDigest\`, \`type\`, \`name\`),
        PRIMARY KEY (\`id\`),
        CONSTRAINT \`FK_cdef025a53c5cd74fe7b1d86287\` FOREIGN KEY (\`artifactDigest\`) REFERENCES \`artifact\` (\`digest\`) ON DELETE CASCADE ON UPDATE NO ACTION
      ) ${table}`,
    );
    // images() pages newest first.
    await db.query("CREATE INDEX `IDX_ae3c5d15013f7f70043705a4c4` ON `image` (`firstSeenAt`, `id`)");
    await db.query(
      `CREATE TABLE \`layer_analysis\` (
        \`layerDigest\` varchar(100) NOT NULL,
        \`analyzersKey\` varchar(255) NOT NULL,
        \`result\` longtext NOT NULL,
        \`analyzedAt\` datetime(3) NOT NULL,
        PRIMARY KEY (\`layerDigest\`, \`analyzersKey\`)
      ) ${table}`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query("DROP INDEX `IDX_ae3c5d15013f7f70043705a4c4` ON `image`");
    for (const table of ["layer_analysis", "artifact_package", "artifact", "worker_instance", "scan_attempt"]) {
      await db.query(`DROP TABLE \`${table}\``);
    }
  }
}
