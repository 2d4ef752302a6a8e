import { Client, Pool } from "pg";
import { Logger as GraphileLogger, runMigrations } from "graphile-worker";
import { StartupError } from "../lib/errors";
import type { Logger } from "../lib/logger";
import { describeConnectionFailure } from "./mysql";

const MIGRATION_LOCK = "drydock.graphile-migrate";
const DUPLICATE_DATABASE = "42P04";
const UNIQUE_VIOLATION = "23505";

/** Creates the queue database when missing; concurrent starts may race, and that is fine. */
async function ensureDatabase(rawUrl: string): Promise<void> {
  const url = new URL(rawUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ""));
  if (!/^[A-Za-z0-9_]{1,63}$/.test(name)) throw new StartupError("DATABASE_URL must name a database (letters, digits, _)");
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const client = new Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (error) {
    throw describeConnectionFailure("PostgreSQL", rawUrl, "DATABASE_URL", error);
  }
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${name}"`);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code !== DUPLICATE_DATABASE && code !== UNIQUE_VIOLATION) throw error;
  } finally {
    await client.end();
  }
}

/**
 * How long a new PostgreSQL connection may take. pg waits forever by default:
 * a database host that stops answering (rather than refusing) would hang every
 * query that needs a connection, instead of failing as DATABASE_UNAVAILABLE.
 */
export const PG_CONNECT_TIMEOUT_MS = 10_000;

export function createPgPool(url: string, logger: Logger, max = 10, connectTimeoutMs = PG_CONNECT_TIMEOUT_MS): Pool {
  const pool = new Pool({ connectionString: url, max, connectionTimeoutMillis: connectTimeoutMs });
  // Without these, an idle client's network error would crash the process.
  pool.on("error", (error) => logger.warn({ err: error.message }, "PostgreSQL pool error"));
  pool.on("connect", (client) => client.on("error", (error) => logger.warn({ err: error.message }, "PostgreSQL client error")));
  return pool;
}

/** Creates the database if needed and installs graphile-worker's schema. */
export async function preparePostgres(url: string, logger: Logger): Promise<Pool> {
  await ensureDatabase(url);
  const pool = createPgPool(url, logger);
  try {
    const lock = await pool.connect();
    try {
      // graphile-worker's own installer tolerates some races but not all; one at a time.
      await lock.query("SELECT pg_advisory_lock(hashtext($1))", [MIGRATION_LOCK]);
      await runMigrations({ pgPool: pool, logger: graphileLogger(logger) });
    } finally {
      await lock.query("SELECT pg_advisory_unlock(hashtext($1))", [MIGRATION_LOCK]).catch(() => undefined);
      lock.release();
    }
  } catch (error) {
    await pool.end();
    if (error instanceof StartupError) throw error;
    throw describeConnectionFailure("PostgreSQL", url, "DATABASE_URL", error);
  }
  return pool;
}

/** graphile-worker logs through ours, so its lines are JSON like the rest. */
export function graphileLogger(logger: Logger): GraphileLogger {
  return new GraphileLogger((scope) => (level, message, meta) => {
    const method = level === "error" ? "error" : level === "warning" ? "warn" : level === "info" ? "info" : "debug";
    logger[method]({ graphile: scope, ...meta }, message);
  });
}
