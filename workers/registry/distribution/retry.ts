/**
 * Retries with exponential backoff and jitter. What is retried is decided by
 * the error: a RegistryError with `retryable` (429, 5xx, resets, timeouts,
 * refused connections). A `retryAfterMs` on the error (from `Retry-After`) is
 * waited instead of the backoff; one longer than `maxRetryAfterMs` is not
 * waited at all: the error goes to the caller at once, carrying it.
 */
import { setTimeout as delay } from "node:timers/promises";
import { RegistryError, type RegistryErrorCode } from "../errors";

export interface RetryOptions {
  /** Attempts in all, the first included (1 = no retry). */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** The longest `Retry-After` honoured by waiting; default 60 s. */
  maxRetryAfterMs?: number;
  /** For tests: the jitter source, default Math.random. */
  random?: () => number;
}

export const DEFAULT_RETRY: Required<Omit<RetryOptions, "random">> = {
  attempts: 4,
  baseDelayMs: 250,
  maxDelayMs: 8000,
  maxRetryAfterMs: 60_000,
};

export interface RetryEvent {
  /** The attempt that failed (1-based). */
  attempt: number;
  delayMs: number;
  code: RegistryErrorCode;
  status?: number;
  /** Whether the delay came from the registry's Retry-After. */
  retryAfter: boolean;
}

/** `Retry-After` as milliseconds from `now`: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | string[] | undefined, now: number): number | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  if (!/[a-z]/i.test(value)) return undefined; // e.g. "-1", "1.5": not an HTTP date either
  const time = Date.parse(value);
  return Number.isFinite(time) ? Math.max(0, time - now) : undefined;
}

/** Backoff before retry number `retry` (1-based): between half and all of min(max, base·2^(retry-1)). */
export function backoffDelay(retry: number, options: RetryOptions): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (retry - 1));
  const random = options.random ?? Math.random;
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export async function withRetry<T>(
  operation: (attempt: number) => Promise<T>,
  options: RetryOptions,
  hooks: { signal?: AbortSignal; onRetry?: (event: RetryEvent) => void } = {},
): Promise<T> {
  const maxRetryAfterMs = options.maxRetryAfterMs ?? DEFAULT_RETRY.maxRetryAfterMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (!(error instanceof RegistryError) || !error.retryable || hooks.signal?.aborted) throw error;
      const asked = error.retryAfterMs;
      if (attempt >= Math.max(1, options.attempts) || (asked !== undefined && asked > maxRetryAfterMs)) throw exhausted(error, attempt, options);
      const delayMs = asked ?? backoffDelay(attempt, options);
      hooks.onRetry?.({ attempt, delayMs, code: error.code, status: error.status, retryAfter: asked !== undefined });
      await delay(delayMs, undefined, { signal: hooks.signal });
    }
  }
}

/** The last error, saying how many attempts were made; RATE_LIMITED always carries a retryAfterMs. */
function exhausted(error: RegistryError, attempts: number, options: RetryOptions): RegistryError {
  const retryAfterMs = error.retryAfterMs ?? (error.code === "RATE_LIMITED" ? backoffDelay(attempts, options) : undefined);
  if (attempts === 1 && retryAfterMs === error.retryAfterMs) return error;
  return new RegistryError(error.code, attempts > 1 ? `${error.message} (after ${attempts} attempts)` : error.message, {
    retryable: error.retryable,
    status: error.status,
    retryAfterMs,
    cause: error.cause,
  });
}
