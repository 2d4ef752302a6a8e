import type { AddJobFunction, JobHelpers } from "graphile-worker";
import type { DataSource } from "typeorm";
import { ImportStatus } from "../../../db/enums";
import { runnableJobKeys } from "../../scheduler/runnable-jobs";

/** Imports share this queue, so they never overlap. */
export const VULNDB_QUEUE = "vulndb";

const importJobKey = (importRunId: string) => `vulndb_import:${importRunId}`;

/** Queues the `vulndb_import` job of a run: one graphile attempt (a failed import is recorded on its run), keyed by the run. */
export async function queueImportJob(addJob: AddJobFunction, importRunId: string): Promise<void> {
  await addJob("vulndb_import", { importRunId }, { jobKey: importJobKey(importRunId), queueName: VULNDB_QUEUE, maxAttempts: 1 });
}

/** Rows looked at per pass. */
const BATCH = 100;

/**
 * Import runs are written to MySQL first and queued in graphile second. A
 * QUEUED run older than `olderThan` without a runnable job lost the second
 * step: queue it again. A RUNNING run without a live job lost its worker
 * (the reaper unlocked its job, which has no attempt left): it is marked
 * FAILED, saying so; importing again is the operator's call, since the
 * source may have changed. Answers the ids of both kinds.
 */
export async function reconcileImports(
  db: DataSource,
  queue: Pick<JobHelpers, "addJob" | "withPgClient">,
  olderThan: Date,
): Promise<{ requeued: string[]; lost: string[] }> {
  const runs: Array<{ id: string; status: ImportStatus }> = await db.query(
    "SELECT id, status FROM import_run WHERE (status = ? AND queuedAt < ?) OR (status = ? AND startedAt < ?) ORDER BY queuedAt LIMIT ?",
    [ImportStatus.QUEUED, olderThan, ImportStatus.RUNNING, olderThan, BATCH],
  );
  if (runs.length === 0) return { requeued: [], lost: [] };
  const present = await runnableJobKeys(queue, runs.map((run) => importJobKey(run.id)));
  const orphaned = runs.filter((run) => !present.has(importJobKey(run.id)));
  const requeued = orphaned.filter((run) => run.status === ImportStatus.QUEUED).map((run) => run.id);
  const lost = orphaned.filter((run) => run.status === ImportStatus.RUNNING).map((run) => run.id);
  for (const id of requeued) await queueImportJob(queue.addJob, id);
  if (lost.length > 0) {
    await db.query("UPDATE import_run SET status = ?, finishedAt = NOW(3), error = ? WHERE status = ? AND id IN (?)", [
      ImportStatus.FAILED,
      "the worker running this import was lost; import the source again",
      ImportStatus.RUNNING,
      lost,
    ]);
  }
  return { requeued, lost };
}
