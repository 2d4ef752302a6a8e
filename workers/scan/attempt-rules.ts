import { ScanAttemptOutcome, ScanJobStatus } from "../../db/enums";
import { isDatabaseUnavailable } from "../../db/availability";
import { isRegistryError } from "../registry/errors";
import { isPullsPaused } from "../registry/pull-quota";
import { isScanError } from "./errors";

/** Attempts a job gets per count (DESIGN §4); retryScanJob starts a new count. */
export const MAX_ATTEMPTS = 3;

/** How one attempt ended, before the job's next state is decided. */
export type AttemptEnd =
  | { outcome: ScanAttemptOutcome.SUCCEEDED }
  | { outcome: ScanAttemptOutcome.FAILED | ScanAttemptOutcome.ERROR | ScanAttemptOutcome.TIMED_OUT | ScanAttemptOutcome.WORKER_LOST; code: string; message: string }
  /** The registry's pull quota paused pulls: the attempt does not count, the job waits until `until` (DESIGN §4). */
  | { outcome: ScanAttemptOutcome.PAUSED; code: string; message: string; until: Date };

export interface JobTransition {
  status: ScanJobStatus.SUCCEEDED | ScanJobStatus.FAILED | ScanJobStatus.QUEUED;
  code: string | null;
  message: string | null;
}

/**
 * The job's next state after an attempt: success; a non-retryable error
 * fails at once; a retryable end re-queues until the third counted attempt,
 * which fails with that attempt's code. A paused attempt re-queues, whatever
 * the count (it is not counted).
 */
export function transitionAfter(end: AttemptEnd, attemptCount: number): JobTransition {
  if (end.outcome === ScanAttemptOutcome.SUCCEEDED) return { status: ScanJobStatus.SUCCEEDED, code: null, message: null };
  if (end.outcome === ScanAttemptOutcome.PAUSED) return { status: ScanJobStatus.QUEUED, code: end.code, message: end.message };
  if (end.outcome === ScanAttemptOutcome.FAILED || attemptCount >= MAX_ATTEMPTS) {
    return { status: ScanJobStatus.FAILED, code: end.code, message: end.message };
  }
  return { status: ScanJobStatus.QUEUED, code: end.code, message: end.message };
}

/** Why the attempt was stopped from outside its own work, if it was. */
export type StopReason = "timeout" | "worker-stopping";

/** Classifies what ended an attempt that did not succeed. */
export function endOf(error: unknown, stopped: StopReason | null, timeoutMinutes: number): AttemptEnd {
  if (stopped === "timeout") {
    return { outcome: ScanAttemptOutcome.TIMED_OUT, code: "SCAN_TIMEOUT", message: `the scan took longer than the registry's ${timeoutMinutes}-minute timeout` };
  }
  if (stopped === "worker-stopping") {
    return { outcome: ScanAttemptOutcome.WORKER_LOST, code: "WORKER_LOST", message: "the worker stopped during the scan" };
  }
  if (isDatabaseUnavailable(error)) {
    return { outcome: ScanAttemptOutcome.ERROR, code: "DATABASE_UNAVAILABLE", message: "a database was unavailable during the scan" };
  }
  if (isPullsPaused(error)) return { outcome: ScanAttemptOutcome.PAUSED, code: error.code, message: error.message, until: error.until };
  if (isRegistryError(error) || isScanError(error)) {
    return { outcome: error.retryable ? ScanAttemptOutcome.ERROR : ScanAttemptOutcome.FAILED, code: error.code, message: error.message };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { outcome: ScanAttemptOutcome.FAILED, code: "INTERNAL", message };
}
