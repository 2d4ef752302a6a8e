import { makeWorkerUtils, type WorkerUtils } from "graphile-worker";
import type { DataSource } from "typeorm";
import { SyncTrigger } from "../../db/enums";
import { openMysql } from "../../db/mysql";
import { loadSecretBox } from "../../lib/secret-box";
import { graphileScanEnqueuer } from "../../workers/discovery/graphile-scan-enqueuer";
import { type SyncDependencies, syncRegistry } from "../../workers/discovery/sync-registry";
import { createAdapter } from "../../workers/registry/registry";
import { capturingLogger } from "./logs";
import type { TestServer } from "./server";

export interface WorkerSide {
  db: DataSource;
  utils: WorkerUtils;
  deps: SyncDependencies;
  /** One discovery run, as the `registry_sync` task makes it. */
  sync(registryId: string, trigger?: SyncTrigger): ReturnType<typeof syncRegistry>;
  close(): Promise<void>;
}

/** What a worker process holds — its MySQL pool, graphile utils and secret key — next to a test server. */
export async function openWorkerSide(server: TestServer): Promise<WorkerSide> {
  const db = await openMysql(server.config.mysqlUrl, 4);
  const utils = await makeWorkerUtils({ connectionString: server.config.databaseUrl });
  const secrets = loadSecretBox(server.config, capturingLogger().logger);
  const deps: SyncDependencies = {
    db,
    scans: graphileScanEnqueuer(utils.addJobs),
    adapterFor: (registry, resolver) => createAdapter(registry, secrets, resolver),
  };
  return {
    db,
    utils,
    deps,
    sync: (registryId, trigger = SyncTrigger.MANUAL) => syncRegistry(deps, registryId, trigger),
    async close() {
      await utils.release();
      await db.destroy();
    },
  };
}
