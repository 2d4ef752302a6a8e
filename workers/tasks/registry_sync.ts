import type { Task } from "graphile-worker";
import type { DataSource } from "typeorm";
import { SyncTrigger } from "../../db/enums";
import { graphileScanEnqueuer } from "../discovery/graphile-scan-enqueuer";
import { type SyncDependencies, syncRegistry } from "../discovery/sync-registry";

export interface RegistrySyncPayload {
  registryId: string;
  trigger?: SyncTrigger;
}

function assertPayload(payload: unknown): asserts payload is RegistrySyncPayload {
  const p = payload as Partial<RegistrySyncPayload> | null;
  if (typeof p?.registryId !== "string" || (p.trigger !== undefined && !Object.values(SyncTrigger).includes(p.trigger))) {
    throw new Error("registry_sync payload must be { registryId: string, trigger?: SyncTrigger }");
  }
}

/**
 * One discovery run. Jobs of a registry share the queue `registry:<id>`, so
 * graphile runs them one at a time. Failures are recorded on the SyncRun,
 * not thrown: a retry would only repeat them.
 */
export function registrySync(db: DataSource, adapterFor: SyncDependencies["adapterFor"]): Task {
  return async (payload, helpers) => {
    assertPayload(payload);
    const run = await syncRegistry(
      { db, adapterFor, scans: graphileScanEnqueuer(helpers.addJob) },
      payload.registryId,
      payload.trigger ?? SyncTrigger.SCHEDULE,
      helpers.abortSignal,
    );
    if (run) helpers.logger.info(`sync ${run.id} of registry ${payload.registryId}: ${run.status}, ${run.queued} scans queued`);
  };
}
