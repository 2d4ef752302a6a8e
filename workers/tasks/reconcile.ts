import type { Task } from "graphile-worker";
import type { DataSource } from "typeorm";
import { requeueOrphanedScans } from "../scheduler/requeue-orphaned-scans";

/** Enough for the row-then-job write of a healthy process to have finished. */
const GRACE_MS = 60_000;

/** Runs every minute (crontab): puts scan jobs that lost their graphile job back on the queue. */
export function reconcile(db: DataSource): Task {
  return async (_payload, helpers) => {
    const requeued = await requeueOrphanedScans(db, helpers, { olderThan: new Date(Date.now() - GRACE_MS) });
    if (requeued.length > 0) helpers.logger.warn(`re-queued ${requeued.length} scan jobs that had no graphile job`);
  };
}
