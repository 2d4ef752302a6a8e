import { randomBytes } from "node:crypto";
import mysql from "mysql2/promise";
import { Client } from "pg";
import { serverUrls, withDatabase } from "./services";

export interface TestDatabases {
  mysqlUrl: string;
  databaseUrl: string;
  /** Drops both databases. */
  drop(): Promise<void>;
}

/** Fresh, empty database names of this test file's own; start-up creates them. */
export function newDatabaseUrls(): { mysqlUrl: string; databaseUrl: string; name: string } {
  const name = `dd_test_${randomBytes(5).toString("hex")}`;
  const urls = serverUrls();
  return { mysqlUrl: withDatabase(urls.mysql, name), databaseUrl: withDatabase(urls.postgres, name), name };
}

export async function dropDatabases(name: string): Promise<void> {
  const urls = serverUrls();
  const my = await mysql.createConnection(withDatabase(urls.mysql, ""));
  await my.query(`DROP DATABASE IF EXISTS \`${name}\``);
  await my.end();
  const pg = new Client({ connectionString: withDatabase(urls.postgres, "postgres") });
  await pg.connect();
  await pg.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await pg.end();
}

export function testDatabases(): TestDatabases {
  const { mysqlUrl, databaseUrl, name } = newDatabaseUrls();
  return { mysqlUrl, databaseUrl, drop: () => dropDatabases(name) };
}
