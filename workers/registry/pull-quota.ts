/**
 * A registry's announced pull quota (Docker Hub, registry-apis.md §6.4): every
 * manifest answer, GET and HEAD, carries `ratelimit-limit: 100;w=21600` and
 * `ratelimit-remaining: 20;w=21600` (a sliding window of `w` seconds); absent
 * headers mean unlimited. Pulls pause before the quota is spent (DESIGN §4):
 * a paused scan attempt does not count and is queued again when the window
 * has passed.
 */
import type { IncomingHttpHeaders } from "node:http";

export interface PullQuotaReading {
  /** Pulls allowed per window. */
  quota: number;
  remaining: number;
  windowSeconds: number;
  observedAt: Date;
}

/** `100;w=21600` → count and window; null when malformed. */
function parseQuotaValue(value: string | string[] | undefined): { count: number; windowSeconds: number | null } | null {
  const text = Array.isArray(value) ? value[0] : value;
  const match = text ? /^\s*(\d+)\s*(?:;\s*w\s*=\s*(\d+))?/i.exec(text) : null;
  if (!match) return null;
  return { count: Number(match[1]), windowSeconds: match[2] === undefined ? null : Number(match[2]) };
}

/** The reading an answer's headers carry, or null when they announce no quota. */
export function readPullQuota(headers: IncomingHttpHeaders, observedAt: Date): PullQuotaReading | null {
  const limit = parseQuotaValue(headers["ratelimit-limit"]);
  const remaining = parseQuotaValue(headers["ratelimit-remaining"]);
  if (!limit || !remaining) return null;
  const windowSeconds = limit.windowSeconds ?? remaining.windowSeconds;
  if (windowSeconds === null || windowSeconds <= 0) return null;
  return { quota: limit.count, remaining: Math.min(remaining.count, limit.count), windowSeconds, observedAt };
}

/** Pulls left untouched: scans running at once on other workers and the account's own pulls still fit. */
export function reserveOf(quota: number): number {
  return Math.max(1, Math.ceil(quota * 0.05));
}

/**
 * Until when pulls wait, or null when they may go on. The window slides, so
 * a pull counted at `observedAt` has surely left it `windowSeconds` later.
 */
export function pausedUntil(reading: PullQuotaReading | null, now: Date): Date | null {
  if (!reading || reading.remaining > reserveOf(reading.quota)) return null;
  const until = new Date(reading.observedAt.getTime() + reading.windowSeconds * 1000);
  return until > now ? until : null;
}

export function pauseMessage(reading: PullQuotaReading, until: Date): string {
  return `pulls paused until ${until.toISOString()}: the registry's pull quota has ${reading.remaining} of ${reading.quota} pulls left in its ${reading.windowSeconds}-second window (drydock keeps ${reserveOf(reading.quota)} in reserve)`;
}

export const newest = (a: PullQuotaReading | null, b: PullQuotaReading | null): PullQuotaReading | null =>
  !a ? b : !b ? a : a.observedAt >= b.observedAt ? a : b;

/** Thrown instead of pulling while the quota is paused; the scan attempt ends without counting. */
export class PullsPaused extends Error {
  readonly code = "PULLS_PAUSED";

  constructor(
    readonly until: Date,
    message: string,
  ) {
    super(message);
    this.name = "PullsPaused";
  }
}

export function isPullsPaused(error: unknown): error is PullsPaused {
  return error instanceof PullsPaused;
}

/** The latest reading of one registry endpoint, handed to whoever keeps it (the database). */
export class PullQuotaMeter {
  private reading: PullQuotaReading | null = null;
  private readonly listeners = new Set<(reading: PullQuotaReading) => void>();

  constructor(private readonly now: () => number = Date.now) {}

  get latest(): PullQuotaReading | null {
    return this.reading;
  }

  /** Reads an answer's headers; answers without quota headers change nothing. */
  observe(headers: IncomingHttpHeaders): void {
    const reading = readPullQuota(headers, new Date(this.now()));
    if (!reading) return;
    this.reading = reading;
    for (const listener of this.listeners) listener(reading);
  }

  /** Calls `listener` with every new reading; returns the unsubscribe. */
  subscribe(listener: (reading: PullQuotaReading) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
