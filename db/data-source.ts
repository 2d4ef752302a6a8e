import { DataSource } from "typeorm";
import { ENTITIES } from "./entities";
import { MIGRATIONS } from "./migrations";
import { observingLogger } from "./query-observer";

export type MysqlFlavor = "mysql" | "mariadb";

/** The TypeORM data source for MySQL 8 or MariaDB 10.11 (same schema, same SQL). */
export function createDataSource(url: string, flavor: MysqlFlavor, poolSize = 10): DataSource {
  return new DataSource({
    type: flavor,
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: "migrations",
    migrationsTransactionMode: "each",
    timezone: "Z",
    charset: "utf8mb4_unicode_ci",
    poolSize,
    logging: false,
    logger: observingLogger,
    // mysql2's trace captures a stack for every statement (a tenth of a millisecond each) to decorate errors that TypeORM rethrows anyway.
    extra: { trace: false },
  });
}
