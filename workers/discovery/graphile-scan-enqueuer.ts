import type { AddJobFunction } from "graphile-worker";
import type { ScanEnqueuer } from "./scan-queue";

/** `image_scan` jobs keyed by the scan job id; graphile makes one attempt, drydock decides retries (DESIGN §4). */
export function graphileScanEnqueuer(addJob: AddJobFunction): ScanEnqueuer {
  return {
    async enqueue(scanJobIds, runAt) {
      for (const scanJobId of scanJobIds) {
        await addJob("image_scan", { scanJobId }, { jobKey: scanJobId, maxAttempts: 1, ...(runAt ? { runAt } : {}) });
      }
    },
  };
}
