import { readFileSync } from "node:fs";
import type { DataSource } from "typeorm";
import { Artifact, ArtifactPackage } from "../../db/entities";
import { loadSecretBox } from "../../lib/secret-box";
import { startWorker, type RunningWorker } from "../../workers/main";
import { createAdapter } from "../../workers/registry/registry";
import { TagResolver } from "../../workers/registry/tag-resolver";
import { AdapterPool } from "../../workers/scan/adapter-pool";
import { ANALYZERS, analyzersKey } from "../../workers/scan/analyzers";
import type { Analyzer } from "../../workers/scan/analyzers/analyzer";
import { ImageScanner } from "../../workers/scan/image-scanner";
import { LayerCache } from "../../workers/scan/layer-cache";
import { DEFAULT_LAYER_LIMITS } from "../../workers/scan/layers/layer-result";
import { capturingLogger } from "../helpers/logs";
import { fixturePath } from "../helpers/fixtures";
import { openWorkerSide, type WorkerSide } from "../helpers/discovery";
import { addPlainRegistry, finished, queueScansOf, waitForJob } from "../helpers/scanning";
import { startTestServer, type TestServer } from "../helpers/server";
import { type FaultProxy, startFaultProxy } from "../registry/fault-proxy";
import { blobOf, buildLayer, file, type Layer, sha256, symlink } from "../registry/image-builder";
import { pushImage } from "../registry/push";
import { type RunningRegistry, startRegistry } from "../registry/registry-server";

/**
 * The image_scan pipeline in a real worker (in this process) against the real
 * registry. Timeouts run in seconds: the worker is started with
 * `scanMinuteMs: 1000`, so a registry's `scanTimeoutMinutes: 1` is one second.
 */

let server: TestServer;
let registry: RunningRegistry;
let counting: FaultProxy;
let secondRoute: FaultProxy;
let stalling: FaultProxy;
let side: WorkerSide;
let worker: RunningWorker;
let db: DataSource;

const alpineBase = buildLayer([
  file("etc/alpine-release", readFileSync(fixturePath("pkgdb", "alpine-3.18", "etc", "alpine-release"))),
  file("usr/lib/os-release", readFileSync(fixturePath("pkgdb", "alpine-3.18", "etc", "os-release"))),
  symlink("etc/os-release", "../usr/lib/os-release"),
  file("lib/apk/db/installed", readFileSync(fixturePath("pkgdb", "alpine-3.18", "lib", "apk", "db", "installed"))),
]);
const appLayer = buildLayer([file("app/site-packages/Pygments-2.6.1.dist-info/METADATA", readFileSync(fixturePath("pkgdb", "python", "site-packages", "Pygments-2.6.1.dist-info", "METADATA")))]);
const otherLayer = buildLayer([file("srv/node_modules/accepts/package.json", JSON.stringify({ name: "accepts", version: "1.3.8" }))]);
const stallingLayer = buildLayer([file("big", "x".repeat(4096))]);
const corruptLayer: Layer = { ...blobOf(Buffer.from("this is not a gzip stream")), diffId: sha256("x"), tar: Buffer.alloc(0), compression: "gzip" };

let appDigest: string;

beforeAll(async () => {
  server = await startTestServer();
  registry = await startRegistry();
  appDigest = (await pushImage(registry, "shop/app", "1", { layers: [alpineBase, appLayer], config: { created: new Date() } })).manifestDigest;
  await pushImage(registry, "shop/other", "1", { layers: [alpineBase, otherLayer], config: { created: new Date() } });
  await pushImage(registry, "shop/stalls", "1", { layers: [stallingLayer], config: { created: new Date() } });
  await pushImage(registry, "shop/corrupt", "1", { layers: [corruptLayer], config: { created: new Date() } });
  // rate 0: a pass-through that counts requests by method and path.
  counting = await startFaultProxy({ target: registry.url, seed: 1, rate: 0, faults: ["500"], maxConsecutive: 1 });
  secondRoute = await startFaultProxy({ target: registry.url, seed: 2, rate: 0, faults: ["500"], maxConsecutive: 1 });
  // A layer blob that never finishes: its body dribbles for 10 minutes.
  stalling = await startFaultProxy({
    target: registry.url,
    seed: 3,
    rate: 1,
    faults: ["slow"],
    slowMode: "body",
    slowMs: 600_000,
    maxConsecutive: 1_000_000,
    only: (req) => req.path.endsWith(`/blobs/${stallingLayer.digest}`),
  });
  side = await openWorkerSide(server);
  db = side.db;
  worker = await startWorker({ ...server.config, workerConcurrency: 3 }, capturingLogger("silent").logger, { scanMinuteMs: 1000 });
});

afterAll(async () => {
  await worker?.stop();
  await side?.close();
  for (const proxy of [counting, secondRoute, stalling]) await proxy?.stop();
  await registry?.stop();
  await server?.stop();
});

const blobRequests = (proxy: FaultProxy, repo: string, digest: string) =>
  proxy.stats().byKey.get(`GET /v2/${repo}/blobs/${digest}`) ?? 0;

test("a scan inventories the image: OS through a symlink, packages with the layer each first appears in", async () => {
  const registryId = await addPlainRegistry(server, { name: "counted", url: counting.url });
  const [id] = await queueScansOf(server, registryId, ["shop/app:1"]);
  const { job, attempts } = await waitForJob(db, id, finished);
  expect([job.status, job.errorMessage]).toEqual(["SUCCEEDED", null]);
  expect(attempts.map((a) => [a.number, a.outcome, a.code])).toEqual([[1, "SUCCEEDED", null]]);

  const artifact = await db.getRepository(Artifact).findOneByOrFail({ digest: appDigest });
  expect(artifact.os).toMatchObject({ id: "alpine", versionId: "3.18.1" });
  const packages = await db.getRepository(ArtifactPackage).find({ where: { artifactDigest: appDigest } });
  const apk = packages.filter((p) => p.type === "apk");
  expect(apk).toHaveLength(15);
  expect(apk.find((p) => p.name === "musl")).toMatchObject({ version: "1.2.4-r0", layerDigest: alpineBase.digest, path: "lib/apk/db/installed" });
  expect(packages.find((p) => p.type === "pypi")).toMatchObject({ name: "Pygments", version: "2.6.1", layerDigest: appLayer.digest });
  expect(blobRequests(counting, "shop/app", alpineBase.digest)).toBe(1);
  expect(blobRequests(counting, "shop/app", appLayer.digest)).toBe(1);
});

test("a second image sharing the base layer downloads only its own layer", async () => {
  const registryId = await addPlainRegistry(server, { name: "counted-2", url: counting.url });
  const [id] = await queueScansOf(server, registryId, ["shop/other:1"]);
  expect((await waitForJob(db, id, finished)).job.status).toBe("SUCCEEDED");
  expect(blobRequests(counting, "shop/other", alpineBase.digest)).toBe(0);
  expect(blobRequests(counting, "shop/other", otherLayer.digest)).toBe(1);
  const names = (await db.getRepository(ArtifactPackage).find({ where: { artifactDigest: (await db.query("SELECT digest FROM image WHERE repository = 'shop/other'"))[0].digest } })).map((p) => p.name);
  expect(names).toEqual(expect.arrayContaining(["musl", "accepts"]));
});

test("the same digest reached through a second integration is not pulled at all", async () => {
  const registryId = await addPlainRegistry(server, { name: "second-route", url: secondRoute.url });
  const before = secondRoute.stats().requests;
  const [id] = await queueScansOf(server, registryId, [`shop/app@${appDigest}`]);
  const afterIntake = secondRoute.stats().requests;
  expect(afterIntake).toBeGreaterThan(before); // the intake checked the reference
  const { job } = await waitForJob(db, id, finished);
  expect(job.status).toBe("SUCCEEDED");
  expect(secondRoute.stats().requests).toBe(afterIntake);
});

test("an attempt over the registry's timeout is aborted and re-queued; after three the job fails with SCAN_TIMEOUT", async () => {
  const registryId = await addPlainRegistry(server, { name: "stalls", url: stalling.url, scanTimeoutMinutes: 1 });
  const started = Date.now();
  const [id] = await queueScansOf(server, registryId, ["shop/stalls:1"]);
  const { job, attempts } = await waitForJob(db, id, finished, 20_000);
  expect(job).toMatchObject({ status: "FAILED", errorCode: "SCAN_TIMEOUT", attemptCount: 3 });
  expect(attempts.map((a) => [a.number, a.outcome, a.code])).toEqual([
    [1, "TIMED_OUT", "SCAN_TIMEOUT"],
    [2, "TIMED_OUT", "SCAN_TIMEOUT"],
    [3, "TIMED_OUT", "SCAN_TIMEOUT"],
  ]);
  for (const attempt of attempts) {
    const ms = attempt.finishedAt!.getTime() - attempt.startedAt.getTime();
    expect(ms).toBeGreaterThanOrEqual(900);
    expect(ms).toBeLessThan(4000);
  }
  expect(Date.now() - started).toBeLessThan(15_000);
  // The abort reached the HTTP streams: the stalled blob downloads were hung up.
  await until(() => stalling.inFlight() === 0, 2000);
});

test("deleting the registry of a RUNNING scan stops it within 5 seconds", async () => {
  const registryId = await addPlainRegistry(server, { name: "doomed", url: stalling.url, scanTimeoutMinutes: 60 });
  const [id] = await queueScansOf(server, registryId, ["shop/stalls:1"]);
  await waitForJob(db, id, ({ job }) => job.status === "RUNNING");
  await until(() => stalling.inFlight() > 0, 5000);
  const deleted = Date.now();
  const answer = await server.gql(`mutation($ids: [ID!]!) { deleteRegistries(ids: $ids) }`, { ids: [registryId] });
  expect(answer.errors).toBeUndefined();
  await until(() => stalling.inFlight() === 0, 5000);
  expect(Date.now() - deleted).toBeLessThan(5000);
  expect(await db.query("SELECT id FROM scan_job WHERE id = ?", [id])).toEqual([]);
});

test("deleteScanJobs stops a RUNNING scan within 5 seconds; retryScanJob starts it again with a fresh count", async () => {
  const registryId = await addPlainRegistry(server, { name: "cancel-me", url: stalling.url, scanTimeoutMinutes: 60 });
  const [id] = await queueScansOf(server, registryId, ["shop/stalls:1"]);
  await waitForJob(db, id, ({ job }) => job.status === "RUNNING");
  await until(() => stalling.inFlight() > 0, 5000);
  const cancelled = Date.now();
  const answer = await server.gql(`mutation($ids: [ID!]!) { deleteScanJobs(ids: $ids) { id status } }`, { ids: [id] });
  expect(answer.data?.deleteScanJobs).toEqual([{ id, status: "CANCELLED" }]);
  await until(() => stalling.inFlight() === 0, 5000);
  expect(Date.now() - cancelled).toBeLessThan(5000);
  const { job, attempts } = await waitForJob(db, id, finished);
  expect(job.status).toBe("CANCELLED");
  expect(attempts.map((a) => a.outcome)).toEqual(["CANCELLED"]);

  const retried = await server.gql(`mutation($id: ID!) { retryScanJob(id: $id) { status attemptCount } }`, { id });
  expect(retried.data?.retryScanJob).toEqual({ status: "QUEUED", attemptCount: 0 });
  // A worker takes it again: attempt 2 of the job's life, the first of the new count.
  const again = await waitForJob(db, id, ({ job }) => job.status === "RUNNING");
  expect([again.job.attemptCount, again.attempts.map((a) => a.number)]).toEqual([1, [1, 2]]);
  await server.gql(`mutation($ids: [ID!]!) { deleteScanJobs(ids: $ids) { id } }`, { ids: [id] });
  await until(() => stalling.inFlight() === 0, 5000);
});

test("the layer cache is keyed by analyzer versions: bumping one reads the layers again", async () => {
  const logger = capturingLogger("silent").logger;
  const registryId = await addPlainRegistry(server, { name: "cache-keys", url: registry.url });
  const adapters = new AdapterPool(db, (r) => createAdapter(r, loadSecretBox(server.config, logger), new TagResolver([])));
  const scanWith = async (analyzers: readonly Analyzer[]) => {
    const scanner = new ImageScanner({ analyzers, cache: new LayerCache(db, analyzersKey(analyzers)), limits: DEFAULT_LAYER_LIMITS, logger, layerConcurrency: 2 });
    return adapters.with(registryId, (adapter) => {
      const { api, name } = adapter.distribution("shop/app");
      return scanner.scan(api, name, appDigest, new AbortController().signal);
    });
  };
  try {
    // shop/app was scanned above with the current analyzers: everything is cached.
    expect((await scanWith(ANALYZERS))!.layersRead).toBe(0);
    const bumped = ANALYZERS.map((a) => (a.name === "apk" ? { ...a, required: a.required, analyze: a.analyze, version: a.version + 1 } : a));
    const again = (await scanWith(bumped))!;
    expect(again.layersRead).toBe(2);
    expect(again.inventory.packages.filter((p) => p.type === "apk")).toHaveLength(15);
    // The old entries were replaced, not kept beside the new ones.
    const keys = await db.query("SELECT DISTINCT analyzersKey FROM layer_analysis WHERE layerDigest = ?", [alpineBase.digest]);
    expect(keys).toEqual([{ analyzersKey: analyzersKey(bumped) }]);
  } finally {
    await adapters.close();
  }
});

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test("a non-retryable error fails the job at its first attempt with its code", async () => {
  const registryId = await addPlainRegistry(server, { name: "corrupt", url: registry.url });
  const [id] = await queueScansOf(server, registryId, ["shop/corrupt:1"]);
  const { job, attempts } = await waitForJob(db, id, finished);
  expect(job).toMatchObject({ status: "FAILED", errorCode: "INVALID_LAYER", attemptCount: 1 });
  expect(attempts.map((a) => [a.outcome, a.code])).toEqual([["FAILED", "INVALID_LAYER"]]);
});
