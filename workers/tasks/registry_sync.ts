import type { Task } from "graphile-worker";
import type { DataSource } from "typeorm";
import { SyncTrigger } from "../../db/enums";
import type { UpdateNotifier } from "../../db/live-updates";
import { announcingEnqueuer } from "../discovery/announcing-enqueuer";
import { graphileScanEnqueuer } from "../discovery/graphile-scan-enqueuer";
import { type PushScope, type SyncDependencies, syncRegistry } from "../discovery/sync-registry";
import type { Logger } from "../../lib/logger";
import type { WorkerMetrics } from "../metrics/worker-metrics";

export interface SyncObservers {
  logger: Logger;
  metrics: Pick<WorkerMetrics, "syncEnded">;
  /** Live updates of the run and of the scans it queues. */
  updates: UpdateNotifier;
}

export interface RegistrySyncPayload {
  registryId: string;
  trigger?: SyncTrigger;
  /** A push webhook's run of one repository (see syncRegistry). */
  push?: PushScope;
}

const isPushScope = (push: unknown): push is PushScope =>
  typeof (push as PushScope | null)?.repository === "string" && typeof (push as PushScope).tag === "string";

function assertPayload(payload: unknown): asserts payload is RegistrySyncPayload {
  const p = payload as Partial<RegistrySyncPayload> | null;
  if (
    typeof p?.registryId !== "string" ||
    (p.trigger !== undefined && !Object.values(SyncTrigger).includes(p.trigger)) ||
    (p.push !== undefined && !isPushScope(p.push))
  ) {
    throw new Error("registry_sync payload must be { registryId: string, trigger?: SyncTrigger, push?: { repository: string, tag: string } }");
  }
}

/**
 * One discovery run. Jobs of a registry share the queue `registry:<id>`, so
 * graphile runs them one at a time. Failures are recorded on the SyncRun,
 * not thrown: a retry would only repeat them.
 */
export function registrySync(db: DataSource, adapterFor: SyncDependencies["adapterFor"], observers: SyncObservers): Task {
  return async (payload, helpers) => {
    assertPayload(payload);
    const log = observers.logger.child({ jobId: helpers.job.id, registryId: payload.registryId });
    const run = await syncRegistry(
      {
        db,
        adapterFor,
        scans: announcingEnqueuer(graphileScanEnqueuer(helpers.addJobs), observers.updates, payload.registryId),
        updates: observers.updates,
      },
      payload.registryId,
      payload.trigger ?? SyncTrigger.SCHEDULE,
      helpers.abortSignal,
      payload.push,
    );
    if (!run) return;
    observers.metrics.syncEnded(run.status, (run.finishedAt!.getTime() - run.startedAt.getTime()) / 1000);
    log.info({ syncRunId: run.id, status: run.status, repositories: run.repositories, queued: run.queued, errors: run.errors.length }, "sync finished");
  };
}
