import { setTimeout as delay } from "node:timers/promises";

/**
 * Errors that say a database cannot be reached right now (stopped, restarting,
 * connection dropped), as opposed to errors in what was asked of it. Both
 * drivers' shapes: mysql2 (also wrapped by TypeORM's QueryFailedError, which
 * copies the driver error's fields and keeps it as `driverError`) and pg.
 */

/** Socket-level codes, shared by both drivers. */
const NETWORK = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN"]);

/** mysql2 and MariaDB/MySQL server codes for a lost or refused connection. */
const MYSQL = new Set([
  "PROTOCOL_CONNECTION_LOST",
  "PROTOCOL_SEQUENCE_TIMEOUT",
  "ER_SERVER_SHUTDOWN", // 1053
  "ER_CONNECTION_KILLED", // MariaDB 1927
  "ER_SERVER_GONE_ERROR", // 2006
  "ER_SERVER_LOST", // 2013
  "CR_SERVER_GONE_ERROR",
  "CR_SERVER_LOST",
]);

/**
 * PostgreSQL SQLSTATEs: class 08 (connection exception) and 57P01–57P03
 * (admin_shutdown, crash_shutdown, cannot_connect_now).
 */
const POSTGRES = /^(08...|57P0[123])$/;

/** Driver errors without a code (pg's pool and client, mysql2 on a closed connection). */
const MESSAGES = /Connection terminated|not queryable|timeout exceeded when trying to connect|connection is in closed state|Pool is closed/i;

export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e = error as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown } | null, depth = 0; e && depth < 4; depth++) {
    const code = typeof e.code === "string" ? e.code : "";
    if (NETWORK.has(code) || MYSQL.has(code) || POSTGRES.test(code)) return true;
    if (typeof e.message === "string" && MESSAGES.test(e.message)) return true;
    e = (e.driverError ?? e.cause ?? null) as typeof e;
  }
  return false;
}

const FIRST_WAIT_MS = 250;
const LONGEST_WAIT_MS = 5000;

/**
 * Runs `work` again and again while it fails for want of a database, waiting
 * 250 ms doubling up to 5 s between tries, until it succeeds or fails
 * otherwise, or `signal` aborts (the process is stopping). For writes that
 * must not be dropped during a database restart, such as ending a scan
 * attempt; `work` must be safe to repeat (a retried transaction may have
 * committed before its connection was lost).
 */
export async function untilDatabaseAnswers<T>(work: () => Promise<T>, signal: AbortSignal, onOutage: (error: unknown) => void): Promise<T> {
  for (let wait = FIRST_WAIT_MS, reported = false; ; wait = Math.min(wait * 2, LONGEST_WAIT_MS)) {
    try {
      return await work();
    } catch (error) {
      if (!isDatabaseUnavailable(error) || signal.aborted) throw error;
      if (!reported) onOutage(error);
      reported = true;
      // An abort ends the wait; the next failure then throws.
      await delay(wait, undefined, { signal }).catch(() => undefined);
    }
  }
}
