import { createGzip, gzipSync } from "node:zlib";
import { Artifact } from "../../db/entities";
import { startWorker, type RunningWorker } from "../../workers/main";
import { openWorkerSide, type WorkerSide } from "../helpers/discovery";
import { capturingLogger } from "../helpers/logs";
import { addPlainRegistry, finished, type JobState, queueScansOf, waitForJob } from "../helpers/scanning";
import { startTestServer, type TestServer } from "../helpers/server";
import { type HostileFront, startHostileFront } from "../registry/hostile-front";
import { blobOf, type BuiltConfig, buildLayer, file, type Layer, sha256, symlink } from "../registry/image-builder";
import { pushImage } from "../registry/push";
import { type RunningRegistry, startRegistry } from "../registry/registry-server";

/**
 * Hostile registries (DESIGN §7: registry responses are untrusted input),
 * each through a real scan in a real worker (in this process, timeouts in
 * seconds: `scanMinuteMs: 1000`). Layers are pushed to the real registry
 * where it can hold them; what a real registry would never serve (a swapped
 * blob, a redirect loop, an endless body, a 100 MB manifest, broken JSON)
 * comes from a small hostile server on 127.0.0.1 in front of it.
 *
 * Each case ends with its code, the worker then still scans a normal image,
 * and the process's resident memory grew by less than RSS_GROWTH_BOUND while
 * the case ran: a worker that held the 1 GiB bomb or the 100 MB manifest
 * whole would pass it.
 */

const MiB = 1024 * 1024;
/** The worker's DRYDOCK_MAX_LAYER_BYTES here: the bomb inflates to 1 GiB, 8 times this. */
const MAX_LAYER_BYTES = 128 * MiB;
/** Generous: streaming a case costs a few MiB; holding the bomb or the manifest whole costs 100 MiB to 1 GiB. */
const RSS_GROWTH_BOUND = 96 * MiB;

let server: TestServer;
let registry: RunningRegistry;
let front: HostileFront;
let side: WorkerSide;
let worker: RunningWorker;
let workerLog: string[];
let realId: string;
let frontId: string;
let slowId: string;

beforeAll(async () => {
  server = await startTestServer();
  registry = await startRegistry();
  front = await startHostileFront(registry.url);
  side = await openWorkerSide(server);
  const captured = capturingLogger("info");
  workerLog = captured.lines;
  worker = await startWorker({ ...server.config, workerConcurrency: 2, maxLayerBytes: MAX_LAYER_BYTES }, captured.logger, { scanMinuteMs: 1000 });
  realId = await addPlainRegistry(server, { name: "real", url: registry.url });
  frontId = await addPlainRegistry(server, { name: "hostile", url: front.url });
  slowId = await addPlainRegistry(server, { name: "hostile-slow", url: front.url, scanTimeoutMinutes: 1 });
});

afterAll(async () => {
  await worker?.stop();
  await side?.close();
  await front?.stop();
  await registry?.stop();
  await server?.stop();
});

/** Peak RSS of this process (the worker runs in it) while `run` runs, minus RSS before it. */
async function rssGrowthDuring<T>(run: () => Promise<T>): Promise<{ result: T; growth: number }> {
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  try {
    const result = await run();
    return { result, growth: Math.max(peak, process.memoryUsage().rss) - baseline };
  } finally {
    clearInterval(timer);
  }
}

/** Queues one scan through the API and waits for its end, measuring memory meanwhile. */
async function scan(registryId: string, reference: string): Promise<JobState> {
  const { result, growth } = await rssGrowthDuring(async () => {
    const [id] = await queueScansOf(server, registryId, [reference]);
    return waitForJob(side.db, id, finished, 60_000);
  });
  if (growth >= RSS_GROWTH_BOUND) throw new Error(`RSS grew by ${Math.round(growth / MiB)} MiB while scanning ${reference}; the bound is ${RSS_GROWTH_BOUND / MiB} MiB`);
  return result;
}

const outcomes = ({ attempts }: JobState) => attempts.map((a) => [a.number, a.outcome, a.code]);

let healthyScans = 0;
/** The worker is still up: a normal image scans to the end. */
async function expectWorkerStillScans(): Promise<void> {
  const n = ++healthyScans;
  const pushed = await pushImage(registry, "ok/app", `v${n}`, {
    layers: [buildLayer([file("etc/os-release", `ID=alpine\nVERSION_ID=3.18.${n}\n`)])],
    config: { created: new Date() },
  });
  const { job } = await scan(realId, `ok/app:v${n}`);
  expect([job.status, job.errorCode]).toEqual(["SUCCEEDED", null]);
  expect((await side.db.getRepository(Artifact).findOneByOrFail({ digest: pushed.manifestDigest })).os).toMatchObject({ versionId: `3.18.${n}` });
}

const image = (name: string, entries: Parameters<typeof buildLayer>[0]) =>
  pushImage(registry, name, "1", { layers: [buildLayer(entries)], config: { created: new Date() } });

test("tar path traversal: paths climbing out of the image are confined to its root and logged; the scan goes on", async () => {
  const pushed = await image("hostile/traversal", [
    file("../../../etc/os-release", "ID=alpine\nVERSION_ID=3.19.1\n"),
    file("usr/../../../../tmp/escaped", "x"),
  ]);
  const state = await scan(realId, "hostile/traversal:1");
  expect([state.job.status, outcomes(state)]).toEqual(["SUCCEEDED", [[1, "SUCCEEDED", null]]]);
  // Read at the confined path etc/os-release, inside the image.
  expect((await side.db.getRepository(Artifact).findOneByOrFail({ digest: pushed.manifestDigest })).os).toMatchObject({ id: "alpine", versionId: "3.19.1" });
  const confined = workerLog.filter((line) => line.includes("layer path outside the image root was confined")).map((line) => JSON.parse(line));
  expect(confined.map((entry) => [entry.path, entry.confinedTo])).toEqual(
    expect.arrayContaining([
      ["../../../etc/os-release", "etc/os-release"],
      ["usr/../../../../tmp/escaped", "tmp/escaped"],
    ]),
  );
  await expectWorkerStillScans();
});

test("a symlink loop ends the scan with SYMLINK_LOOP at once", async () => {
  await image("hostile/symlinks", [symlink("etc/os-release", "../usr/lib/os-release"), symlink("usr/lib/os-release", "../../etc/os-release")]);
  const state = await scan(realId, "hostile/symlinks:1");
  expect([state.job.status, state.job.errorCode, outcomes(state)]).toEqual(["FAILED", "SYMLINK_LOOP", [[1, "FAILED", "SYMLINK_LOOP"]]]);
  await expectWorkerStillScans();
});

/** A ustar header for one regular file of `size` bytes. */
function tarHeader(name: string, size: number): Buffer {
  const header = Buffer.alloc(512);
  const field = (offset: number, length: number, value: string) => header.write(value.padEnd(length, "\0").slice(0, length), offset, "latin1");
  field(0, 100, name);
  field(100, 8, "0000644");
  field(108, 8, "0000000");
  field(116, 8, "0000000");
  field(124, 12, size.toString(8).padStart(11, "0"));
  field(136, 12, "00000000000");
  field(156, 1, "0");
  field(257, 6, "ustar");
  field(263, 2, "00");
  header.fill(" ", 148, 156);
  const sum = header.reduce((total, byte) => total + byte, 0);
  field(148, 8, sum.toString(8).padStart(6, "0") + "\0 ");
  return header;
}

test("a gzip bomb (1 MiB that inflates to 1 GiB) stops at the layer size bound with LAYER_TOO_LARGE", async () => {
  const size = 1024 * MiB;
  const zeros = gzipSync(Buffer.alloc(16 * MiB), { level: 9 });
  // gzip members concatenate: one header member, then 64 members of 16 MiB of zeros.
  const bytes = Buffer.concat([gzipSync(tarHeader("bomb", size)), ...Array.from({ length: size / (16 * MiB) }, () => zeros)]);
  expect(bytes.length).toBeLessThan(2 * MiB);
  const bomb: Layer = { ...blobOf(bytes), diffId: sha256("bomb"), tar: Buffer.alloc(0), compression: "gzip" };
  await pushImage(registry, "hostile/bomb", "1", { layers: [bomb], config: { created: new Date() } });

  const state = await scan(realId, "hostile/bomb:1");
  expect([state.job.status, state.job.errorCode, outcomes(state)]).toEqual(["FAILED", "LAYER_TOO_LARGE", [[1, "FAILED", "LAYER_TOO_LARGE"]]]);
  await expectWorkerStillScans();
});

test("a 100 MB manifest is cut off at the manifest size bound: RESPONSE_TOO_LARGE", async () => {
  const pushed = await image("hostile/huge", [file("etc/hostname", "huge")]);
  const path = `/v2/hostile/huge/manifests/${pushed.manifestDigest}`;
  let sentBytes = 0;
  // The intake (server) reads the real manifest; the worker's read gets 100 MB, chunked, without a length.
  front.answer("GET", path, (_req, res, before) => {
    if (before === 0) return false;
    res.writeHead(200, { "content-type": "application/vnd.docker.distribution.manifest.v2+json", "docker-content-digest": pushed.manifestDigest });
    const chunk = Buffer.from(`{"schemaVersion":2,"pad":"${"x".repeat(MiB - 30)}`);
    const write = () => {
      while (sentBytes < 100 * MiB && !res.destroyed) {
        sentBytes += chunk.length;
        if (!res.write(chunk)) return void res.once("drain", write);
      }
      if (!res.destroyed) res.end('"}');
    };
    write();
    return true;
  });
  const state = await scan(frontId, "hostile/huge:1");
  expect([state.job.status, state.job.errorCode, outcomes(state)]).toEqual(["FAILED", "RESPONSE_TOO_LARGE", [[1, "FAILED", "RESPONSE_TOO_LARGE"]]]);
  expect(state.job.errorMessage).toMatch(/limit of \d+ bytes/);
  expect(sentBytes).toBeLessThan(100 * MiB); // the worker hung up instead of reading on
  await expectWorkerStillScans();
});

test("invalid JSON in a manifest or a config is refused with REGISTRY_PROTOCOL, and nothing is queued", async () => {
  const garbage = Buffer.from('{"schemaVersion": 2, "layers": [');
  const garbageDigest = sha256(garbage);
  const serveGarbage = (method: string) => (_req: unknown, res: import("node:http").ServerResponse) => {
    res.writeHead(200, { "content-type": "application/vnd.oci.image.manifest.v1+json", "content-length": garbage.length, "docker-content-digest": garbageDigest });
    res.end(method === "HEAD" ? undefined : garbage);
    return true;
  };
  for (const ref of ["1", garbageDigest]) for (const method of ["HEAD", "GET"]) front.answer(method, `/v2/hostile/badjson/manifests/${ref}`, serveGarbage(method));
  const badConfig = { ...blobOf("{ this is not JSON"), json: {} } as unknown as BuiltConfig;
  await pushImage(registry, "hostile/badconfig", "1", { layers: [buildLayer([file("etc/hostname", "x")])], config: badConfig });

  const before = await side.db.query("SELECT COUNT(*) AS n FROM scan_job");
  const answer = await server.gql(`mutation($id: ID!, $refs: [String!]!) { addScanJobs(registryId: $id, references: $refs) { reference status message scanJob { id } } }`, {
    id: frontId,
    refs: ["hostile/badjson:1", "hostile/badconfig:1"],
  });
  expect(answer.data?.addScanJobs).toEqual([
    { reference: "hostile/badjson:1", status: "REGISTRY_ERROR", message: expect.stringMatching(/^REGISTRY_PROTOCOL: .*JSON/), scanJob: null },
    { reference: "hostile/badconfig:1", status: "REGISTRY_ERROR", message: expect.stringMatching(/^REGISTRY_PROTOCOL: .*JSON/), scanJob: null },
  ]);
  expect(await side.db.query("SELECT COUNT(*) AS n FROM scan_job")).toEqual(before);
  await expectWorkerStillScans();
});

test("a layer whose content does not match its digest fails the scan with DIGEST_MISMATCH", async () => {
  const layer = buildLayer([file("etc/hostname", "genuine")]);
  await pushImage(registry, "hostile/mismatch", "1", { layers: [layer], config: { created: new Date() } });
  const swapped = Buffer.alloc(layer.size, 0x1f);
  front.answer("GET", `/v2/hostile/mismatch/blobs/${layer.digest}`, (_req, res) => {
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": swapped.length, "docker-content-digest": layer.digest });
    res.end(swapped);
    return true;
  });
  const state = await scan(frontId, "hostile/mismatch:1");
  expect([state.job.status, state.job.errorCode, outcomes(state)]).toEqual(["FAILED", "DIGEST_MISMATCH", [[1, "FAILED", "DIGEST_MISMATCH"]]]);
  await expectWorkerStillScans();
});

test("a redirect loop is followed a bounded number of times, then fails the scan with REGISTRY_PROTOCOL", async () => {
  const layer = buildLayer([file("etc/hostname", "loop")]);
  await pushImage(registry, "hostile/redirects", "1", { layers: [layer], config: { created: new Date() } });
  const path = `/v2/hostile/redirects/blobs/${layer.digest}`;
  let redirects = 0;
  front.answer("GET", path, (_req, res) => {
    redirects++;
    res.writeHead(307, { location: `${front.url}${path}` }).end();
    return true;
  });
  const state = await scan(frontId, "hostile/redirects:1");
  expect([state.job.status, state.job.errorCode, outcomes(state)]).toEqual(["FAILED", "REGISTRY_PROTOCOL", [[1, "FAILED", "REGISTRY_PROTOCOL"]]]);
  expect(state.job.errorMessage).toMatch(/redirects/);
  expect(redirects).toBeLessThanOrEqual(10);
  await expectWorkerStillScans();
});

test("an endless slow stream is bounded by the scan timeout: three attempts, then SCAN_TIMEOUT", async () => {
  const layer = buildLayer([file("etc/hostname", "slow")]);
  await pushImage(registry, "hostile/slow", "1", { layers: [layer], config: { created: new Date() } });
  front.answer("GET", `/v2/hostile/slow/blobs/${layer.digest}`, (_req, res) => {
    // A well-formed gzip tar of one 1 GiB file whose content trickles in, 512 bytes every 50 ms, for as long as someone listens.
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": 1024 * MiB });
    const gzip = createGzip();
    gzip.on("data", (chunk: Buffer) => res.write(chunk));
    gzip.write(tarHeader("slow", 1024 * MiB));
    const timer = setInterval(() => gzip.write(Buffer.alloc(512), () => gzip.flush()), 50);
    res.once("close", () => {
      clearInterval(timer);
      gzip.destroy();
    });
    return true;
  });
  const started = Date.now();
  const state = await scan(slowId, "hostile/slow:1");
  expect([state.job.status, state.job.errorCode, outcomes(state)]).toEqual([
    "FAILED",
    "SCAN_TIMEOUT",
    [
      [1, "TIMED_OUT", "SCAN_TIMEOUT"],
      [2, "TIMED_OUT", "SCAN_TIMEOUT"],
      [3, "TIMED_OUT", "SCAN_TIMEOUT"],
    ],
  ]);
  expect(Date.now() - started).toBeLessThan(30_000);
  // The worker hung up on every stream.
  const deadline = Date.now() + 5000;
  while (front.inFlight() > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  expect(front.inFlight()).toBe(0);
  await expectWorkerStillScans();
});
