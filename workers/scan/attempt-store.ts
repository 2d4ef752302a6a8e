import { randomUUID } from "node:crypto";
import type { DataSource, EntityManager } from "typeorm";
import { retryOnDeadlock } from "../../db/deadlock-retry";
import { ScanAttempt, ScanJob } from "../../db/entities";
import { ScanAttemptOutcome, ScanJobStatus } from "../../db/enums";
import { type AttemptEnd, type JobTransition, transitionAfter } from "./attempt-rules";

export interface BegunAttempt {
  job: ScanJob;
  /** The attempt's id: only its holder may write the job's results. */
  token: string;
  number: number;
}

/**
 * Starts an attempt of a QUEUED job; null when the job is gone or not QUEUED (cancelled, done, or already taken).
 * Repeating it with the same `token` (its commit's answer was lost with the connection) answers the attempt it began.
 */
export async function beginAttempt(db: DataSource, scanJobId: string, workerId: string, token: string = randomUUID()): Promise<BegunAttempt | null> {
  return retryOnDeadlock(() => db.transaction(async (tx) => {
    const job = await tx.getRepository(ScanJob).findOne({ where: { id: scanJobId }, lock: { mode: "pessimistic_write" } });
    if (job?.status === ScanJobStatus.RUNNING && job.attemptToken === token) {
      const begun = await tx.getRepository(ScanAttempt).findOneByOrFail({ id: token });
      return { job, token, number: begun.number };
    }
    if (!job || job.status !== ScanJobStatus.QUEUED) return null;
    const [{ last }] = await tx.query("SELECT COALESCE(MAX(`number`), 0) AS last FROM scan_attempt WHERE scanJobId = ?", [scanJobId]);
    const number = Number(last) + 1;
    const now = new Date();
    await tx.getRepository(ScanAttempt).insert({ id: token, scanJobId, number, workerId, startedAt: now, outcome: ScanAttemptOutcome.RUNNING });
    job.status = ScanJobStatus.RUNNING;
    job.attemptCount += 1;
    job.attemptToken = token;
    job.startedAt ??= now;
    await tx.getRepository(ScanJob).update(
      { id: scanJobId },
      { status: job.status, attemptCount: job.attemptCount, attemptToken: token, startedAt: job.startedAt, pausedUntil: null, pauseReason: null },
    );
    return { job, token, number };
  }));
}

/**
 * Ends the attempt holding `token` and moves its job on. `writeResults` runs
 * in the same transaction, only when the attempt succeeded and still holds
 * the job: a presumed-dead worker that wakes up writes nothing. Null when the
 * token is no longer current (the job was cancelled, deleted or taken over).
 */
export async function endAttempt(
  db: DataSource,
  token: string,
  end: AttemptEnd,
  writeResults?: (tx: EntityManager) => Promise<void>,
): Promise<JobTransition | null> {
  return retryOnDeadlock(() => db.transaction(async (tx) => {
    const job = await tx.getRepository(ScanJob).findOne({ where: { attemptToken: token }, lock: { mode: "pessimistic_write" } });
    if (!job || job.status !== ScanJobStatus.RUNNING) return null;
    if (end.outcome === ScanAttemptOutcome.SUCCEEDED && writeResults) await writeResults(tx);
    const transition = transitionAfter(end, job.attemptCount);
    const paused = end.outcome === ScanAttemptOutcome.PAUSED ? end : null;
    const now = new Date();
    await tx.getRepository(ScanAttempt).update(
      { id: token },
      { outcome: end.outcome, finishedAt: now, code: transition.code, message: transition.message },
    );
    const finished = transition.status !== ScanJobStatus.QUEUED;
    await tx.getRepository(ScanJob).update(
      { id: job.id },
      {
        status: transition.status,
        // A paused attempt is recorded but not counted (DESIGN §4).
        attemptCount: paused ? job.attemptCount - 1 : job.attemptCount,
        pausedUntil: paused?.until ?? null,
        pauseReason: paused?.message ?? null,
        attemptToken: null,
        finishedAt: finished ? now : null,
        errorCode: transition.code,
        errorMessage: transition.message,
      },
    );
    return transition;
  }));
}

/** True while `token` still holds its RUNNING job (polled to notice cancellation). */
export async function holdsJob(db: DataSource, token: string): Promise<boolean> {
  const rows = await db.query("SELECT 1 FROM scan_job WHERE attemptToken = ? AND status = 'RUNNING'", [token]);
  return rows.length > 0;
}
