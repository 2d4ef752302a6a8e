/**
 * The API at scale (issue 7, "Benchmark"): on the seeded catalogue (50
 * registries, 100,000 images, 2,000,000 findings: bench/seed-api-data.ts), 16
 * clients at once over HTTP, each sending its next request when the last one
 * answered, for two queries:
 *   - `images(first: 50, filter: { registryId, removed: false })` with
 *     totalCount, each image's registry and vulnerabilitySummary; a client
 *     walks three pages of a registry (the second and third by cursor);
 *   - `image(id) { vulnerabilities(first: 100) }` with totalCount, for images
 *     with findings.
 * It prints p50/p99 latency and requests/s of each, beside a floor measured in
 * the same run: the same rows read by direct SQL through mysql2 with 16
 * connections, in the statements the API sends (the page by keyset with its
 * count, the registries and the artifacts of the page, which carry the
 * summaries' counts; the image, and the page of findings with its count).
 * Targets on a 2-core machine: p99 ≤ 100 ms, ≥ 300 requests/s, and at least
 * half the floor's requests/s.
 *
 * The server runs in a child process of its own (plain JS and
 * NODE_ENV=production, as in production), so that it does not share an event
 * loop with the 16 clients.
 *
 * Run: npm run bench:api
 *   BENCH_SCALE=0.1       a tenth of the images and findings, for a quick try
 *   BENCH_SECONDS=10      how long each measurement runs (after 2 s of warm-up)
 *   BENCH_CHILD_NODE_OPTIONS=--cpu-prof   profile the server
 */
import "reflect-metadata";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import type mysql from "mysql2/promise";
import { Pool } from "undici";
import { benchMain, type Cleanup, serveMessages, startMeasuringProcess } from "./measuring-process";
import { FULL_SIZE, scaledSize, type SeedSummary } from "./seed-api-data";
import { mulberry32 } from "../lib/seeded-random";

const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARM_UP_SECONDS = 2;
const CLIENTS = 16;
const PAGES_PER_WALK = 3;
const TARGETS = { p99Ms: 100, requestsPerSecond: 300, ofFloor: 0.5 };

export interface ApiBenchResult {
  seedSeconds: number;
  imagesP50Ms: number;
  imagesP99Ms: number;
  imagesRps: number;
  imagesFloorRps: number;
  imagesFloorP99Ms: number;
  vulnerabilitiesP50Ms: number;
  vulnerabilitiesP99Ms: number;
  vulnerabilitiesRps: number;
  vulnerabilitiesFloorRps: number;
  vulnerabilitiesFloorP99Ms: number;
  /** Server CPU (user + system) per request. */
  imagesServerCpuMs: number;
  vulnerabilitiesServerCpuMs: number;
  met: boolean;
}

type ToChild = { type: "open"; mysqlUrl: string; databaseUrl: string; dataDir: string } | { type: "cpu" } | { type: "close" };

interface Measured {
  p50Ms: number;
  p99Ms: number;
  rps: number;
  /** Warm-up included. */
  requests: number;
}

type Served = Measured & { serverCpuMs: number };

/** What one client does next; it keeps what it needs between requests (a cursor). */
type Step = () => Promise<void>;

const IMAGES = `query($registryId: ID!, $after: String) {
  images(first: 50, after: $after, filter: { registryId: $registryId, removed: false }) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id repository tag platform digest firstSeenAt registry { id name type } vulnerabilitySummary { critical high medium low unknown fixable total } }
  }
}`;

const VULNERABILITIES = `query($id: ID!) {
  image(id: $id) {
    id repository tag digest
    vulnerabilities(first: 100) { totalCount pageInfo { hasNextPage endCursor } nodes { advisoryId aliases packageName installedVersion fixedVersion severity cvssScore summary } }
  }
}`;

// ------------------------------------------------------------------ parent

export async function run(): Promise<ApiBenchResult> {
  const { testDatabases } = await import("../test/helpers/databases");
  const { seedApiData } = await import("./seed-api-data");
  const mysqlDriver = await import("mysql2/promise");
  const cleanup: Cleanup = [];
  try {
    const databases = testDatabases();
    cleanup.push(() => databases.drop());
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "drydock-api-bench-"));
    cleanup.push(async () => rmSync(dataDir, { recursive: true, force: true }));

    // The server migrates (and issues the first token) on start; the seed goes in after.
    // NODE_ENV=production as the Dockerfile and docker-compose.yml run it: graphql-js then skips its development checks.
    const server = await startMeasuringProcess<ToChild>(cleanup, "bench/api.bench.ts", { NODE_ENV: "production" });
    const { url, token } = await server.ask<{ url: string; token: string }>({ type: "open", mysqlUrl: databases.mysqlUrl, databaseUrl: databases.databaseUrl, dataDir });
    const size = SCALE === 1 ? FULL_SIZE : scaledSize(SCALE);
    const seeded = await seedApiData(databases.mysqlUrl, size);

    const sql = mysqlDriver.createPool({ uri: databases.mysqlUrl, connectionLimit: CLIENTS, timezone: "Z" });
    cleanup.push(() => sql.end());
    const { registryIds, imageIds } = await workload(sql);
    const http = new Pool(url, { connections: CLIENTS });
    cleanup.push(() => http.close());
    const gql = graphqlClient(http, token);

    /** `measured` with the server's CPU per request while it ran. */
    const withServerCpu = async (measured: () => Promise<Measured>) => {
      const before = await server.ask<number>({ type: "cpu" });
      const result = await measured();
      return { ...result, serverCpuMs: ((await server.ask<number>({ type: "cpu" })) - before) / result.requests };
    };
    // Floor first, then the API, per query: each pair under the same conditions.
    const imagesFloor = await measure((client) => imagesWalk(registryIds, client, (registryId, after) => floorImagesPage(sql, registryId, after)));
    const images = await withServerCpu(() =>
      measure((client) =>
        imagesWalk(registryIds, client, async (registryId, after) => {
          const page = (await gql(IMAGES, { registryId, after })).images;
          return page.nodes.length === 50 ? page.pageInfo.endCursor : null;
        }),
      ),
    );
    const vulnerabilitiesFloor = await measure((client) => imageLookups(imageIds, client, (id) => floorVulnerabilities(sql, id)));
    const vulnerabilities = await withServerCpu(() => measure((client) => imageLookups(imageIds, client, (id) => gql(VULNERABILITIES, { id }))));
    await server.ask({ type: "close" });
    await server.exited();
    return report(seeded, { images, imagesFloor, vulnerabilities, vulnerabilitiesFloor });
  } finally {
    for (const step of cleanup.reverse()) await step().catch((error) => console.error(`cleanup failed: ${String(error)}`));
  }
}

/** The registries, and the images with findings in a seeded random order. */
async function workload(sql: mysql.Pool): Promise<{ registryIds: string[]; imageIds: string[] }> {
  const [registries] = await sql.query<mysql.RowDataPacket[]>("SELECT id FROM registry ORDER BY id");
  const [images] = await sql.query<mysql.RowDataPacket[]>("SELECT DISTINCT i.id FROM image i JOIN finding f ON f.artifactDigest = i.digest ORDER BY i.id");
  const random = mulberry32(0xa9);
  const imageIds = images.map((row) => row.id as string);
  for (let i = imageIds.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [imageIds[i], imageIds[j]] = [imageIds[j], imageIds[i]];
  }
  return { registryIds: registries.map((row) => row.id as string), imageIds };
}

function graphqlClient(http: Pool, token: string) {
  return async (query: string, variables: Record<string, unknown>): Promise<any> => {
    const answer = await http.request({
      path: "/graphql",
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await answer.body.json()) as { data?: any; errors?: unknown[] };
    if (answer.statusCode !== 200 || body.errors) throw new Error(`HTTP ${answer.statusCode}: ${JSON.stringify(body.errors).slice(0, 500)}`);
    return body.data;
  };
}

/** Client `client` walks PAGES_PER_WALK pages of one registry after another; `page` answers the next cursor, or null at the end. */
function imagesWalk(registryIds: string[], client: number, page: (registryId: string, after: string | null) => Promise<string | null>): Step {
  let walk = client;
  let after: string | null = null;
  let pagesDone = 0;
  return async () => {
    const registryId = registryIds[walk % registryIds.length];
    after = await page(registryId, after);
    if (after === null || ++pagesDone === PAGES_PER_WALK) {
      [after, pagesDone] = [null, 0];
      walk += CLIENTS;
    }
  };
}

/** Client `client` looks up every CLIENTS-th image of the list, from its own offset. */
function imageLookups(imageIds: string[], client: number, lookup: (id: string) => Promise<unknown>): Step {
  let next = client;
  return async () => {
    await lookup(imageIds[next % imageIds.length]);
    next += CLIENTS;
  };
}

/** CLIENTS clients, each running its steps back to back: WARM_UP_SECONDS unmeasured, then SECONDS measured. */
async function measure(stepsOf: (client: number) => Step): Promise<Measured> {
  const latencies: number[] = [];
  let requests = 0;
  const started = performance.now();
  const measureFrom = started + WARM_UP_SECONDS * 1000;
  const end = measureFrom + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => {
      const step = stepsOf(client);
      for (let now = performance.now(); now < end; now = performance.now()) {
        await step();
        requests++;
        if (now >= measureFrom) latencies.push(performance.now() - now);
      }
    }),
  );
  const elapsed = (performance.now() - measureFrom) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { p50Ms: at(0.5), p99Ms: at(0.99), rps: latencies.length / elapsed, requests };
}

// ------------------------------------------------------------------ floor: the same rows by direct SQL

const FILTER = "registryId = ? AND removed = 0";

/** The page with its total count in one statement, as server/graphql/sql-page.ts sends it. */
const COUNTED_PAGE = (table: string, filter: string, keyset: string, order: string) =>
  `SELECT t.*, (SELECT COUNT(*) FROM ${table} WHERE ${filter}) AS total FROM ${table} t WHERE ${filter}${keyset} ORDER BY ${order} LIMIT ?`;

async function floorImagesPage(sql: mysql.Pool, registryId: string, after: string | null): Promise<string | null> {
  const keyset = after ? " AND (firstSeenAt < ? OR (firstSeenAt = ? AND id < ?))" : "";
  const [at, id] = after ? (JSON.parse(after) as [string, string]) : [];
  const [rows] = await sql.query<mysql.RowDataPacket[]>(
    COUNTED_PAGE("image", FILTER, keyset, "firstSeenAt DESC, id DESC"),
    after ? [registryId, registryId, new Date(at!), new Date(at!), id, 51] : [registryId, registryId, 51],
  );
  if (rows.length === 0) return null;
  const page = rows.slice(0, 50);
  await sql.query("SELECT id, name, type FROM registry WHERE id IN (?)", [[...new Set(page.map((r) => r.registryId))]]);
  // The artifacts carry the counts of their findings (vulnerabilitySummary) as well as os and notes.
  await sql.query("SELECT * FROM artifact WHERE digest IN (?)", [[...new Set(page.map((r) => r.digest))]]);
  const last = page[page.length - 1];
  return page.length === 50 ? JSON.stringify([(last.firstSeenAt as Date).toISOString(), last.id]) : null;
}

async function floorVulnerabilities(sql: mysql.Pool, id: string): Promise<void> {
  const [[image]] = await sql.query<mysql.RowDataPacket[]>("SELECT * FROM image WHERE id = ?", [id]);
  await sql.query(COUNTED_PAGE("finding", "artifactDigest = ?", "", "severityRank, advisoryId, packageName, id"), [image.digest, image.digest, 101]);
}

// ------------------------------------------------------------------ report

function report(
  seeded: SeedSummary,
  m: { images: Served; imagesFloor: Measured; vulnerabilities: Served; vulnerabilitiesFloor: Measured },
): ApiBenchResult {
  const verdict = (ok: boolean) => (ok ? "ok" : "MISSED");
  const meets = (api: Measured, floor: Measured) =>
    api.p99Ms <= TARGETS.p99Ms && api.rps >= TARGETS.requestsPerSecond && api.rps >= TARGETS.ofFloor * floor.rps;
  const line = (name: string, api: Served, floor: Measured) => {
    console.log(`  ${name}`);
    console.log(
      `    API:   p50 ${api.p50Ms.toFixed(1)} ms, p99 ${api.p99Ms.toFixed(1)} ms (target ≤ ${TARGETS.p99Ms}) ${verdict(api.p99Ms <= TARGETS.p99Ms)}, ` +
        `${api.rps.toFixed(0)} requests/s (target ≥ ${TARGETS.requestsPerSecond}) ${verdict(api.rps >= TARGETS.requestsPerSecond)}; ` +
        `server CPU ${api.serverCpuMs.toFixed(1)} ms a request`,
    );
    console.log(`    floor: p50 ${floor.p50Ms.toFixed(1)} ms, p99 ${floor.p99Ms.toFixed(1)} ms, ${floor.rps.toFixed(0)} requests/s`);
    console.log(`    API / floor: ${(api.rps / floor.rps).toFixed(2)} of its throughput (target ≥ ${TARGETS.ofFloor}) ${verdict(api.rps >= TARGETS.ofFloor * floor.rps)}`);
  };
  console.log(
    `api: ${seeded.registries} registries, ${seeded.images} images, ${seeded.artifacts} artifacts, ${seeded.findings} findings ` +
      `(seeded in ${(seeded.ms / 1000).toFixed(1)} s); ${CLIENTS} clients, ${SECONDS} s each after ${WARM_UP_SECONDS} s of warm-up`,
  );
  line(`images(first: 50, filter: { registryId, removed: false }) { totalCount nodes { … registry vulnerabilitySummary } }, ${PAGES_PER_WALK} pages a walk`, m.images, m.imagesFloor);
  line("image(id) { vulnerabilities(first: 100) { totalCount nodes { … } } }", m.vulnerabilities, m.vulnerabilitiesFloor);
  return {
    seedSeconds: seeded.ms / 1000,
    imagesP50Ms: m.images.p50Ms,
    imagesP99Ms: m.images.p99Ms,
    imagesRps: m.images.rps,
    imagesFloorRps: m.imagesFloor.rps,
    imagesFloorP99Ms: m.imagesFloor.p99Ms,
    vulnerabilitiesP50Ms: m.vulnerabilities.p50Ms,
    vulnerabilitiesP99Ms: m.vulnerabilities.p99Ms,
    vulnerabilitiesRps: m.vulnerabilities.rps,
    vulnerabilitiesFloorRps: m.vulnerabilitiesFloor.rps,
    vulnerabilitiesFloorP99Ms: m.vulnerabilitiesFloor.p99Ms,
    imagesServerCpuMs: m.images.serverCpuMs,
    vulnerabilitiesServerCpuMs: m.vulnerabilities.serverCpuMs,
    met: meets(m.images, m.imagesFloor) && meets(m.vulnerabilities, m.vulnerabilitiesFloor),
  };
}

// ------------------------------------------------------------------ the server's process

function serveServer(): void {
  let stop: (() => Promise<void>) | undefined;
  serveMessages<ToChild>(async (message) => {
    switch (message.type) {
      case "open": {
        const { loadConfig } = await import("../lib/config");
        const { createLogger } = await import("../lib/logger");
        const { startServer } = await import("../server/main");
        const config = loadConfig({
          MYSQL_URL: message.mysqlUrl,
          DATABASE_URL: message.databaseUrl,
          PORT: "0",
          HOST: "127.0.0.1",
          DRYDOCK_DATA_DIR: message.dataDir,
          NODE_ENV: "production",
          DRYDOCK_SECRET_KEY: randomBytes(32).toString("base64"),
          TZ: "UTC",
          LOG_LEVEL: "warn",
        });
        const announced: string[] = [];
        const server = await startServer(config, createLogger("warn"), (line) => announced.push(line));
        stop = server.stop;
        const token = announced.find((line) => line.startsWith("First ADMIN API token"))?.split(": ").pop();
        if (!token) throw new Error("the server issued no first token");
        return { url: server.url, token };
      }
      case "cpu": {
        const used = process.cpuUsage();
        return (used.user + used.system) / 1000;
      }
      case "close":
        await stop?.();
        return null;
    }
  }, (message) => message.type === "close");
}

benchMain(module, run, serveServer);
