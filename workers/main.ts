import { EventEmitter } from "node:events";
import { makeWorkerUtils, run, type WorkerEvents } from "graphile-worker";
import type { Config } from "../lib/config";
import type { Registry } from "../db/entities";
import type { Logger } from "../lib/logger";
import { openMysql, waitForSchema } from "../db/mysql";
import { PgUpdateNotifier } from "../db/live-updates";
import { graphileLogger, preparePostgres } from "../db/postgres";
import { retryGraphileThroughRestarts } from "../db/graphile-retries";
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
import { type MetricsServer, serveMetrics } from "./metrics/metrics-server";
import { WorkerMetrics } from "./metrics/worker-metrics";

export interface RunningWorker {
  /** This process's worker_instance id. */
  readonly id: string;
  /** Where this process serves /metrics (DRYDOCK_WORKER_METRICS_PORT); null when it serves none. */
  readonly metricsUrl: string | null;
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
  retryGraphileThroughRestarts();
  const db = await openMysql(config.mysqlUrl, config.workerConcurrency + 4);
  let metricsServer: MetricsServer | null = null;
  try {
    await waitForSchema(db);
    const secrets = loadSecretBox(config, logger);
    const pg = await preparePostgres(config.databaseUrl, logger);
    const utils = await makeWorkerUtils({ pgPool: pg, logger: graphileLogger(logger) });
    const scans = graphileScanEnqueuer(utils.addJobs);
    const updates = new PgUpdateNotifier(pg, logger);

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
      updates,
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
    const metrics = new WorkerMetrics();
    const adapterFor = (registry: Registry, resolver: TagResolver) => createAdapter(registry, secrets, resolver, metrics.registryCalls.hooks(registry.id, logger));
    const adapters = new AdapterPool(db, (registry) => adapterFor(registry, new TagResolver([])));
    // Before any job is taken: a port in use stops the start.
    if (config.workerMetricsPort !== null) {
      metricsServer = await serveMetrics(metrics.registry, { host: config.host, port: config.workerMetricsPort, token: config.metricsToken }, logger);
      logger.info({ url: metricsServer.url }, "worker metrics listening");
    }
    const stopping = new AbortController();
    const minuteMs = options.scanMinuteMs ?? 60_000;

    const runner = await run({
      pgPool: pg,
      concurrency: config.workerConcurrency,
      taskList: createTaskList(db, adapterFor, {
        db,
        workerId: liveness.id,
        adapters,
        scanner: new ImageScanner({
          analyzers: ANALYZERS,
          cache: new LayerCache(db, key, (hit) => metrics.layerCacheLookup(hit)),
          limits,
          logger,
          layerConcurrency: LAYERS_AT_ONCE,
        }),
        analyzersKey: key,
        enqueueScans: (ids, runAt) => scans.enqueue(ids, runAt),
        stopping: stopping.signal,
        timeoutMs: (minutes) => minutes * minuteMs,
        livenessMs: SCAN_LIVENESS_MS,
        logger,
        metrics,
        updates,
      }, { db, roots: config.importRoots, logger }, config.osvSources, { logger, metrics, updates }),
      crontab: crontab({ sources: config.osvSources, schedule: config.osvSchedule }),
      noHandleSignals: true,
      logger: graphileLogger(logger),
      events,
    });
    await liveness.beatNow();
    logger.info({ concurrency: config.workerConcurrency, workerId: liveness.id }, "worker started");
    return {
      id: liveness.id,
      metricsUrl: metricsServer?.url ?? null,
      async stop() {
        // Running scans end as WORKER_LOST and go back to the queue instead of holding the shutdown.
        stopping.abort();
        await metricsServer?.close();
        await runner.stop();
        await liveness.stop();
        await adapters.close();
        await utils.release();
        await pg.end();
        await db.destroy();
      },
    };
  } catch (error) {
    await metricsServer?.close();
    await db.destroy();
    throw error;
  }
}
