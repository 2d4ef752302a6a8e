import type { Task } from "graphile-worker";
import type { DataSource } from "typeorm";
import type { SyncDependencies } from "../discovery/sync-registry";
import type { ScanJobDependencies } from "../scan/run-scan-job";
import type { TaskIdentifier } from "./identifiers";
import { imageScan } from "./image_scan";
import { reconcile } from "./reconcile";
import { registrySync, type SyncObservers } from "./registry_sync";
import { schedulerTick } from "./scheduler_tick";
import { vulndbImport } from "./vulndb_import";
import { VULNDB_QUEUE } from "../vuln/import/import-queue";
import type { ImportDependencies } from "../vuln/import/import-run";

/**
 * Terminology (graphile-worker's): a *task* is the code for a kind of job,
 * named by its identifier; a *job* is one queued run of a task; a *queue*
 * name serialises the jobs that share it.
 */
export function createTaskList(
  db: DataSource,
  adapterFor: SyncDependencies["adapterFor"],
  scans: ScanJobDependencies,
  imports: Omit<ImportDependencies, "signal">,
  osvSources: readonly string[],
  syncObservers: SyncObservers,
): Record<TaskIdentifier, Task> {
  return {
    scheduler_tick: schedulerTick(db),
    registry_sync: registrySync(db, adapterFor, syncObservers),
    image_scan: imageScan(scans),
    vulndb_import: vulndbImport(imports, osvSources),
    reconcile: reconcile(db),
  };
}

/**
 * Cron lines: every minute the scheduler (backfilled up to 2 minutes after
 * downtime) and the reconciler; the OSV import on its schedule when there
 * are sources to import, in the imports' queue.
 */
export function crontab(osv: { sources: readonly string[]; schedule: string }): string {
  const lines = ["* * * * * scheduler_tick ?fill=2m&max=1&id=scheduler_tick", "* * * * * reconcile ?max=1&id=reconcile"];
  if (osv.sources.length > 0) lines.push(`${osv.schedule} vulndb_import ?max=1&id=vulndb_import&queue=${VULNDB_QUEUE} {"scheduled":true}`);
  return lines.join("\n");
}
