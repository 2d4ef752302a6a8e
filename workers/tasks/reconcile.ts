import type { Task } from "graphile-worker";
import type { DataSource } from "typeorm";
import { requeueOrphanedScans } from "../scheduler/requeue-orphaned-scans";
import { reconcileImports } from "../vuln/import/import-queue";

/** Enough for the row-then-job write of a healthy process to have finished. */
const GRACE_MS = 60_000;

/** Runs every minute (crontab): puts scan jobs and import runs that lost their graphile job back on the queue; fails imports whose worker was lost. */
export function reconcile(db: DataSource): Task {
  return async (_payload, helpers) => {
    const requeued = await requeueOrphanedScans(db, helpers, { olderThan: new Date(Date.now() - GRACE_MS) });
    if (requeued.length > 0) helpers.logger.warn(`re-queued ${requeued.length} scan jobs that had no graphile job`);
    const imports = await reconcileImports(db, helpers, new Date(Date.now() - GRACE_MS));
    if (imports.requeued.length > 0) helpers.logger.warn(`re-queued ${imports.requeued.length} import runs that had no graphile job`);
    if (imports.lost.length > 0) helpers.logger.warn(`marked ${imports.lost.length} import runs failed: their worker was lost`);
  };
}
