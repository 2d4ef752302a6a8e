import type { MigrationInterface, QueryRunner } from "typeorm";

/** Push webhooks: each registry's webhook token and optional Nexus signing key, both sealed like `secretCiphertext`. SQL common to MySQL 8 and MariaDB 10.11. */
export class Webhooks1764835200000 implements MigrationInterface {
  name = "Webhooks1764835200000";

  async up(db: QueryRunner): Promise<void> {
    await db.query("ALTER TABLE `registry` ADD `webhookSecretCiphertext` text NULL, ADD `webhookSigningKeyCiphertext` text NULL");
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query("ALTER TABLE `registry` DROP COLUMN `webhookSigningKeyCiphertext`, DROP COLUMN `webhookSecretCiphertext`");
  }
}
