import { Counter, Histogram, type Registry } from "prom-client";
import type { ScanAttemptOutcome, SyncStatus } from "../../db/enums";
import { createMetricsRegistry, METRICS_PREFIX } from "../../lib/metrics";
import { RegistryCallMetrics } from "./registry-call-metrics";

/** Seconds: from a cached layer's fraction of a second to an hour-long pull. */
const DURATION_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

/**
 * The counters and histograms of one worker process, served on its own
 * /metrics (DRYDOCK_WORKER_METRICS_PORT): Prometheus scrapes every worker and
 * sums across them, as with any horizontally scaled service.
 */
export class WorkerMetrics {
  readonly registry: Registry = createMetricsRegistry();

  private readonly scans = new Counter({
    name: `${METRICS_PREFIX}scans_total`,
    help: "scan attempts this worker ended, by outcome (SUCCEEDED, FAILED, ERROR, TIMED_OUT, WORKER_LOST, PAUSED)",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });

  private readonly scanSeconds = new Histogram({
    name: `${METRICS_PREFIX}scan_duration_seconds`,
    help: "duration of the scan attempts this worker ended, by outcome",
    labelNames: ["outcome"] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });

  private readonly syncSeconds = new Histogram({
    name: `${METRICS_PREFIX}sync_duration_seconds`,
    help: "duration of the discovery runs this worker ran, by final status",
    labelNames: ["status"] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });

  /** Registry answers and retries, by registry id. */
  readonly registryCalls = new RegistryCallMetrics(this.registry);

  private readonly cacheHits = new Counter({
    name: `${METRICS_PREFIX}layer_cache_hits_total`,
    help: "image layers whose result came from the layer cache (not downloaded)",
    registers: [this.registry],
  });

  private readonly cacheMisses = new Counter({
    name: `${METRICS_PREFIX}layer_cache_misses_total`,
    help: "image layers not in the layer cache (downloaded and read)",
    registers: [this.registry],
  });

  scanEnded(outcome: ScanAttemptOutcome, seconds: number): void {
    this.scans.inc({ outcome });
    this.scanSeconds.observe({ outcome }, seconds);
  }

  syncEnded(status: SyncStatus, seconds: number): void {
    this.syncSeconds.observe({ status }, seconds);
  }

  layerCacheLookup(hit: boolean): void {
    (hit ? this.cacheHits : this.cacheMisses).inc();
  }
}
