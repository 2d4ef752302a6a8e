import mysql from "mysql2/promise";
import type { DataSource, EntityManager } from "typeorm";
import { StartupError } from "../lib/errors";
import { maskUrl } from "../lib/mask";
import { createDataSource, type MysqlFlavor } from "./data-source";

const MIGRATION_LOCK = "drydock.migrate";
const LOCK_WAIT_SECONDS = 120;

function databaseNameOf(url: URL): string {
  const name = decodeURIComponent(url.pathname.replace(/^\//, ""));
  if (!/^[A-Za-z0-9_]{1,64}$/.test(name)) {
    throw new StartupError(`MYSQL_URL ${maskUrl(url.toString())} must name a database (letters, digits, _)`);
  }
  return name;
}

export function describeConnectionFailure(what: string, url: string, variable: string, error: unknown): StartupError {
  const e = error as { code?: string; message?: string };
  const reason = e.code === "ECONNREFUSED" ? "connection refused" : (e.code ?? e.message ?? String(error));
  return new StartupError(
    `cannot connect to ${what} at ${maskUrl(url)} (${reason}): start ${what} there, or set ${variable} to a running server`,
  );
}

/** Connects to the server, creates the database when missing, and says which flavour it is. */
async function prepareDatabase(rawUrl: string): Promise<MysqlFlavor> {
  const url = new URL(rawUrl);
  const name = databaseNameOf(url);
  const serverUrl = new URL(url);
  serverUrl.pathname = "/";
  let connection: mysql.Connection;
  try {
    connection = await mysql.createConnection({ uri: serverUrl.toString(), connectTimeout: 5000 });
  } catch (error) {
    throw describeConnectionFailure("MySQL or MariaDB", rawUrl, "MYSQL_URL", error);
  }
  try {
    const [rows] = await connection.query<mysql.RowDataPacket[]>("SELECT VERSION() AS version");
    await connection.query(`CREATE DATABASE IF NOT EXISTS \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    return String(rows[0].version).includes("MariaDB") ? "mariadb" : "mysql";
  } finally {
    await connection.end();
  }
}

const UTC = "SET time_zone = '+00:00'";

/**
 * DATETIME columns hold UTC and the driver reads them as UTC, so the database
 * defaults (CURRENT_TIMESTAMP) must be UTC too, whatever the server's zone.
 * The pool holds one idle connection after initialisation: the first query
 * pins that one, and the listener pins every later one.
 */
async function pinSessionsToUtc(db: DataSource): Promise<void> {
  const pool = (db.driver as unknown as { pool: { on(event: "connection", fn: (c: { query(sql: string): void }) => void): void } }).pool;
  pool.on("connection", (connection) => connection.query(UTC));
  await db.query(UTC);
}

/** An initialised data source on an existing (possibly empty) database. */
export async function openMysql(url: string, poolSize = 10): Promise<DataSource> {
  const flavor = await prepareDatabase(url);
  const db = createDataSource(url, flavor, poolSize);
  try {
    await db.initialize();
  } catch (error) {
    throw describeConnectionFailure("MySQL or MariaDB", url, "MYSQL_URL", error);
  }
  await pinSessionsToUtc(db);
  return db;
}

/**
 * Runs pending migrations and then `afterMigrations` while holding a MySQL
 * named lock, so that many processes starting at once migrate exactly once.
 */
export async function migrateMysql<T>(db: DataSource, afterMigrations: (tx: EntityManager) => Promise<T>): Promise<T> {
  const runner = db.createQueryRunner();
  await runner.connect();
  try {
    const [{ locked }] = await runner.query("SELECT GET_LOCK(?, ?) AS locked", [MIGRATION_LOCK, LOCK_WAIT_SECONDS]);
    if (Number(locked) !== 1) {
      throw new StartupError(`another process held the migration lock for ${LOCK_WAIT_SECONDS}s; is one stuck?`);
    }
    try {
      await db.runMigrations({ transaction: "each" });
      return await db.transaction(afterMigrations);
    } finally {
      await runner.query("SELECT RELEASE_LOCK(?)", [MIGRATION_LOCK]);
    }
  } finally {
    await runner.release();
  }
}

/** Resolves once every migration this build knows has been applied (by a server). */
export async function waitForSchema(db: DataSource, pollMs = 1000): Promise<void> {
  while (await db.showMigrations()) {
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
