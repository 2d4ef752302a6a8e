import { randomUUID } from "node:crypto";
import os from "node:os";
import type { DataSource } from "typeorm";
import { ScanAttempt, WorkerInstance } from "../../db/entities";
import { ScanAttemptOutcome, ScanJobStatus } from "../../db/enums";
import { scanJobRows, type UpdateNotifier } from "../../db/live-updates";
import type { Logger } from "../../lib/logger";
import { endAttempt } from "./attempt-store";

export interface LivenessOptions {
  heartbeatMs: number;
  /** A worker whose last beat is older than this is dead. */
  lostAfterMs: number;
}

/** What the reaper needs from graphile-worker. */
export interface GraphileLocks {
  /** `WorkerUtils.forceUnlockWorkers`: frees the jobs and queues a dead process held; answers the keys of the jobs it held. */
  forceUnlockWorkers(graphileWorkerIds: string[]): Promise<string[]>;
  /** Puts re-queued scan jobs back on the graphile queue. */
  enqueueScans(scanJobIds: string[]): Promise<void>;
}

export interface ReapResult {
  workers: string[];
  requeued: string[];
  failed: string[];
}

/**
 * Finds worker processes that stopped heartbeating and takes their work back:
 * their graphile jobs are unlocked (graphile-worker alone would wait 4
 * hours), their rows deleted, and every attempt still RUNNING without a live
 * worker row ends as WORKER_LOST, its job re-queued or, after its third
 * attempt, failed. Deleting the row is the claim and ending an attempt is
 * guarded by its token, so many reapers at once do each thing once.
 */
export async function reapLostWorkers(db: DataSource, locks: GraphileLocks, lostAfterMs: number): Promise<ReapResult> {
  const stale = "lastBeatAt < NOW(3) - INTERVAL ? MICROSECOND";
  const dead: Array<Pick<WorkerInstance, "id" | "graphileWorkerIds">> = await db.query(
    `SELECT id, graphileWorkerIds FROM worker_instance WHERE ${stale}`,
    [lostAfterMs * 1000],
  );
  const result: ReapResult = { workers: [], requeued: [], failed: [] };
  /** Graphile job keys each claimed dead worker held. */
  const held = new Map<string, string[]>();
  for (const worker of dead) {
    const ids: string[] = typeof worker.graphileWorkerIds === "string" ? JSON.parse(worker.graphileWorkerIds) : worker.graphileWorkerIds;
    const keys = ids.length > 0 ? await locks.forceUnlockWorkers(ids) : [];
    const deleted = await db.query(`DELETE FROM worker_instance WHERE id = ? AND ${stale}`, [worker.id, lostAfterMs * 1000]);
    if (deleted.affectedRows === 0) continue; // another reaper claimed it
    result.workers.push(worker.id);
    held.set(worker.id, keys);
  }

  const orphaned: Array<{ id: string; scanJobId: string }> = await db
    .getRepository(ScanAttempt)
    .createQueryBuilder("attempt")
    .select(["attempt.id AS id", "attempt.scanJobId AS scanJobId"])
    .leftJoin(WorkerInstance, "worker", "worker.id = attempt.workerId")
    .where("attempt.outcome = :running AND worker.id IS NULL", { running: ScanAttemptOutcome.RUNNING })
    .getRawMany();
  for (const attempt of orphaned) {
    const transition = await endAttempt(db, attempt.id, {
      outcome: ScanAttemptOutcome.WORKER_LOST,
      code: "WORKER_LOST",
      message: "the worker running the scan stopped heartbeating",
    });
    if (transition) {
      (transition.status === ScanJobStatus.QUEUED ? result.requeued : result.failed).push(attempt.scanJobId);
    } else {
      // The job was cancelled or taken over meanwhile; close the attempt's record all the same.
      await db
        .getRepository(ScanAttempt)
        .update({ id: attempt.id, outcome: ScanAttemptOutcome.RUNNING }, { outcome: ScanAttemptOutcome.WORKER_LOST, code: "WORKER_LOST", finishedAt: new Date() });
    }
  }
  // A job the dead process had taken from the queue but never started (no attempt of its) still reads QUEUED:
  // it needs a new graphile job too. Jobs whose attempt it did start were re-queued above, by whichever reaper ended it.
  for (const [workerId, keys] of held) {
    if (keys.length === 0) continue;
    const notStarted: Array<{ id: string }> = await db.query(
      `SELECT j.id FROM scan_job j WHERE j.id IN (?) AND j.status = 'QUEUED'
         AND NOT EXISTS (SELECT 1 FROM scan_attempt a WHERE a.scanJobId = j.id AND a.workerId = ?)`,
      [keys, workerId],
    );
    for (const { id } of notStarted) if (!result.requeued.includes(id)) result.requeued.push(id);
  }
  await locks.enqueueScans(result.requeued);
  return result;
}

/** This process's heartbeat row, beaten every `heartbeatMs`; each beat also reaps dead workers. */
export class WorkerLiveness {
  readonly id = randomUUID();
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: DataSource,
    private readonly locks: GraphileLocks,
    private readonly options: LivenessOptions,
    private readonly logger: Logger,
    private readonly graphileWorkerIds: () => string[],
    /** Queues again re-queued jobs whose graphile job is missing or spent: a reaper that died between its two steps. */
    private readonly requeueStranded: () => Promise<string[]>,
    /** Told of the jobs taken back (live updates). */
    private readonly updates: UpdateNotifier,
  ) {}

  private lastSweep = Date.now();

  async start(): Promise<void> {
    await this.register();
    this.timer = setInterval(() => {
      this.beating = this.beat().catch((error) => this.logger.warn({ err: error }, "worker heartbeat failed"));
    }, this.options.heartbeatMs);
  }

  private async register(): Promise<void> {
    await this.db.query(
      "INSERT INTO worker_instance (id, host, pid, graphileWorkerIds, startedAt, lastBeatAt) VALUES (?, ?, ?, ?, NOW(3), NOW(3))",
      [this.id, os.hostname().slice(0, 255), process.pid, JSON.stringify(this.graphileWorkerIds())],
    );
  }

  /** Stops beating and removes the row: a stopped process's work was already handed back. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.beating;
    await this.db.query("DELETE FROM worker_instance WHERE id = ?", [this.id]);
  }

  /** Beats at once (e.g. right after graphile-worker created its worker slots, to record their ids). */
  beatNow(): Promise<void> {
    this.beating = this.beat();
    return this.beating;
  }

  private async beat(): Promise<void> {
    const beat = await this.db.query("UPDATE worker_instance SET lastBeatAt = NOW(3), graphileWorkerIds = ? WHERE id = ?", [
      JSON.stringify(this.graphileWorkerIds()),
      this.id,
    ]);
    // Presumed dead after a long stall: its attempts were taken back (their writes are refused); count as alive again.
    if (beat.affectedRows === 0) await this.register();
    const reaped = await reapLostWorkers(this.db, this.locks, this.options.lostAfterMs);
    if (reaped.workers.length > 0) {
      this.logger.warn(
        { workers: reaped.workers, requeued: reaped.requeued, failed: reaped.failed },
        `took back the work of ${reaped.workers.length} lost worker(s)`,
      );
    }
    const movedOn = [...reaped.requeued, ...reaped.failed];
    if (movedOn.length > 0) await this.updates.announce("scanJob", await scanJobRows(this.db, movedOn));
    // Once per lost-after period, not every beat: it reads every re-queued row.
    if (Date.now() - this.lastSweep >= this.options.lostAfterMs) {
      this.lastSweep = Date.now();
      const stranded = await this.requeueStranded();
      if (stranded.length > 0) this.logger.warn({ scanJobIds: stranded }, `queued ${stranded.length} re-queued scan job(s) again that had no runnable graphile job`);
    }
  }
}

