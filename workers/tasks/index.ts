import type { TaskList } from "graphile-worker";
import type { DataSource } from "typeorm";
import type { SyncDependencies } from "../discovery/sync-registry";
import type { ScanJobDependencies } from "../scan/run-scan-job";
import { imageScan } from "./image_scan";
import { reconcile } from "./reconcile";
import { registrySync } from "./registry_sync";
import { schedulerTick } from "./scheduler_tick";

/**
 * Terminology (graphile-worker's): a *task* is the code for a kind of job,
 * named by its identifier; a *job* is one queued run of a task; a *queue*
 * name serialises the jobs that share it.
 */
export function createTaskList(db: DataSource, adapterFor: SyncDependencies["adapterFor"], scans: ScanJobDependencies): TaskList {
  return {
    scheduler_tick: schedulerTick(db),
    registry_sync: registrySync(db, adapterFor),
    image_scan: imageScan(scans),
    reconcile: reconcile(db),
  };
}

/** Cron lines, every minute: the scheduler (backfilled up to 2 minutes after downtime) and the reconciler. */
export const CRONTAB = ["* * * * * scheduler_tick ?fill=2m&max=1&id=scheduler_tick", "* * * * * reconcile ?max=1&id=reconcile"].join("\n");
