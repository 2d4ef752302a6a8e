/**
 * Discovery of a DOCKER_REGISTRY integration (issue 3, "Benchmark"): the real
 * registry holding 500 repositories × 20 tags (two shared layers, a config of
 * its own per tag so that every tag has its own date), an AUTOMATIC policy
 * (the default CREATED_WITHIN 60 days: about a sixth of the tags is selected,
 * imaged and queued). It prints
 *   - the wall time of a full discovery run (`syncRegistry`, as the
 *     registry_sync task runs it: production adapter and client, MySQL and the
 *     graphile queue included), for two integrations of the registry (two first
 *     runs, each with nothing stored);
 *   - the floor: a bare undici crawl of the same catalog pages, tag lists,
 *     manifests (HEAD for the digest, GET by digest) and configs (once per
 *     digest), 8 requests in flight like the client, measured in the same
 *     bench run, three times, interleaved with the first runs (floor, run A,
 *     floor, run B, floor), so that drift of a shared machine weighs on both;
 *   - the ratio of their means (target ≤ 1.3), with where a run's time went
 *     (listing, requests in flight, storing and queueing, CPU);
 *   - a second run of A with nothing changed (≤ 0.5 × A's first), which must
 *     fetch no manifest or config it already knows: requests are counted on
 *     the wire (undici's diagnostics channel), per kind;
 *   - the peak RSS of the process that ran the three runs (≤ 200 MB).
 * The discovery runs happen in a child process of their own, like a worker,
 * so that its RSS is discovery's and not the bench setup's (pushing, the API
 * server, the floor crawl). Everything the bench starts (registry, server,
 * databases, child, transpiled files) is stopped or removed, also on failure.
 *
 * With `--type harbor|gitlab|nexus` (issue 6) the same catalog is behind that
 * vendor's emulator and a run lists it through the vendor API; the floor is
 * that listing plus resolving the selected tags through the registry, see
 * discovery-vendors.ts. A run's time is then also split at the resolving of
 * the selected tags. The second run has no target there: it lists through
 * the vendor API again, which is most of what it does.
 *
 * Run: npm run bench:discovery [-- --type harbor|gitlab|nexus]
 *   BENCH_REPOS=50                  fewer repositories, for a quick try
 *   BENCH_CHILD_NODE_OPTIONS=--cpu-prof   profile the measuring process (the .cpuprofile lands in the working directory)
 */
import "reflect-metadata";
import diagnostics from "node:diagnostics_channel";
import { performance } from "node:perf_hooks";
import type { DistributionApi } from "../workers/registry/adapter";
import { bareFetcher, MANIFEST_ACCEPT, nextLink } from "./bare-crawl";
import type { DiscoveryCatalog } from "./discovery-catalog";
import { VENDOR_TYPES, type VendorType } from "./discovery-vendors";
import { benchMain, serveMessages, startMeasuringProcess } from "./measuring-process";

const REPOSITORIES = Number(process.env.BENCH_REPOS ?? 500);
const TAGS_PER_REPOSITORY = 20;
/** Requests in flight: the distribution client's default per endpoint. */
const IN_FLIGHT = 8;
const PUSH_CONCURRENCY = 16;
const TARGETS = { ratio: 1.3, rssMb: 200, secondRun: 0.5 };

export interface DiscoveryBenchResult {
  /** The vendor type, or null for DOCKER_REGISTRY. */
  type: VendorType | null;
  tags: number;
  /** Pushing (and loading the emulator). */
  pushMs: number;
  floorMs: number[];
  /** Mean of the first runs over the mean of the floors. */
  ratio: number;
  peakRssMb: number;
  firstRuns: RunSummary[];
  secondRun: RunSummary;
  floorRequests: RequestCounts;
  /** Every target met. */
  met: boolean;
}

export interface RunSummary {
  ms: number;
  status: string;
  repositories: number;
  tagsSeen: number;
  selected: number;
  queued: number;
  errors: number;
  requests: RequestCounts;
  /** RSS sampled every 10 ms: the highest while listing, and after. */
  listingPeakRssMb: number;
  afterPeakRssMb: number;
  /** From the start until the last repository's tags were listed (dates included). */
  listingMs: number;
  /** From the start until the first selected tag was resolved through the registry, and from then to the last; null: nothing was. */
  pulls: { fromMs: number; ms: number } | null;
  /** Requests the run's client had in flight, on average, while listing. */
  listingInFlight: number;
  /** Time spent putting scan jobs on the graphile queue. */
  enqueueMs: number;
  /** CPU time of the measuring process during the run (user + system). */
  cpuMs: number;
}

type RequestKind = "catalog" | "tags" | "HEAD manifest" | "GET manifest" | "GET config" | "vendor API" | "token" | "other";
type RequestCounts = Record<RequestKind, number>;

type ToChild = { type: "open"; input: MeasureInput } | { type: "run"; registryId: string } | { type: "close" };

/** What the parent hands the measuring child. */
interface MeasureInput {
  mysqlUrl: string;
  databaseUrl: string;
  secretKey: string | undefined;
  dataDir: string;
}

// ------------------------------------------------------------------ parent

/** What a bench run reads: a registry or emulator loaded with the catalog, and its floor. */
interface Target {
  /** The first line of the report, up to the setup time. */
  describe: string;
  /** AddRegistryInput of an integration reading it (name aside). */
  integration: Record<string, unknown>;
  crawl(): Promise<Floor>;
  forgetRequests?(): void;
}

interface Floor {
  ms: number;
  cpuMs: number;
  /** Vendor floors: the listing part, and how many tags they resolved. */
  listingMs?: number;
  selected?: number;
}

/** `--type harbor` (or `--type=harbor`), else null: DOCKER_REGISTRY. */
function typeArgument(argv = process.argv): VendorType | null {
  const at = argv.findIndex((arg) => arg === "--type" || arg.startsWith("--type="));
  if (at < 0) return null;
  const value = (argv[at].includes("=") ? argv[at].split("=")[1] : argv[at + 1] ?? "").toLowerCase();
  if (!(VENDOR_TYPES as readonly string[]).includes(value)) throw new Error(`--type takes one of ${VENDOR_TYPES.join(", ")} (none: DOCKER_REGISTRY), not "${value}"`);
  return value as VendorType;
}

export async function run(type: VendorType | null = typeArgument()): Promise<DiscoveryBenchResult> {
  // Imported here: the measuring child needs none of the setup's modules.
  const { startTestServer } = await import("../test/helpers/server");
  const { discoveryCatalog } = await import("./discovery-catalog");
  const cleanup: (() => Promise<unknown>)[] = [];
  try {
    const setupStarted = performance.now();
    const catalog = await discoveryCatalog(REPOSITORIES, TAGS_PER_REPOSITORY, Date.now());
    const target = type ? await vendorTarget(cleanup, type, catalog) : await registryTarget(cleanup, catalog);
    const pushMs = performance.now() - setupStarted;
    target.forgetRequests?.();

    const server = await startTestServer();
    cleanup.push(() => server.stop());
    // Two integrations of the one registry: two first runs, each with nothing stored yet.
    const [a, b] = [await addIntegration(server, "bench A", target.integration), await addIntegration(server, "bench B", target.integration)];

    const worker = await startMeasuringProcess<ToChild>(cleanup, "bench/discovery.bench.ts");
    const idle = await worker.ask<{ idleRssMb: number }>({
      type: "open",
      input: { mysqlUrl: server.config.mysqlUrl, databaseUrl: server.config.databaseUrl, secretKey: server.config.secretKey, dataDir: server.config.dataDir },
    });
    // The floor runs here, the discovery runs in the worker-like child, interleaved:
    // floor, first run (A), floor, first run (B), floor, second run (A). The floors
    // bracket the first runs, so a registry or machine that drifts faster or slower
    // weighs on both sides alike.
    const measure = async <T>(step: () => Promise<T>): Promise<T> => {
      const result = await step();
      target.forgetRequests?.();
      return result;
    };
    const requests = countRequests();
    const floorBefore = requests.snapshot();
    const floors = [await measure(() => target.crawl())];
    const floorRequests = requests.since(floorBefore);
    const firsts = [await measure(() => worker.ask<RunSummary>({ type: "run", registryId: a }))];
    floors.push(await measure(() => target.crawl()));
    firsts.push(await measure(() => worker.ask<RunSummary>({ type: "run", registryId: b })));
    floors.push(await measure(() => target.crawl()));
    const second = await measure(() => worker.ask<RunSummary>({ type: "run", registryId: a }));
    const { peakRssMb } = await worker.ask<{ peakRssMb: number }>({ type: "close" });
    await worker.exited();
    return report(type, target.describe, pushMs, { floors, floorRequests, firsts, second, peakRssMb, idleRssMb: idle.idleRssMb });
  } finally {
    for (const step of cleanup.reverse()) await step().catch((error) => console.error(`cleanup failed: ${String(error)}`));
  }
}

/** The real registry holding the catalog, read anonymously. */
async function registryTarget(cleanup: (() => Promise<unknown>)[], catalog: DiscoveryCatalog): Promise<Target> {
  const { startRegistry } = await import("../test/registry/registry-server");
  const registry = await startRegistry();
  cleanup.push(() => registry.stop());
  await populate(registry, catalog);
  return {
    describe: "DOCKER_REGISTRY (the real registry): pushed",
    integration: { type: "DOCKER_REGISTRY", url: registry.url, insecure: true, authMethod: "NONE" },
    crawl: () => crawl(registry.url),
  };
}

/** The vendor's emulator with the catalog (discovery-vendors.ts). */
async function vendorTarget(cleanup: (() => Promise<unknown>)[], type: VendorType, catalog: DiscoveryCatalog): Promise<Target> {
  const { startVendor } = await import("./discovery-vendors");
  const vendor = await startVendor(type, catalog, Date.now());
  cleanup.push(() => vendor.stop());
  return {
    describe: `${type.toUpperCase()} (emulator): ${vendor.pushed} tags pushed as images (those a run pulls), the others listed only; loaded`,
    integration: vendor.integration,
    crawl: () => vendor.crawl(),
    forgetRequests: () => vendor.forgetRequests(),
  };
}

/** An integration with an AUTOMATIC policy (everything else default: CREATED_WITHIN 60 days, linux/amd64). */
async function addIntegration(server: import("../test/helpers/server").TestServer, name: string, integration: Record<string, unknown>): Promise<string> {
  const added = await server.gql(`mutation($input: AddRegistryInput!) { addRegistry(input: $input) { id } }`, { input: { name, ...integration } });
  if (added.errors) throw new Error(`addRegistry: ${JSON.stringify(added.errors)}`);
  const id: string = added.data!.addRegistry.id;
  const policy = await server.gql(`mutation($id: ID!, $input: PullPolicyInput!) { editPullPolicy(registryId: $id, input: $input) { mode } }`, {
    id,
    input: { mode: "AUTOMATIC", schedule: "0 3 * * *" },
  });
  if (policy.errors) throw new Error(`editPullPolicy: ${JSON.stringify(policy.errors)}`);
  return id;
}

interface Measured {
  floors: Floor[];
  floorRequests: RequestCounts;
  firsts: RunSummary[];
  second: RunSummary;
  /** maxRSS of the measuring process: its whole life, all runs included. */
  peakRssMb: number;
  /** Its RSS once its modules were loaded and its connections open. */
  idleRssMb: number;
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

function report(type: VendorType | null, describe: string, pushMs: number, m: Measured): DiscoveryBenchResult {
  const tags = REPOSITORIES * TAGS_PER_REPOSITORY;
  const floorMs = m.floors.map((f) => f.ms);
  const firstMs = m.firsts.map((r) => r.ms);
  const ratio = mean(firstMs) / mean(floorMs);
  const second = m.second.ms / m.firsts[0].ms;
  const knownFetched = m.second.requests["GET config"] + m.second.requests["GET manifest"];
  const verdict = (ok: boolean) => (ok ? "ok" : "MISSED");
  // Vendor runs list through the vendor API again: the second-run target is the plain registry's.
  const secondMet = type !== null || second <= TARGETS.secondRun;
  const met = ratio <= TARGETS.ratio && m.peakRssMb <= TARGETS.rssMb && secondMet && knownFetched === 0;
  const counts = (c: RequestCounts) =>
    (Object.entries(c) as [RequestKind, number][])
      .filter(([kind, n]) => n > 0 || !OCCASIONAL_KINDS.includes(kind))
      .map(([kind, n]) => `${kind} ${n}`)
      .join(", ");
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const summary = (r: RunSummary) =>
    `${s(r.ms)} — ${r.status}, ${r.repositories} repositories, ${r.tagsSeen} tags, ${r.selected} selected, ${r.queued} queued, ${r.errors} errors\n` +
    `      listing ${s(r.listingMs)} (${r.listingInFlight.toFixed(1)} requests in flight on average), ` +
    (r.pulls
      ? `storing it and selecting ${s(r.pulls.fromMs - r.listingMs)}, resolving the selected tags ${s(r.pulls.ms)}, ` +
        `recording and queueing ${s(r.ms - r.pulls.fromMs - r.pulls.ms)}`
      : `then ${s(r.ms - r.listingMs)} storing, selecting, recording and queueing`) +
    ` (graphile enqueue ${s(r.enqueueMs)}); CPU ${s(r.cpuMs)}\n` +
    `      requests: ${counts(r.requests)}\n` +
    `      RSS sampled: peak ${r.listingPeakRssMb.toFixed(0)} MB while listing, ${r.afterPeakRssMb.toFixed(0)} MB after`;

  console.log(`${REPOSITORIES} repositories × ${TAGS_PER_REPOSITORY} tags (${tags} tags); ${describe} in ${s(pushMs)}`);
  console.log(`  floor, a bare undici crawl with ${IN_FLIGHT} in flight: ${floorMs.map(s).join(" / ")} (CPU ${m.floors.map((f) => s(f.cpuMs)).join(" / ")})`);
  const listing = m.floors.map((f) => f.listingMs).filter((ms): ms is number => ms !== undefined);
  if (listing.length > 0) console.log(`    of which listing ${listing.map(s).join(" / ")}, then resolving the ${m.floors[0].selected} selected tags`);
  console.log(`    requests: ${counts(m.floorRequests)}`);
  m.firsts.forEach((r, i) => console.log(`  first run of integration ${"AB"[i]}: ${summary(r)}`));
  console.log(
    `  full run / floor: ${ratio.toFixed(2)} (mean of ${firstMs.map(s).join(", ")} / mean of the floors; target ≤ ${TARGETS.ratio}) ${verdict(ratio <= TARGETS.ratio)}`,
  );
  console.log(`  second run of A, nothing changed: ${summary(m.second)}`);
  console.log(
    type === null
      ? `    = ${second.toFixed(2)} × A's first run (target ≤ ${TARGETS.secondRun}) ${verdict(second <= TARGETS.secondRun)}`
      : `    = ${second.toFixed(2)} × A's first run (no target: the vendor listing is repeated)`,
  );
  console.log(`    manifests and configs fetched again: ${knownFetched} ${verdict(knownFetched === 0)}`);
  console.log(
    `  peak RSS of the measuring process (3 runs): ${m.peakRssMb.toFixed(0)} MB (target ≤ ${TARGETS.rssMb}) ${verdict(m.peakRssMb <= TARGETS.rssMb)}; ` +
      `${m.idleRssMb.toFixed(0)} MB before the first run`,
  );
  return { type, tags, pushMs, floorMs, firstRuns: m.firsts, secondRun: m.second, ratio, peakRssMb: m.peakRssMb, floorRequests: m.floorRequests, met };
}

// ------------------------------------------------------------------ registry content

/**
 * Pushes the catalog: the two shared layers once per repository, then per
 * tag its config (uploaded without the existence check: it is new) and its
 * manifest, so a tag costs three requests.
 */
async function populate(registry: { url: string }, catalog: DiscoveryCatalog): Promise<void> {
  const { buildImage } = await import("../test/registry/image-builder");
  const { pushBlob, pushManifest, registryRequest } = await import("../test/registry/push");
  const { forEachIndex } = await import("./discovery-catalog");
  await forEachIndex(catalog.repositories.length, PUSH_CONCURRENCY, async (r) => {
    const { name: repository, tags } = catalog.repositories[r];
    for (const layer of catalog.layers) await pushBlob(registry, repository, layer);
    for (const tag of tags) {
      const image = buildImage(tag.spec);
      const started = await registryRequest(registry, "POST", `/v2/${repository}/blobs/uploads/`);
      if (started.status !== 202 || !started.headers.location) throw new Error(`start upload to ${repository}: HTTP ${started.status}`);
      const location = new URL(started.headers.location, registry.url);
      location.searchParams.set("digest", image.config.digest);
      const done = await registryRequest(registry, "PUT", location.toString(), {
        headers: { "content-type": "application/octet-stream" },
        body: image.config.bytes,
      });
      if (done.status !== 201) throw new Error(`upload config to ${repository}: HTTP ${done.status}`);
      await pushManifest(registry, repository, tag.name, image.manifest);
    }
  });
}

// ------------------------------------------------------------------ measuring child

const emptyCounts = (): RequestCounts => ({ catalog: 0, tags: 0, "HEAD manifest": 0, "GET manifest": 0, "GET config": 0, "vendor API": 0, token: 0, other: 0 });
/** Shown only when some were made. */
const OCCASIONAL_KINDS: readonly RequestKind[] = ["vendor API", "token", "other"];

function kindOf(method: string, path: string): RequestKind {
  const bare = path.split("?")[0];
  if (/\/api\/v(2\.0|4)\/|\/service\/rest\//.test(bare)) return "vendor API";
  if (/\/service\/token$|\/jwt\/auth$|\/v2\/token$/.test(bare)) return "token";
  if (bare.endsWith("/_catalog")) return "catalog";
  if (bare.endsWith("/tags/list")) return "tags";
  if (bare.includes("/manifests/")) return method === "HEAD" ? "HEAD manifest" : "GET manifest";
  return bare.includes("/blobs/") && method === "GET" ? "GET config" : "other";
}

/** Every request undici sends in this process, by kind, and how many are on the wire now. */
function countRequests(): { snapshot(): RequestCounts; since(before: RequestCounts): RequestCounts; inFlight(): number } {
  const counts = emptyCounts();
  let inFlight = 0;
  diagnostics.subscribe("undici:request:create", (message) => {
    const { method, path } = (message as { request: { method: string; path: string } }).request;
    counts[kindOf(method, path)]++;
    inFlight++;
  });
  for (const ended of ["undici:request:trailers", "undici:request:error"]) diagnostics.subscribe(ended, () => inFlight--);
  return {
    snapshot: () => ({ ...counts }),
    since: (before) => {
      const out = emptyCounts();
      for (const kind of Object.keys(out) as RequestKind[]) out[kind] = counts[kind] - before[kind];
      return out;
    },
    inFlight: () => inFlight,
  };
}

/**
 * The floor: the requests discovery cannot avoid, with nothing around them —
 * catalog pages (following Link), each repository's tag list, per tag a
 * manifest HEAD (its digest) and GET by digest, and each config once; 8 in flight.
 */
async function crawl(base: string): Promise<Floor> {
  const fetcher = bareFetcher(IN_FLIGHT);
  const fetchOne = (method: "GET" | "HEAD", path: string, accept?: string) => fetcher.fetch(method, new URL(path, base), accept ? { accept } : {});
  const configs = new Set<string>();

  const image = async (repository: string, manifest: { config?: { digest: string } }) => {
    const digest = manifest.config?.digest;
    if (!digest || configs.has(digest)) return;
    configs.add(digest);
    (await fetchOne("GET", `/v2/${repository}/blobs/${digest}`)).json();
  };
  const repositoryCrawl = async (repository: string) => {
    const { tags } = (await fetchOne("GET", `/v2/${repository}/tags/list`)).json<{ tags: string[] }>();
    await Promise.all(
      tags.map(async (tag) => {
        const head = await fetchOne("HEAD", `/v2/${repository}/manifests/${tag}`, MANIFEST_ACCEPT);
        const digest = String(head.headers["docker-content-digest"]);
        const manifest = (await fetchOne("GET", `/v2/${repository}/manifests/${digest}`, MANIFEST_ACCEPT)).json();
        if (!Array.isArray(manifest.manifests)) return image(repository, manifest);
        for (const entry of manifest.manifests as { digest: string }[]) {
          await image(repository, (await fetchOne("GET", `/v2/${repository}/manifests/${entry.digest}`, MANIFEST_ACCEPT)).json());
        }
      }),
    );
  };

  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const repositories: Promise<void>[] = [];
  let page: string | undefined = "/v2/_catalog";
  while (page) {
    const answer = await fetchOne("GET", page);
    for (const repository of answer.json().repositories as string[]) repositories.push(repositoryCrawl(repository));
    const next = nextLink(answer.headers.link, new URL(page, base));
    page = next ? next.pathname + next.search : undefined;
  }
  await Promise.all(repositories);
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  await fetcher.close();
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/** The measuring process: one discovery run per "run", as the registry_sync task makes it. */
function serveMeasurements(): void {
  const requests = countRequests();
  let close: (() => Promise<void>) | undefined;
  let discovery: ((registryId: string) => Promise<RunSummary>) | undefined;

  const open = async (input: MeasureInput) => {
    const { openMysql } = await import("../db/mysql");
    const { RegistryType, SyncTrigger } = await import("../db/enums");
    const { loadSecretBox } = await import("../lib/secret-box");
    const { createLogger } = await import("../lib/logger");
    const { makeWorkerUtils } = await import("graphile-worker");
    const { graphileScanEnqueuer } = await import("../workers/discovery/graphile-scan-enqueuer");
    const { syncRegistry } = await import("../workers/discovery/sync-registry");
    const { createAdapter } = await import("../workers/registry/registry");
    const { Writable } = await import("node:stream");

    const silent = createLogger("error", new Writable({ write: (_chunk, _encoding, done) => done() }));
    const secrets = loadSecretBox({ secretKey: input.secretKey, production: false, dataDir: input.dataDir }, silent);
    const db = await openMysql(input.mysqlUrl, 4);
    const utils = await makeWorkerUtils({ connectionString: input.databaseUrl });
    close = async () => {
      await utils.release();
      await db.destroy();
    };

    // Where a run's time goes, watched from outside: when its last repository was
    // listed, how many requests its client had in flight meanwhile, when the selected tags
    // were resolved through the registry, how long the enqueue took.
    const newTrace = () => ({ lastListed: 0, firstPull: 0, lastPulled: 0, enqueueMs: 0, inFlight: () => 0 });
    let trace = newTrace();
    const timedPulls = (api: DistributionApi): DistributionApi =>
      new Proxy(api, {
        get(target, key) {
          const value: unknown = Reflect.get(target, key);
          if (typeof value !== "function") return value;
          if (key !== "getManifest" && key !== "getJsonBlob") return value.bind(target);
          return async (...args: unknown[]) => {
            trace.firstPull ||= performance.now();
            try {
              return await value.apply(target, args);
            } finally {
              trace.lastPulled = performance.now();
            }
          };
        },
      });
    const enqueuer = graphileScanEnqueuer(utils.addJobs);
    const deps = {
      db,
      scans: {
        async enqueue(ids: string[]) {
          const started = performance.now();
          await enqueuer.enqueue(ids);
          trace.enqueueMs += performance.now() - started;
        },
      },
      adapterFor: (registry: Parameters<typeof createAdapter>[0], resolver: Parameters<typeof createAdapter>[2]) => {
        const adapter = createAdapter(registry, secrets, resolver);
        // The plain registry's client counts its permits; vendors list through their API client: counted on the wire.
        const client = adapter.distribution("bench/probe").api as { inFlight?: number };
        trace.inFlight = adapter.type === RegistryType.DOCKER_REGISTRY ? () => client.inFlight ?? 0 : requests.inFlight;
        const listTags = adapter.listTags.bind(adapter);
        adapter.listTags = async (repository) => {
          try {
            return await listTags(repository);
          } finally {
            trace.lastListed = performance.now();
          }
        };
        const distribution = adapter.distribution.bind(adapter);
        adapter.distribution = (repository) => {
          const { api, name } = distribution(repository);
          return { api: timedPulls(api), name };
        };
        return adapter;
      },
    };

    discovery = async (registryId: string) => {
      trace = newTrace();
      const samples: { at: number; inFlight: number; rss: number }[] = [];
      const sample = () => samples.push({ at: performance.now(), inFlight: trace.inFlight(), rss: process.memoryUsage.rss() });
      const sampler = setInterval(sample, 10);
      const before = requests.snapshot();
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      let run: Awaited<ReturnType<typeof syncRegistry>>;
      try {
        run = await syncRegistry(deps, registryId, SyncTrigger.MANUAL);
      } finally {
        clearInterval(sampler);
        sample();
      }
      const ms = performance.now() - started;
      const cpu = process.cpuUsage(cpuBefore);
      if (!run) throw new Error("the registry or its policy is missing");
      if (run.errors.length > 0) console.error(`  errors: ${JSON.stringify(run.errors.slice(0, 3))}`);
      const listing = samples.filter((s) => s.at <= trace.lastListed);
      const after = samples.filter((s) => s.at > trace.lastListed);
      const peakMb = (of: typeof samples) => Math.max(0, ...of.map((s) => s.rss)) / 1024 / 1024;
      return {
        ms,
        status: run.status,
        repositories: run.repositories,
        tagsSeen: run.tagsSeen,
        selected: run.selected,
        queued: run.queued,
        errors: run.errors.length,
        requests: requests.since(before),
        listingPeakRssMb: peakMb(listing),
        afterPeakRssMb: peakMb(after),
        listingMs: trace.lastListed - started,
        pulls: trace.firstPull ? { fromMs: trace.firstPull - started, ms: trace.lastPulled - trace.firstPull } : null,
        listingInFlight: listing.reduce((sum, s) => sum + s.inFlight, 0) / Math.max(1, listing.length),
        enqueueMs: trace.enqueueMs,
        cpuMs: (cpu.user + cpu.system) / 1000,
      };
    };
    return { idleRssMb: process.memoryUsage.rss() / 1024 / 1024 };
  };

  const handle = async (message: ToChild): Promise<unknown> => {
    switch (message.type) {
      case "open":
        return open(message.input);
      case "run":
        return discovery!(message.registryId);
      case "close":
        await close?.();
        return { peakRssMb: process.resourceUsage().maxRSS / 1024 };
    }
  };
  serveMessages(handle, (message) => message.type === "close");
}

benchMain(module, run, serveMeasurements);
