import type { Task } from "graphile-worker";
import { runScanJob, type ScanJobDependencies } from "../scan/run-scan-job";

export interface ImageScanPayload {
  scanJobId: string;
}

function assertPayload(payload: unknown): asserts payload is ImageScanPayload {
  if (typeof (payload as Partial<ImageScanPayload> | null)?.scanJobId !== "string") {
    throw new Error("image_scan payload must be { scanJobId: string }");
  }
}

/** One attempt of a scan job; retries are drydock's (DESIGN §4), so this never throws for a failed scan. */
export function imageScan(deps: ScanJobDependencies): Task {
  return async (payload, helpers) => {
    assertPayload(payload);
    await runScanJob({ ...deps, logger: deps.logger.child({ jobId: helpers.job.id }) }, payload.scanJobId);
  };
}
