import type { AddJobsFunction } from "graphile-worker";
import type { ScanEnqueuer } from "./scan-queue";

/** Jobs per add_jobs call: one statement for a whole sync's worth, bounded. */
const BATCH = 1000;

/**
 * `image_scan` jobs keyed by the scan job id; graphile makes one attempt, drydock decides retries (DESIGN §4).
 * Queued with add_jobs, many per statement (a sync queues thousands): the same replace-by-key semantics as addJob.
 */
export function graphileScanEnqueuer(addJobs: AddJobsFunction): ScanEnqueuer {
  return {
    async enqueue(scanJobIds, runAt) {
      const unique = [...new Set(scanJobIds)];
      for (let i = 0; i < unique.length; i += BATCH) {
        await addJobs(
          unique.slice(i, i + BATCH).map((scanJobId) => ({
            identifier: "image_scan",
            payload: { scanJobId },
            jobKey: scanJobId,
            maxAttempts: 1,
            ...(runAt ? { runAt } : {}),
          })),
        );
      }
    },
  };
}
