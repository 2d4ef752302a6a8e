import type { JobHelpers } from "graphile-worker";
import { type DataSource, LessThan, MoreThan } from "typeorm";
import { ScanJob } from "../../db/entities";
import { ScanJobStatus } from "../../db/enums";
import { graphileScanEnqueuer } from "../discovery/graphile-scan-enqueuer";
import { runnableJobKeys } from "./runnable-jobs";

/** Rows checked per pass; a backlog larger than this drains over several passes. */
const BATCH = 1000;

/**
 * Scan jobs are written to MySQL first and queued in graphile second
 * (DESIGN §4). A QUEUED row with no runnable graphile job lost the second
 * step (a crash, a lost connection): queue it again, same job key. Rows
 * considered: those queued before `olderThan`, or with `retried`, those put
 * back after an attempt (a re-queue that a dying worker may not have
 * finished). Queuing twice is harmless: the job key keeps one job, and a
 * second run of a job already started finds it RUNNING and does nothing.
 */
export async function requeueOrphanedScans(
  db: DataSource,
  queue: Pick<JobHelpers, "addJobs" | "withPgClient">,
  rows: { olderThan: Date } | { retried: true },
): Promise<string[]> {
  const queued = await db.getRepository(ScanJob).find({
    select: { id: true },
    where: { status: ScanJobStatus.QUEUED, ...("olderThan" in rows ? { queuedAt: LessThan(rows.olderThan) } : { attemptCount: MoreThan(0) }) },
    order: { queuedAt: "ASC" },
    take: BATCH,
  });
  if (queued.length === 0) return [];
  const ids = queued.map((job) => job.id);
  const known = await runnableJobKeys(queue, ids);
  const orphaned = ids.filter((id) => !known.has(id));
  await graphileScanEnqueuer(queue.addJobs).enqueue(orphaned);
  return orphaned;
}
