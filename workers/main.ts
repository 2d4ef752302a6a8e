import { EventEmitter } from "node:events";
import { makeWorkerUtils, run, type WorkerEvents } from "graphile-worker";
import type { Config } from "../lib/config";
import type { Logger } from "../lib/logger";
import { openMysql, waitForSchema } from "../db/mysql";
import { graphileLogger, preparePostgres } from "../db/postgres";
import { loadSecretBox } from "../lib/secret-box";
import { graphileScanEnqueuer } from "./discovery/graphile-scan-enqueuer";
import { trustKnownServices } from "./registry/known-services";
import { createAdapter } from "./registry/registry";
import { TagResolver } from "./registry/tag-resolver";
import { AdapterPool } from "./scan/adapter-pool";
import { requeueOrphanedScans } from "./scheduler/requeue-orphaned-scans";
import { ANALYZERS, analyzersKey } from "./scan/analyzers";
import { ImageScanner } from "./scan/image-scanner";
import { LayerCache } from "./scan/layer-cache";
import { DEFAULT_LAYER_LIMITS } from "./scan/layers/layer-result";
import { WorkerLiveness } from "./scan/worker-liveness";
import { createTaskList, crontab } from "./tasks";

export interface RunningWorker {
  /** This process's worker_instance id. */
  readonly id: string;
  stop(): Promise<void>;
}

export interface WorkerOptions {
  /**
   * Milliseconds in one minute of a registry's scanTimeoutMinutes (default
   * 60000). Tests shrink it to drive timeouts in seconds.
   */
  scanMinuteMs?: number;
}

/** How often a running scan checks that it still holds its job: a cancelled scan stops within this plus the abort. */
const SCAN_LIVENESS_MS = 1000;
const LAYERS_AT_ONCE = 3;

/** A graphile-worker runner: takes jobs from PostgreSQL once the MySQL schema is current. */
export async function startWorker(config: Config, logger: Logger, options: WorkerOptions = {}): Promise<RunningWorker> {
  trustKnownServices(config);
  const db = await openMysql(config.mysqlUrl, config.workerConcurrency + 4);
  try {
    await waitForSchema(db);
    const secrets = loadSecretBox(config, logger);
    const pg = await preparePostgres(config.databaseUrl, logger);
    const utils = await makeWorkerUtils({ pgPool: pg, logger: graphileLogger(logger) });
    const scans = graphileScanEnqueuer(utils.addJob);

    const graphileWorkerIds: string[] = [];
    const events: WorkerEvents = new EventEmitter();
    // graphile-worker 0.17 locks jobs under the pool's id; worker slot ids are kept as well in case a job names one.
    events.on("pool:create", ({ workerPool }) => graphileWorkerIds.push(workerPool.id));
    events.on("worker:create", ({ worker }) => graphileWorkerIds.push(worker.workerId));
    const liveness = new WorkerLiveness(
      db,
      {
        async forceUnlockWorkers(ids) {
          const held = await utils.withPgClient((pg) =>
            pg.query<{ key: string }>("SELECT key FROM graphile_worker._private_jobs WHERE locked_by = ANY($1::text[]) AND key IS NOT NULL", [ids]),
          );
          await utils.forceUnlockWorkers(ids);
          return held.rows.map((row) => row.key);
        },
        enqueueScans: (ids) => scans.enqueue(ids),
      },
      { heartbeatMs: config.heartbeatMs, lostAfterMs: config.workerLostAfterMs },
      logger,
      () => graphileWorkerIds,
      () => requeueOrphanedScans(db, utils, { retried: true }),
    );
    await liveness.start();

    const limits = {
      ...DEFAULT_LAYER_LIMITS,
      maxLayerBytes: config.maxLayerBytes,
      maxEntries: config.maxLayerEntries,
      maxFileBytes: config.maxFileBytes,
      maxBufferedFileBytes: Math.min(DEFAULT_LAYER_LIMITS.maxBufferedFileBytes, config.maxFileBytes),
    };
    const key = analyzersKey(ANALYZERS);
    const adapters = new AdapterPool(db, (registry) => createAdapter(registry, secrets, new TagResolver([])));
    const stopping = new AbortController();
    const minuteMs = options.scanMinuteMs ?? 60_000;

    const runner = await run({
      pgPool: pg,
      concurrency: config.workerConcurrency,
      taskList: createTaskList(db, (registry, resolver) => createAdapter(registry, secrets, resolver), {
        db,
        workerId: liveness.id,
        adapters,
        scanner: new ImageScanner({ analyzers: ANALYZERS, cache: new LayerCache(db, key), limits, logger, layerConcurrency: LAYERS_AT_ONCE }),
        analyzersKey: key,
        enqueueScans: (ids, runAt) => scans.enqueue(ids, runAt),
        stopping: stopping.signal,
        timeoutMs: (minutes) => minutes * minuteMs,
        livenessMs: SCAN_LIVENESS_MS,
        logger,
      }, { db, roots: config.importRoots, logger }, config.osvSources),
      crontab: crontab({ sources: config.osvSources, schedule: config.osvSchedule }),
      noHandleSignals: true,
      logger: graphileLogger(logger),
      events,
    });
    await liveness.beatNow();
    logger.info({ concurrency: config.workerConcurrency, workerId: liveness.id }, "worker started");
    return {
      id: liveness.id,
      async stop() {
        // Running scans end as WORKER_LOST and go back to the queue instead of holding the shutdown.
        stopping.abort();
        await runner.stop();
        await liveness.stop();
        await adapters.close();
        await utils.release();
        await pg.end();
        await db.destroy();
      },
    };
  } catch (error) {
    await db.destroy();
    throw error;
  }
}
