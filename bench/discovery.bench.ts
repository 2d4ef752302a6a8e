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
 * Run: npm run bench:discovery
 *   BENCH_REPOS=50                  fewer repositories, for a quick try
 *   BENCH_CHILD_NODE_OPTIONS=--cpu-prof   profile the measuring process (the .cpuprofile lands in the working directory)
 */
import "reflect-metadata";
import diagnostics from "node:diagnostics_channel";
import { performance } from "node:perf_hooks";
import { Agent, request } from "undici";
import { benchMain, serveMessages, startMeasuringProcess } from "./measuring-process";
import { mulberry32 } from "./seeded-random";

const REPOSITORIES = Number(process.env.BENCH_REPOS ?? 500);
const TAGS_PER_REPOSITORY = 20;
/** Requests in flight: the distribution client's default per endpoint. */
const IN_FLIGHT = 8;
const PUSH_CONCURRENCY = 16;
const TARGETS = { ratio: 1.3, rssMb: 200, secondRun: 0.5 };
const DAY = 24 * 3600_000;

export interface DiscoveryBenchResult {
  tags: number;
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
  /** Requests the run's client had in flight, on average, while listing. */
  listingInFlight: number;
  /** Time spent putting scan jobs on the graphile queue. */
  enqueueMs: number;
  /** CPU time of the measuring process during the run (user + system). */
  cpuMs: number;
}

type RequestKind = "catalog" | "tags" | "HEAD manifest" | "GET manifest" | "GET config" | "other";
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

export async function run(): Promise<DiscoveryBenchResult> {
  // Imported here: the measuring child needs none of the setup's modules.
  const { startRegistry } = await import("../test/registry/registry-server");
  const { startTestServer } = await import("../test/helpers/server");
  const cleanup: (() => Promise<unknown>)[] = [];
  try {
    const registry = await startRegistry();
    cleanup.push(() => registry.stop());
    const pushStarted = performance.now();
    await populate(registry);
    const pushMs = performance.now() - pushStarted;

    const server = await startTestServer();
    cleanup.push(() => server.stop());
    // Two integrations of the one registry: two first runs, each with nothing stored yet.
    const [a, b] = [await addIntegration(server, "bench A", registry.url), await addIntegration(server, "bench B", registry.url)];

    const worker = await startMeasuringProcess<ToChild>(cleanup, "bench/discovery.bench.ts");
    const idle = await worker.ask<{ idleRssMb: number }>({
      type: "open",
      input: { mysqlUrl: server.config.mysqlUrl, databaseUrl: server.config.databaseUrl, secretKey: server.config.secretKey, dataDir: server.config.dataDir },
    });
    // The floor runs here, the discovery runs in the worker-like child, interleaved:
    // floor, first run (A), floor, first run (B), floor, second run (A). The floors
    // bracket the first runs, so a registry or machine that drifts faster or slower
    // weighs on both sides alike.
    const requests = countRequests();
    const floorBefore = requests.snapshot();
    const floors = [await crawl(registry.url)];
    const floorRequests = requests.since(floorBefore);
    const firsts = [await worker.ask<RunSummary>({ type: "run", registryId: a })];
    floors.push(await crawl(registry.url));
    firsts.push(await worker.ask<RunSummary>({ type: "run", registryId: b }));
    floors.push(await crawl(registry.url));
    const second = await worker.ask<RunSummary>({ type: "run", registryId: a });
    const { peakRssMb } = await worker.ask<{ peakRssMb: number }>({ type: "close" });
    await worker.exited();
    return report(pushMs, { floors, floorRequests, firsts, second, peakRssMb, idleRssMb: idle.idleRssMb });
  } finally {
    for (const step of cleanup.reverse()) await step().catch((error) => console.error(`cleanup failed: ${String(error)}`));
  }
}

/** A DOCKER_REGISTRY integration with an AUTOMATIC policy (everything else default: CREATED_WITHIN 60 days, linux/amd64). */
async function addIntegration(server: import("../test/helpers/server").TestServer, name: string, url: string): Promise<string> {
  const added = await server.gql(`mutation($input: AddRegistryInput!) { addRegistry(input: $input) { id } }`, {
    input: { name, type: "DOCKER_REGISTRY", url, insecure: true, authMethod: "NONE" },
  });
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
  floors: { ms: number; cpuMs: number }[];
  floorRequests: RequestCounts;
  firsts: RunSummary[];
  second: RunSummary;
  /** maxRSS of the measuring process: its whole life, all runs included. */
  peakRssMb: number;
  /** Its RSS once its modules were loaded and its connections open. */
  idleRssMb: number;
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

function report(pushMs: number, m: Measured): DiscoveryBenchResult {
  const tags = REPOSITORIES * TAGS_PER_REPOSITORY;
  const floorMs = m.floors.map((f) => f.ms);
  const firstMs = m.firsts.map((r) => r.ms);
  const ratio = mean(firstMs) / mean(floorMs);
  const second = m.second.ms / m.firsts[0].ms;
  const knownFetched = m.second.requests["GET config"] + m.second.requests["GET manifest"];
  const verdict = (ok: boolean) => (ok ? "ok" : "MISSED");
  const met = ratio <= TARGETS.ratio && m.peakRssMb <= TARGETS.rssMb && second <= TARGETS.secondRun && knownFetched === 0;
  const counts = (c: RequestCounts) =>
    (Object.entries(c) as [RequestKind, number][])
      .filter(([kind, n]) => n > 0 || kind !== "other")
      .map(([kind, n]) => `${kind} ${n}`)
      .join(", ");
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const summary = (r: RunSummary) =>
    `${s(r.ms)} — ${r.status}, ${r.repositories} repositories, ${r.tagsSeen} tags, ${r.selected} selected, ${r.queued} queued, ${r.errors} errors\n` +
    `      listing ${s(r.listingMs)} (${r.listingInFlight.toFixed(1)} requests in flight on average), ` +
    `then ${s(r.ms - r.listingMs)} storing, selecting, recording and queueing (graphile enqueue ${s(r.enqueueMs)}); CPU ${s(r.cpuMs)}\n` +
    `      requests: ${counts(r.requests)}\n` +
    `      RSS sampled: peak ${r.listingPeakRssMb.toFixed(0)} MB while listing, ${r.afterPeakRssMb.toFixed(0)} MB after`;

  console.log(`discovery: ${REPOSITORIES} repositories × ${TAGS_PER_REPOSITORY} tags (${tags} tags), pushed in ${s(pushMs)}`);
  console.log(`  floor, a bare undici crawl with ${IN_FLIGHT} in flight: ${floorMs.map(s).join(" / ")} (CPU ${m.floors.map((f) => s(f.cpuMs)).join(" / ")})`);
  console.log(`    requests: ${counts(m.floorRequests)}`);
  m.firsts.forEach((r, i) => console.log(`  first run of integration ${"AB"[i]}: ${summary(r)}`));
  console.log(
    `  full run / floor: ${ratio.toFixed(2)} (mean of ${firstMs.map(s).join(", ")} / mean of the floors; target ≤ ${TARGETS.ratio}) ${verdict(ratio <= TARGETS.ratio)}`,
  );
  console.log(`  second run of A, nothing changed: ${summary(m.second)}`);
  console.log(`    = ${second.toFixed(2)} × A's first run (target ≤ ${TARGETS.secondRun}) ${verdict(second <= TARGETS.secondRun)}`);
  console.log(`    manifests and configs fetched again: ${knownFetched} ${verdict(knownFetched === 0)}`);
  console.log(
    `  peak RSS of the measuring process (3 runs): ${m.peakRssMb.toFixed(0)} MB (target ≤ ${TARGETS.rssMb}) ${verdict(m.peakRssMb <= TARGETS.rssMb)}; ` +
      `${m.idleRssMb.toFixed(0)} MB before the first run`,
  );
  return { tags, pushMs, floorMs, firstRuns: m.firsts, secondRun: m.second, ratio, peakRssMb: m.peakRssMb, floorRequests: m.floorRequests, met };
}

// ------------------------------------------------------------------ registry content

const pad = (value: number, width: number) => String(value).padStart(width, "0");

/** Runs `work` on 0..count-1, `limit` at a time. */
async function forEachIndex(count: number, limit: number, work: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

/**
 * 500 repositories × 20 tags: two layers shared by all (uploaded once per
 * repository), a config per tag with its own `created` within the last year,
 * Docker and OCI manifests alternating. A config is uploaded without the
 * existence check (it is new), so a tag costs three requests.
 */
async function populate(registry: { url: string }): Promise<void> {
  const { buildImage, buildLayer, file } = await import("../test/registry/image-builder");
  const { pushBlob, pushManifest, registryRequest } = await import("../test/registry/push");
  const layers = [
    buildLayer([file("etc/os-release", 'ID=bench\nVERSION_ID="1"\n'), file("bin/sh", "#!/bench\n")]),
    buildLayer([file("app/server", "bench application\n")]),
  ];
  const now = Date.now();
  const random = mulberry32(0xd15c0);
  const dates = Array.from({ length: REPOSITORIES * TAGS_PER_REPOSITORY }, () => new Date(now - Math.floor(random() * 365 * DAY)));

  await forEachIndex(REPOSITORIES, PUSH_CONCURRENCY, async (r) => {
    const repository = `team-${pad(r % 25, 2)}/service-${pad(r, 3)}`;
    for (const layer of layers) await pushBlob(registry, repository, layer);
    for (let t = 0; t < TAGS_PER_REPOSITORY; t++) {
      const tag = t === 0 ? "latest" : `1.${Math.floor(t / 5)}.${t % 5}`;
      const image = buildImage({
        layers,
        config: { created: dates[r * TAGS_PER_REPOSITORY + t], labels: { "org.example.tag": `${repository}:${tag}` } },
        format: t % 2 === 0 ? "docker" : "oci",
      });
      const started = await registryRequest(registry, "POST", `/v2/${repository}/blobs/uploads/`);
      if (started.status !== 202 || !started.headers.location) throw new Error(`start upload to ${repository}: HTTP ${started.status}`);
      const location = new URL(started.headers.location, registry.url);
      location.searchParams.set("digest", image.config.digest);
      const done = await registryRequest(registry, "PUT", location.toString(), {
        headers: { "content-type": "application/octet-stream" },
        body: image.config.bytes,
      });
      if (done.status !== 201) throw new Error(`upload config to ${repository}: HTTP ${done.status}`);
      await pushManifest(registry, repository, tag, image.manifest);
    }
  });
}

// ------------------------------------------------------------------ measuring child

const emptyCounts = (): RequestCounts => ({ catalog: 0, tags: 0, "HEAD manifest": 0, "GET manifest": 0, "GET config": 0, other: 0 });

/** Every request undici sends in this process, by kind. */
function countRequests(): { snapshot(): RequestCounts; since(before: RequestCounts): RequestCounts } {
  const counts = emptyCounts();
  diagnostics.subscribe("undici:request:create", (message) => {
    const { method, path } = (message as { request: { method: string; path: string } }).request;
    const bare = path.split("?")[0];
    const kind: RequestKind = bare.endsWith("/_catalog")
      ? "catalog"
      : bare.endsWith("/tags/list")
        ? "tags"
        : bare.includes("/manifests/")
          ? method === "HEAD"
            ? "HEAD manifest"
            : "GET manifest"
          : bare.includes("/blobs/") && method === "GET"
            ? "GET config"
            : "other";
    counts[kind]++;
  });
  return {
    snapshot: () => ({ ...counts }),
    since: (before) => {
      const out = emptyCounts();
      for (const kind of Object.keys(out) as RequestKind[]) out[kind] = counts[kind] - before[kind];
      return out;
    },
  };
}

const MANIFEST_ACCEPT = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

/**
 * The floor: the requests discovery cannot avoid, with nothing around them —
 * catalog pages (following Link), each repository's tag list, per tag a
 * manifest HEAD (its digest) and GET by digest, and each config once; 8 in flight.
 */
async function crawl(base: string): Promise<{ ms: number; cpuMs: number }> {
  const agent = new Agent({ keepAliveTimeout: 10_000 });
  let active = 0;
  const waiting: (() => void)[] = [];
  const fetchOne = async (method: "GET" | "HEAD", path: string, accept?: string) => {
    if (active >= IN_FLIGHT) await new Promise<void>((resolve) => waiting.push(resolve));
    else active++;
    try {
      const answer = await request(new URL(path, base), { method, dispatcher: agent, headers: accept ? { accept } : {} });
      const body = method === "HEAD" ? (await answer.body.dump(), Buffer.alloc(0)) : Buffer.from(await answer.body.arrayBuffer());
      if (answer.statusCode !== 200) throw new Error(`${method} ${path}: HTTP ${answer.statusCode}`);
      return { headers: answer.headers, body };
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
  const json = (body: Buffer) => JSON.parse(body.toString("utf8"));
  const configs = new Set<string>();

  const image = async (repository: string, manifest: { config?: { digest: string } }) => {
    const digest = manifest.config?.digest;
    if (!digest || configs.has(digest)) return;
    configs.add(digest);
    json((await fetchOne("GET", `/v2/${repository}/blobs/${digest}`)).body);
  };
  const repositoryCrawl = async (repository: string) => {
    const { tags } = json((await fetchOne("GET", `/v2/${repository}/tags/list`)).body) as { tags: string[] };
    await Promise.all(
      tags.map(async (tag) => {
        const head = await fetchOne("HEAD", `/v2/${repository}/manifests/${tag}`, MANIFEST_ACCEPT);
        const digest = String(head.headers["docker-content-digest"]);
        const manifest = json((await fetchOne("GET", `/v2/${repository}/manifests/${digest}`, MANIFEST_ACCEPT)).body);
        if (!Array.isArray(manifest.manifests)) return image(repository, manifest);
        for (const entry of manifest.manifests as { digest: string }[]) {
          await image(repository, json((await fetchOne("GET", `/v2/${repository}/manifests/${entry.digest}`, MANIFEST_ACCEPT)).body));
        }
      }),
    );
  };

  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const repositories: Promise<void>[] = [];
  let page: string | undefined = "/v2/_catalog";
  while (page) {
    const { headers, body } = await fetchOne("GET", page);
    for (const repository of json(body).repositories as string[]) repositories.push(repositoryCrawl(repository));
    const link = typeof headers.link === "string" ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(headers.link) : null;
    const next: URL | undefined = link ? new URL(link[1], new URL(page, base)) : undefined;
    page = next ? next.pathname + next.search : undefined;
  }
  await Promise.all(repositories);
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  await agent.close();
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/** The measuring process: one discovery run per "run", as the registry_sync task makes it. */
function serveMeasurements(): void {
  const requests = countRequests();
  let close: (() => Promise<void>) | undefined;
  let discovery: ((registryId: string) => Promise<RunSummary>) | undefined;

  const open = async (input: MeasureInput) => {
    const { openMysql } = await import("../db/mysql");
    const { SyncTrigger } = await import("../db/enums");
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
    // listed, how many requests its client had in flight meanwhile, how long the enqueue took.
    let trace = { lastListed: 0, enqueueMs: 0, client: null as { inFlight?: number } | null };
    const enqueuer = graphileScanEnqueuer(utils.addJob);
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
        trace.client = adapter.distribution("bench/probe").api as { inFlight?: number };
        const listTags = adapter.listTags.bind(adapter);
        adapter.listTags = async (repository) => {
          try {
            return await listTags(repository);
          } finally {
            trace.lastListed = performance.now();
          }
        };
        return adapter;
      },
    };

    discovery = async (registryId: string) => {
      trace = { lastListed: 0, enqueueMs: 0, client: null };
      const samples: { at: number; inFlight: number; rss: number }[] = [];
      const sample = () => samples.push({ at: performance.now(), inFlight: trace.client?.inFlight ?? 0, rss: process.memoryUsage.rss() });
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
