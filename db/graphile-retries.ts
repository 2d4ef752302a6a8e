import { RETRYABLE_ERROR_CODES } from "graphile-worker/dist/lib";

/**
 * graphile-worker 0.17.3 retries completing or failing a job (`withRetries`:
 * up to 100 tries, with backoff) only for a few error codes: serialization
 * failures, deadlocks, 57P03 (starting up), EHOSTUNREACH and ETIMEDOUT. On any
 * other error — ECONNREFUSED or 57P01 while PostgreSQL restarts — the worker
 * slot gives up on the job ("committing seppuku"), the whole worker pool shuts
 * down, and the process lives on without taking jobs (graphile/worker#501,
 * #635). These codes mean "PostgreSQL is restarting or unreachable", which a
 * retry outlives; graphile-worker reads this table at each failure.
 */
const RESTARTING = { minDelay: 500, maxDelay: 10_000 };
const CODES = ["ECONNREFUSED", "ECONNRESET", "EPIPE", "57P01", "57P02", "08000", "08001", "08003", "08006"];

export function retryGraphileThroughRestarts(): void {
  for (const code of CODES) RETRYABLE_ERROR_CODES[code] ??= RESTARTING;
}
