/**
 * Scanning (issue 4, "Benchmark"): the real registry holds an image of about
 * 1 GB uncompressed — a real Debian 12 dpkg database from the fixtures with
 * 30,000 small files, a large compressible layer, a large incompressible one,
 * and an application layer (node_modules, a Python package, a large
 * executable the Go analyzer must stream through) — and a second image
 * sharing its three base layers. It prints
 *   - the cold scan's wall time (the image_scan path: attempt, pull, layer
 *     walk, analyzers, layer cache and inventory writes in MySQL);
 *   - the floor: fetching and decompressing every layer of the image with
 *     undici and zlib, no analysis, the same layers at once as the scanner,
 *     measured in the same process, before and after the cold scan;
 *   - their ratio (target ≤ 1.3);
 *   - the second image's time with the base layers cached, against its own
 *     cold time (layer cache emptied; target ≤ 0.2);
 *   - the measuring process's peak RSS (target ≤ 256 MB).
 * Layers are generated as streams into temp files and uploaded from them, so
 * the bench itself never holds a layer either. Everything it starts is
 * stopped or removed, also on failure.
 *
 * Run: npm run bench:scan
 *   BENCH_SCALE=0.1                 a tenth of the bytes, for a quick try
 *   BENCH_CHILD_NODE_OPTIONS=--cpu-prof   profile the measuring process
 */
import "reflect-metadata";
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { PassThrough, Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip, createGzip } from "node:zlib";
import { pack } from "tar-stream";
import { Agent, request } from "undici";
import { GUNZIP_CHUNK_BYTES } from "../workers/scan/layers/decompress";
import { benchMain, type Cleanup, serveMessages, startMeasuringProcess } from "./measuring-process";

const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const MB = 1024 * 1024;
const TARGETS = { ratio: 1.3, secondImage: 0.2, rssMb: 256 };
/** As the worker: layers of one image read at once. */
const LAYERS_AT_ONCE = 3;
/** Set by the parent from test/helpers/fixtures (the measuring child reads no fixture). */
let FIXTURES = "";

interface LayerFile {
  digest: string;
  diffId: string;
  size: number;
  uncompressed: number;
  path: string;
}

interface FloorResult {
  ms: number;
  bytes: number;
}

interface ScanResult {
  ms: number;
  status: string;
  layersRead: number;
  packages: number;
  cpuMs: number;
}

type ToChild =
  | { type: "open"; mysqlUrl: string; databaseUrl: string; secretKey: string | undefined; dataDir: string }
  | { type: "floor"; url: string; repository: string; layers: string[] }
  | { type: "scan"; imageId: string; cold: boolean }
  | { type: "close" };

// ------------------------------------------------------------------ parent

export interface ScanBenchResult {
  coldScanMs: number;
  floorMs: number;
  /** Cold scan over the floor. */
  ratio: number;
  /** The second image (base layers cached) over its cold time. */
  secondRatio: number;
  peakRssMb: number;
  met: boolean;
}

export async function run(): Promise<ScanBenchResult> {
  const { startRegistry } = await import("../test/registry/registry-server");
  const { startTestServer } = await import("../test/helpers/server");
  FIXTURES = (await import("../test/helpers/fixtures")).FIXTURES_DIR;
  const cleanup: Cleanup = [];
  try {
    const dir = mkdtempSync(path.join(os.tmpdir(), "drydock-scan-bench-"));
    cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
    const registry = await startRegistry();
    cleanup.push(() => registry.stop());

    const built = performance.now();
    const [base, compressible, incompressible, app, otherApp] = await Promise.all([
      writeLayer(dir, "base", baseEntries()),
      writeLayer(dir, "compressible", compressibleEntries()),
      writeLayer(dir, "incompressible", incompressibleEntries()),
      writeLayer(dir, "app", appEntries("app")),
      writeLayer(dir, "other-app", appEntries("other")),
    ]);
    const first = [base, compressible, incompressible, app];
    const second = [base, compressible, incompressible, otherApp];
    await pushImageOf(registry, "bench/big", first);
    await pushImageOf(registry, "bench/sibling", second);
    const setupMs = performance.now() - built;

    const server = await startTestServer();
    cleanup.push(() => server.stop());
    const registryId = await addIntegration(server, registry.url);
    const [bigId, siblingId] = await imageIds(server, registryId, ["bench/big:1", "bench/sibling:1"]);

    const child = await startMeasuringProcess<ToChild>(cleanup, "bench/scan.bench.ts");
    await child.ask({ type: "open", mysqlUrl: server.config.mysqlUrl, databaseUrl: server.config.databaseUrl, secretKey: server.config.secretKey, dataDir: server.config.dataDir });
    const floorOf = (layers: LayerFile[], repository: string) =>
      child.ask<FloorResult>({ type: "floor", url: registry.url, repository, layers: layers.map((l) => l.digest) });

    const floors = [await floorOf(first, "bench/big")];
    const cold = await child.ask<ScanResult>({ type: "scan", imageId: bigId, cold: true });
    floors.push(await floorOf(first, "bench/big"));
    const warmSibling = await child.ask<ScanResult>({ type: "scan", imageId: siblingId, cold: false });
    const coldSibling = await child.ask<ScanResult>({ type: "scan", imageId: siblingId, cold: true });
    const { peakRssMb } = await child.ask<{ peakRssMb: number }>({ type: "close" });
    await child.exited();

    const uncompressed = first.reduce((sum, l) => sum + l.uncompressed, 0);
    const compressed = first.reduce((sum, l) => sum + l.size, 0);
    const floorMs = floors.reduce((sum, f) => sum + f.ms, 0) / floors.length;
    const ratio = cold.ms / floorMs;
    const secondRatio = warmSibling.ms / coldSibling.ms;
    const verdict = (ok: boolean) => (ok ? "ok" : "MISSED");
    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    const scan = (r: ScanResult) => `${s(r.ms)} — ${r.status}, ${r.layersRead} layers read, ${r.packages} packages, CPU ${s(r.cpuMs)}`;
    console.log(`scan: image of ${(uncompressed / MB).toFixed(0)} MB uncompressed (${(compressed / MB).toFixed(0)} MB compressed, 4 layers), built and pushed in ${s(setupMs)}`);
    console.log(`  floor, undici + gunzip of every layer, ${LAYERS_AT_ONCE} at once: ${floors.map((f) => s(f.ms)).join(" / ")}`);
    console.log(`  cold scan: ${scan(cold)}`);
    console.log(`  cold scan / floor: ${ratio.toFixed(2)} (target ≤ ${TARGETS.ratio}) ${verdict(ratio <= TARGETS.ratio)}`);
    console.log(`  second image, base layers cached: ${scan(warmSibling)}`);
    console.log(`  second image cold (layer cache emptied): ${scan(coldSibling)}`);
    console.log(`    = ${secondRatio.toFixed(3)} × its cold time (target ≤ ${TARGETS.secondImage}) ${verdict(secondRatio <= TARGETS.secondImage)}`);
    console.log(`  peak RSS of the measuring process: ${peakRssMb.toFixed(0)} MB (target ≤ ${TARGETS.rssMb}) ${verdict(peakRssMb <= TARGETS.rssMb)}`);
    const met = ratio <= TARGETS.ratio && secondRatio <= TARGETS.secondImage && peakRssMb <= TARGETS.rssMb;
    return { coldScanMs: cold.ms, floorMs, ratio, secondRatio, peakRssMb, met };
  } finally {
    for (const step of cleanup.reverse()) await step().catch((error) => console.error(`cleanup failed: ${String(error)}`));
  }
}

async function addIntegration(server: import("../test/helpers/server").TestServer, url: string): Promise<string> {
  const added = await server.gql(`mutation($input: AddRegistryInput!) { addRegistry(input: $input) { id } }`, {
    input: { name: "bench", type: "DOCKER_REGISTRY", url, insecure: true, authMethod: "NONE" },
  });
  if (added.errors) throw new Error(`addRegistry: ${JSON.stringify(added.errors)}`);
  return added.data!.addRegistry.id;
}

/** Records the images through the API (addScanJobs); the measuring process scans them itself. */
async function imageIds(server: import("../test/helpers/server").TestServer, registryId: string, references: string[]): Promise<string[]> {
  const answer = await server.gql(
    `mutation($id: ID!, $refs: [String!]!) { addScanJobs(registryId: $id, references: $refs) { status message scanJob { image { id } } } }`,
    { id: registryId, refs: references },
  );
  const results = answer.data?.addScanJobs as Array<{ status: string; message: string; scanJob: { image: { id: string } } }> | undefined;
  if (!results || results.some((r) => r.status !== "QUEUED")) throw new Error(`addScanJobs: ${JSON.stringify(answer.errors ?? results)}`);
  return results.map((r) => r.scanJob.image.id);
}

// ------------------------------------------------------------------ layer content

interface Entry {
  name: string;
  size: number;
  mode?: number;
  /** Content in chunks; their total is `size`. */
  content: () => Iterable<Buffer>;
}

const bytes = (n: number) => Math.max(1, Math.round(n * SCALE));

function* repeated(size: number, make: (offset: number) => Buffer): Iterable<Buffer> {
  for (let offset = 0; offset < size; ) {
    const chunk = make(offset);
    const take = Math.min(chunk.length, size - offset);
    yield take === chunk.length ? chunk : chunk.subarray(0, take);
    offset += take;
  }
}

const text = (line: (n: number) => string) => (size: number) => () =>
  repeated(size, (offset) => {
    const lines: string[] = [];
    for (let i = 0, n = offset; i < 2000; i++, n++) lines.push(line(n));
    return Buffer.from(lines.join("\n") + "\n");
  });

function fileOf(name: string, content: Buffer, mode?: number): Entry {
  return { name, size: content.length, mode, content: () => [content] };
}

function* baseEntries(): Iterable<Entry> {
  yield fileOf("etc/os-release", readFileSync(path.join(FIXTURES, "pkgdb/debian-12/etc/os-release")));
  yield fileOf("var/lib/dpkg/status", readFileSync(path.join(FIXTURES, "pkgdb/debian-12/var/lib/dpkg/status")));
  const files = Math.round(30_000 * SCALE);
  for (let i = 0; i < files; i++) {
    const size = 1024 + ((i * 7919) % 3072);
    yield { name: `usr/share/doc/pkg-${i % 300}/file-${i}.txt`, size, content: text((n) => `doc ${i} line ${n} lorem ipsum dolor`)(size) };
  }
}

function* compressibleEntries(): Iterable<Entry> {
  for (let i = 0; i < 5; i++) {
    const size = bytes(100 * MB);
    yield { name: `opt/data/log-${i}.txt`, size, content: text((n) => `${n} INFO service-${n % 97} request handled in ${(n * 31) % 1000} ms id=${(n * 2654435761) % 4294967296}`)(size) };
  }
}

function* incompressibleEntries(): Iterable<Entry> {
  for (let i = 0; i < 3; i++) {
    const size = bytes(100 * MB);
    yield { name: `opt/blobs/random-${i}.bin`, size, content: () => repeated(size, () => randomBytes(MB)) };
  }
}

function* appEntries(name: string): Iterable<Entry> {
  const packages = Math.max(1, Math.round(2000 * SCALE));
  for (let i = 0; i < packages; i++) {
    yield fileOf(`srv/${name}/node_modules/pkg-${i}/package.json`, Buffer.from(JSON.stringify({ name: `pkg-${i}`, version: `1.${i % 50}.${i % 7}`, description: "bench" })));
  }
  yield fileOf(`usr/lib/python3/site-packages/Pygments-2.6.1.dist-info/METADATA`, readFileSync(path.join(FIXTURES, "pkgdb/python/site-packages/Pygments-2.6.1.dist-info/METADATA")));
  const size = bytes(64 * MB);
  // Executable: the Go analyzer streams it looking for build info and finds none.
  yield { name: `usr/local/bin/${name}-server`, size, mode: 0o755, content: text((n) => `\x7fELF-ish ${name} ${n}`)(size) };
}

/** Streams a tar of `entries` through gzip into a file, hashing both sides on the way. */
async function writeLayer(dir: string, name: string, entries: Iterable<Entry>): Promise<LayerFile> {
  const file = path.join(dir, `${name}.tar.gz`);
  const tarHash = createHash("sha256");
  const gzHash = createHash("sha256");
  let uncompressed = 0;
  const archive = pack();
  const feeding = (async () => {
    for (const entry of entries) {
      await new Promise<void>((resolve, reject) => {
        const sink = archive.entry({ name: entry.name, size: entry.size, mode: entry.mode ?? 0o644, mtime: new Date("2024-01-01T00:00:00Z") }, (error) => (error ? reject(error) : resolve()));
        const source = new PassThrough();
        source.pipe(sink);
        (async () => {
          for (const chunk of entry.content()) if (!source.write(chunk)) await new Promise((r) => source.once("drain", r));
          source.end();
        })().catch(reject);
      });
    }
    archive.finalize();
  })();
  const tap = (hash: ReturnType<typeof createHash>, count?: (n: number) => void) =>
    new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        count?.(chunk.length);
        done(null, chunk);
      },
    });
  await Promise.all([pipeline(archive, tap(tarHash, (n) => (uncompressed += n)), createGzip({ level: 6 }), tap(gzHash), createWriteStream(file)), feeding]);
  return { digest: `sha256:${gzHash.digest("hex")}`, diffId: `sha256:${tarHash.digest("hex")}`, size: statSync(file).size, uncompressed, path: file };
}

/** Uploads the layers from their files (streamed), then a config and a Docker schema 2 manifest tagged `1`. */
async function pushImageOf(registry: { url: string }, repository: string, layers: LayerFile[]): Promise<void> {
  const { buildImageConfig, buildManifest, MediaTypes } = await import("../test/registry/image-builder");
  const { pushBlob, pushManifest, blobExists } = await import("../test/registry/push");
  for (const layer of layers) {
    if (await blobExists(registry, repository, layer.digest)) continue;
    const started = await request(new URL(`/v2/${repository}/blobs/uploads/`, registry.url), { method: "POST" });
    await started.body.dump();
    const location = new URL(String(started.headers.location), registry.url);
    location.searchParams.set("digest", layer.digest);
    const done = await request(location, {
      method: "PUT",
      headers: { "content-type": "application/octet-stream", "content-length": String(layer.size) },
      body: createReadStream(layer.path),
    });
    await done.body.dump();
    if (done.statusCode !== 201) throw new Error(`upload of ${layer.digest} answered ${done.statusCode}`);
  }
  const config = buildImageConfig(layers, { created: new Date() });
  await pushBlob(registry, repository, config);
  const manifest = buildManifest(
    "docker",
    { mediaType: MediaTypes.dockerConfig, digest: config.digest, size: config.size },
    layers.map((l) => ({ mediaType: MediaTypes.dockerLayerGzip, digest: l.digest, size: l.size })),
  );
  await pushManifest(registry, repository, "1", manifest);
}

// ------------------------------------------------------------------ measuring process

function serveMeasurements(): void {
  let close: (() => Promise<void>) | undefined;
  let scan: ((imageId: string, cold: boolean) => Promise<ScanResult>) | undefined;

  const open = async (input: Extract<ToChild, { type: "open" }>) => {
    const { randomUUID } = await import("node:crypto");
    const { Writable } = await import("node:stream");
    const { openMysql } = await import("../db/mysql");
    const { ScanJob } = await import("../db/entities");
    const { ScanJobStatus } = await import("../db/enums");
    const { loadSecretBox } = await import("../lib/secret-box");
    const { createLogger } = await import("../lib/logger");
    const { createAdapter } = await import("../workers/registry/registry");
    const { TagResolver } = await import("../workers/registry/tag-resolver");
    const { AdapterPool } = await import("../workers/scan/adapter-pool");
    const { ANALYZERS, analyzersKey } = await import("../workers/scan/analyzers");
    const { ImageScanner } = await import("../workers/scan/image-scanner");
    const { LayerCache } = await import("../workers/scan/layer-cache");
    const { DEFAULT_LAYER_LIMITS } = await import("../workers/scan/layers/layer-result");
    const { runScanJob } = await import("../workers/scan/run-scan-job");

    const silent = createLogger("error", new Writable({ write: (_chunk, _encoding, done) => done() }));
    const secrets = loadSecretBox({ secretKey: input.secretKey, production: false, dataDir: input.dataDir }, silent);
    const db = await openMysql(input.mysqlUrl, 8);
    const workerId = randomUUID();
    await db.query("INSERT INTO worker_instance (id, host, pid, graphileWorkerIds, startedAt, lastBeatAt) VALUES (?, 'bench', ?, '[]', NOW(3), NOW(3))", [
      workerId,
      process.pid,
    ]);
    const adapters = new AdapterPool(db, (registry) => createAdapter(registry, secrets, new TagResolver([])));
    const key = analyzersKey(ANALYZERS);
    let layersRead = 0;
    const scanner = new ImageScanner({ analyzers: ANALYZERS, cache: new LayerCache(db, key), limits: DEFAULT_LAYER_LIMITS, logger: silent, layerConcurrency: LAYERS_AT_ONCE });
    const scanImage = scanner.scan.bind(scanner);
    scanner.scan = async (...args) => {
      const output = await scanImage(...args);
      layersRead = output.layersRead;
      return output;
    };
    const deps = {
      db,
      workerId,
      adapters,
      scanner,
      analyzersKey: key,
      enqueueScans: async () => undefined,
      stopping: new AbortController().signal,
      timeoutMs: (minutes: number) => minutes * 60_000,
      livenessMs: 1000,
      logger: silent,
    };
    close = async () => {
      await adapters.close();
      await db.destroy();
    };
    scan = async (imageId, cold) => {
      if (cold) {
        await db.query("DELETE FROM layer_analysis");
        await db.query("DELETE FROM artifact");
      }
      const image = await db.query("SELECT registryId FROM image WHERE id = ?", [imageId]);
      const id = randomUUID();
      await db.getRepository(ScanJob).insert({ id, registryId: image[0].registryId, imageId, status: ScanJobStatus.QUEUED });
      layersRead = 0;
      const cpu = process.cpuUsage();
      const started = performance.now();
      await runScanJob(deps, id);
      const ms = performance.now() - started;
      const used = process.cpuUsage(cpu);
      const job = await db.getRepository(ScanJob).findOneByOrFail({ id });
      if (job.status !== "SUCCEEDED") throw new Error(`scan ${job.status}: ${job.errorCode} ${job.errorMessage}`);
      const [{ n }] = await db.query("SELECT COUNT(*) AS n FROM artifact_package p JOIN image i ON i.digest = p.artifactDigest WHERE i.id = ?", [imageId]);
      return { ms, status: job.status, layersRead, packages: Number(n), cpuMs: (used.user + used.system) / 1000 };
    };
  };

  const floor = async ({ url, repository, layers }: Extract<ToChild, { type: "floor" }>): Promise<FloorResult> => {
    const agent = new Agent();
    let total = 0;
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: LAYERS_AT_ONCE }, async () => {
        while (next < layers.length) {
          const digest = layers[next++];
          const answer = await request(new URL(`/v2/${repository}/blobs/${digest}`, url), { dispatcher: agent, maxRedirections: 0 } as never);
          let body: Readable = answer.body;
          if (answer.statusCode === 307 || answer.statusCode === 302) {
            await answer.body.dump();
            body = (await request(String(answer.headers.location), { dispatcher: agent })).body;
          }
          // The scanner's own zlib settings: the floor is the best plain decompression, not a slower one.
          const gunzip = createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES });
          gunzip.on("data", (chunk: Buffer) => (total += chunk.length));
          await pipeline(body, gunzip);
        }
      }),
    );
    const ms = performance.now() - started;
    await agent.close();
    return { ms, bytes: total };
  };

  serveMessages<ToChild>(async (message) => {
    switch (message.type) {
      case "open":
        return open(message);
      case "floor":
        return floor(message);
      case "scan":
        return scan!(message.imageId, message.cold);
      case "close":
        await close?.();
        return { peakRssMb: process.resourceUsage().maxRSS / 1024 };
    }
  }, (message) => message.type === "close");
}

benchMain(module, run, serveMeasurements);
