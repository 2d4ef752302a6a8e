import type { Task } from "graphile-worker";
import type { DataSource } from "typeorm";
import { queueDueSyncs } from "../scheduler/queue-due-syncs";

/** Runs every minute (crontab): queues the discovery runs that are due. */
export function schedulerTick(db: DataSource): Task {
  return async (_payload, helpers) => {
    const queued = await queueDueSyncs(db, helpers.addJob, new Date());
    if (queued.length > 0) helpers.logger.info(`queued registry_sync for ${queued.length} registries`);
  };
}
