import { randomUUID } from "node:crypto";
import type { DataSource } from "typeorm";
import { untilDatabaseAnswers } from "../../db/availability";
import { Image, ScanJob } from "../../db/entities";
import type { UpdateNotifier } from "../../db/live-updates";
import { ScanAttemptOutcome, ScanJobStatus } from "../../db/enums";
import type { Logger } from "../../lib/logger";
import { maskUrlsIn } from "../../lib/mask";
import type { DistributionApi, RegistryAdapter } from "../registry/adapter";
import { isRegistryError } from "../registry/errors";
import { PullsPaused } from "../registry/pull-quota";
import { pullPauseOf } from "../registry/pull-quota-store";
import type { AdapterPool } from "./adapter-pool";
import { endOf, type StopReason } from "./attempt-rules";
import { beginAttempt, endAttempt, holdsJob } from "./attempt-store";
import { hasCurrentInventory, writeInventory } from "./artifact-store";
import { matchArtifacts, writeFindings } from "../vuln/findings/artifact-findings";
import { storedRecords } from "../vuln/findings/record-cache";
import { databaseVersion } from "../vuln/store/database-version";
import type { ImageScanner } from "./image-scanner";
import type { WorkerMetrics } from "../metrics/worker-metrics";

/** How long pulls wait after a quota refusal that said nothing of when to retry. */
const QUOTA_REFUSED_WAIT_MS = 15 * 60_000;

export interface ScanJobDependencies {
  db: DataSource;
  /** This process's worker_instance id, recorded on each attempt. */
  workerId: string;
  adapters: AdapterPool;
  scanner: ImageScanner;
  analyzersKey: string;
  /** Puts a re-queued job back on the graphile queue (not before `runAt`, when given). */
  enqueueScans(scanJobIds: string[], runAt?: Date): Promise<void>;
  /** Aborts when the worker process stops: the attempt ends as WORKER_LOST. */
  stopping: AbortSignal;
  /** The registry's scanTimeoutMinutes in milliseconds; tests shrink the minute. */
  timeoutMs(minutes: number): number;
  /** How often a running attempt checks it still holds its job (cancellation). */
  livenessMs: number;
  logger: Logger;
  /** Told how each attempt this worker ends ended, and how long it took. */
  metrics?: Pick<WorkerMetrics, "scanEnded">;
  /** Told each time this attempt moves its job on (live updates). */
  updates?: UpdateNotifier;
}

/** Thrown into the scan when its attempt no longer holds the job (deleted, cancelled, taken over). */
class AttemptRevoked extends Error {
  constructor() {
    super("the scan job was cancelled or taken over");
  }
}

/**
 * One attempt of one scan job (DESIGN §4): start it, pull and inventory the
 * image under the registry's timeout, and end it under its attempt token.
 * Everything that can go wrong is recorded on the attempt; nothing is thrown
 * to graphile-worker, which makes one try per job.
 */
export async function runScanJob(deps: ScanJobDependencies, scanJobId: string): Promise<void> {
  // Starting and ending the attempt, and re-queueing, wait out a database restart instead of leaving the job behind.
  const persist = <T>(work: () => Promise<T>) =>
    untilDatabaseAnswers(work, deps.stopping, (error) =>
      deps.logger.warn({ scanJobId, err: maskUrlsIn(String((error as Error)?.message ?? error)) }, "a database is unavailable; the scan job waits for it"),
    );
  const attemptToken = randomUUID();
  const begun = await persist(() => beginAttempt(deps.db, scanJobId, deps.workerId, attemptToken));
  if (!begun) return;
  const { job, token } = begun;
  const log = deps.logger.child({ scanJobId, registryId: job.registryId, attempt: begun.number });
  const announce = async () => deps.updates?.announce("scanJob", [job]);
  await announce();
  const began = performance.now();
  const seconds = () => (performance.now() - began) / 1000;

  const control = new AbortController();
  let stopped: StopReason | null = null;
  const stop = (reason: StopReason | "revoked") => {
    if (control.signal.aborted) return;
    if (reason !== "revoked") stopped = reason;
    control.abort(reason === "revoked" ? new AttemptRevoked() : new Error(`scan stopped: ${reason}`));
  };
  const onStopping = () => stop("worker-stopping");
  deps.stopping.addEventListener("abort", onStopping, { once: true });
  let timeout: NodeJS.Timeout | undefined;
  const liveness = setInterval(() => {
    holdsJob(deps.db, token).then(
      (held) => held || stop("revoked"),
      () => undefined,
    );
  }, deps.livenessMs);

  let timeoutMinutes = 0;
  try {
    const image = await deps.db.getRepository(Image).findOneBy({ id: job.imageId });
    if (!image) throw new AttemptRevoked();
    const scanned = await deps.adapters.with(job.registryId, async (adapter, registry) => {
      timeoutMinutes = registry.scanTimeoutMinutes;
      timeout = setTimeout(() => stop("timeout"), deps.timeoutMs(registry.scanTimeoutMinutes));
      // The artifact was inventoried already (by another image, maybe in another registry): nothing to pull.
      if (await hasCurrentInventory(deps.db, image.digest, deps.analyzersKey)) return { output: null };
      const { api, name } = adapter.distribution(image.repository);
      try {
        await assertPullsAllowed(deps.db, registry.id, adapter, api, name, image.digest);
        return { output: await untilAborted(deps.scanner.scan(api, name, image.digest, control.signal), control.signal) };
      } catch (error) {
        throw (await quotaPauseOf(deps.db, registry.id, adapter, error)) ?? error;
      }
    });
    if (!scanned) throw new AttemptRevoked();
    const outcome = scanned.output;
    const transition = await persist(() => endAttempt(deps.db, token, { outcome: ScanAttemptOutcome.SUCCEEDED }, async (tx) => {
      if (outcome) await writeInventory(tx, image.digest, deps.analyzersKey, outcome.layerCount, outcome.inventory);
      // Matched at the current database version, a reused inventory too: cheap, and the job records the version.
      const version = await databaseVersion(tx);
      await writeFindings(tx, await matchArtifacts(tx, [image.digest], storedRecords), version);
      await tx.getRepository(ScanJob).update({ id: scanJobId }, { databaseVersion: version });
    }));
    if (transition) {
      await announce();
      deps.metrics?.scanEnded(ScanAttemptOutcome.SUCCEEDED, seconds());
      log.info(
        outcome ? { packages: outcome.inventory.packages.length, layers: outcome.layerCount, layersRead: outcome.layersRead } : { reused: true },
        "scan succeeded",
      );
    }
  } catch (error) {
    if (control.signal.reason instanceof AttemptRevoked || error instanceof AttemptRevoked) {
      log.info("scan stopped: the job was cancelled or taken over");
      return;
    }
    const end = endOf(error, stopped, timeoutMinutes);
    const transition = await persist(() => endAttempt(deps.db, token, end));
    if (!transition) return;
    await announce();
    deps.metrics?.scanEnded(end.outcome, seconds());
    log.warn({ code: transition.code, status: transition.status }, "scan attempt failed");
    if (transition.status === ScanJobStatus.QUEUED) await persist(() => deps.enqueueScans([scanJobId], end.outcome === ScanAttemptOutcome.PAUSED ? end.until : undefined));
  } finally {
    clearTimeout(timeout);
    clearInterval(liveness);
    deps.stopping.removeEventListener("abort", onStopping);
  }
}

/**
 * Before a pull from a registry with a pull quota: when the newest reading
 * says pulls wait, a manifest HEAD (which the quota does not count) reads the
 * quota afresh, and only if it still says so is the attempt paused.
 */
async function assertPullsAllowed(db: DataSource, registryId: string, adapter: RegistryAdapter, api: DistributionApi, name: string, digest: string): Promise<void> {
  if (!(await pullPauseOf(db, registryId, adapter, new Date()))) return;
  await api.headManifest(name, digest);
  const pause = await pullPauseOf(db, registryId, adapter, new Date());
  if (pause) throw new PullsPaused(pause.until, pause.reason);
}

/** A quota refusal (429) from a registry with a pull quota pauses like a spent quota: until its window passes, or Retry-After. */
async function quotaPauseOf(db: DataSource, registryId: string, adapter: RegistryAdapter, error: unknown): Promise<PullsPaused | null> {
  if (!adapter.pullQuota || !isRegistryError(error, "RATE_LIMITED")) return null;
  const pause = await pullPauseOf(db, registryId, adapter, new Date());
  if (pause) return new PullsPaused(pause.until, pause.reason);
  const until = new Date(Date.now() + (error.retryAfterMs ?? QUOTA_REFUSED_WAIT_MS));
  return new PullsPaused(until, `pulls paused until ${until.toISOString()}: the registry refused a pull over its quota (${error.message})`);
}

/** Settles as soon as `signal` aborts, whatever `work` is waiting on; `work` is then left to fail on the same signal. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    if (signal.aborted) return abort();
    signal.addEventListener("abort", abort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", abort));
  });
}
