import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import mysql from "mysql2/promise";
import { request } from "undici";
import { READINESS_TIMEOUT_MS } from "../../server/health";
import { runCli, type CliProcess } from "../helpers/cli";
import { type PrivateDatabase, startPrivateMariaDb, startPrivatePostgres } from "../helpers/private-databases";
import { type FaultProxy, startFaultProxy } from "../registry/fault-proxy";
import { buildLayer, file } from "../registry/image-builder";
import { pushImage } from "../registry/push";
import { type RunningRegistry, startRegistry } from "../registry/registry-server";

/**
 * Item 7 of issue 7: a server and a worker process (as operators run them) on
 * a private MariaDB and a private PostgreSQL; while scans of the real registry
 * run, each database is stopped and started again. Meanwhile the server
 * answers GraphQL errors with a code and /readyz 503 naming the database;
 * afterwards it answers again without being restarted, the worker process is
 * the same one, and every scan job queued before the restarts SUCCEEDED.
 */
const IMAGES = 14;
/** Each layer takes this long to arrive, so scans are in flight when a database stops. */
const LAYER_MS = 1500;
const REQUEST_TIMEOUT_MS = 10_000;

let mariadb: PrivateDatabase;
let postgres: PrivateDatabase;
let registry: RunningRegistry;
let slow: FaultProxy;
let server: CliProcess;
let worker: CliProcess;
let api: string;
let token: string;
const dataDir = mkdtempSync(path.join(os.tmpdir(), "drydock-restarts-"));

beforeAll(async () => {
  [mariadb, postgres, registry] = await Promise.all([startPrivateMariaDb(), startPrivatePostgres(), startRegistry()]);
  const layers = new Set<string>();
  for (let i = 0; i < IMAGES; i++) {
    const layer = buildLayer([file(`data/${i}`, `image ${i}`)]);
    layers.add(layer.digest);
    await pushImage(registry, `restart/img-${i}`, "1", { layers: [layer], config: { created: new Date() } });
  }
  slow = await startFaultProxy({
    target: registry.url,
    seed: 7,
    rate: 1,
    faults: ["slow"],
    slowMode: "body",
    slowMs: LAYER_MS,
    maxConsecutive: 1_000_000,
    only: (req) => req.method === "GET" && layers.has(req.path.split("/blobs/")[1] ?? ""),
  });
  const env = { MYSQL_URL: mariadb.url, DATABASE_URL: postgres.url, HOST: "127.0.0.1", DRYDOCK_DATA_DIR: dataDir };
  // The worker waits for the server to have migrated MySQL.
  server = runCli(["server"], { ...env, PORT: "0" });
  worker = runCli(["worker"], { ...env, WORKER_CONCURRENCY: "2" });
  api = (await server.waitFor(/GraphQL API: /, 60_000)).split(": ").pop()!.trim().replace(/\/graphql$/, "");
  token = (await server.waitFor(/^First ADMIN API token/)).split(": ").pop()!.trim();
  await worker.waitFor(/worker started/, 60_000);
}, 120_000);

afterAll(async () => {
  await Promise.all([server, worker].filter(Boolean).map((p) => p.stop()));
  await slow?.stop();
  await registry?.stop();
  await Promise.all([mariadb?.destroy(), postgres?.destroy()]);
  rmSync(dataDir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Answer {
  status: number;
  body: any;
  headers: Record<string, string | string[] | undefined>;
}

/** An HTTP request that must be answered (not hang) within REQUEST_TIMEOUT_MS. */
async function call(pathname: string, body?: unknown): Promise<Answer> {
  const answer = await request(`${api}${pathname}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
    headersTimeout: REQUEST_TIMEOUT_MS,
    bodyTimeout: REQUEST_TIMEOUT_MS,
  });
  return { status: answer.statusCode, body: await answer.body.json(), headers: answer.headers };
}

const gql = (query: string, variables: Record<string, unknown> = {}) => call("/graphql", { query, variables });

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(200);
  }
}

async function scanJobs(registryId: string): Promise<Array<{ id: string; status: string; attemptCount: number; errorCode: string | null }>> {
  const answer = await gql(`query($id: ID!) { scanJobs(first: 100, filter: { registryId: $id }) { nodes { id status attemptCount errorCode } } }`, { id: registryId });
  if (!answer.body.data) throw new Error(JSON.stringify(answer.body.errors));
  return answer.body.data.scanJobs.nodes;
}

/** The databases' addresses (host:port) must never be in an answer. */
function expectNoAddresses(answer: Answer): void {
  const text = JSON.stringify(answer.body);
  for (const db of [mariadb, postgres]) expect(text).not.toContain(String(db.port));
  expect(text).not.toContain("127.0.0.1");
}

async function expectUnavailableWhile(database: "mysql" | "postgresql"): Promise<void> {
  const ready = await call("/readyz");
  expect(ready.status).toBe(503);
  expect(ready.body).toEqual({ status: "unavailable", unavailable: [database] });
  expectNoAddresses(ready);
  expect((await call("/healthz")).status).toBe(200);
}

async function recovered(): Promise<void> {
  await waitUntil(
    "the server to answer again",
    async () => (await call("/readyz")).status === 200 && (await gql("{ registries { totalCount } }")).body.data?.registries.totalCount === 1,
    20_000,
  );
}

test("MariaDB, then PostgreSQL, stopped and started while scans run: coded errors meanwhile, recovery without a restart, no scan job lost", async () => {
  expect((await call("/readyz")).body).toEqual({ status: "ready" });
  const added = await gql(`mutation($input: AddRegistryInput!) { addRegistry(input: $input) { id } }`, {
    input: { name: "restarts", type: "DOCKER_REGISTRY", url: slow.url, insecure: true, authMethod: "NONE" },
  });
  const registryId: string = added.body.data.addRegistry.id;
  const queued = await gql(`mutation($id: ID!, $refs: [String!]!) { addScanJobs(registryId: $id, references: $refs) { status scanJob { id } } }`, {
    id: registryId,
    refs: Array.from({ length: IMAGES }, (_, i) => `restart/img-${i}:1`),
  });
  const jobIds: string[] = queued.body.data.addScanJobs.map((r: { scanJob: { id: string } }) => r.scanJob.id);
  expect(jobIds).toHaveLength(IMAGES);
  const scanning = async () => (await scanJobs(registryId)).some((job) => job.status === "RUNNING");

  // MariaDB stops in the middle of scans.
  await waitUntil("a scan to run", scanning, 30_000);
  await mariadb.stop();
  const during = await gql("{ registries { totalCount } }");
  expect(during.status).toBe(503);
  expect(during.headers["retry-after"]).toBe("5");
  expect(during.body.errors[0].extensions.code).toBe("DATABASE_UNAVAILABLE");
  expectNoAddresses(during);
  await expectUnavailableWhile("mysql");
  await sleep(2000); // the worker's scans and heartbeats meet the outage too
  await mariadb.start();
  await recovered();

  // PostgreSQL stops in the middle of scans.
  await waitUntil("a scan to run", scanning, 30_000);
  await postgres.stop();
  const sync = await gql(`mutation($id: ID!) { syncRegistry(id: $id) { id } }`, { id: registryId });
  expect(sync.status).toBe(503);
  expect(sync.body.errors[0].extensions.code).toBe("DATABASE_UNAVAILABLE");
  expectNoAddresses(sync);
  // Reads need MySQL only, and it is up.
  expect((await gql("{ registries { totalCount } }")).body.data.registries.totalCount).toBe(1);
  await expectUnavailableWhile("postgresql");
  await sleep(2000);
  await postgres.start();
  await recovered();

  // A hung MySQL (frozen: connections accepted, nothing answers) is reported within the readiness timeout, not waited for.
  mariadb.pause();
  try {
    const started = Date.now();
    const hung = await call("/readyz");
    expect(Date.now() - started).toBeLessThan(READINESS_TIMEOUT_MS + 1500);
    expect(hung.status).toBe(503);
    expect(hung.body).toEqual({ status: "unavailable", unavailable: ["mysql"] });
  } finally {
    mariadb.resume();
  }
  await recovered();

  // Every job queued before the restarts succeeds, run by the same worker process.
  await waitUntil(
    "every scan job to finish",
    async () => (await scanJobs(registryId)).every((job) => ["SUCCEEDED", "FAILED", "CANCELLED"].includes(job.status)),
    60_000,
  ).catch(async (error) => {
    throw new Error(`${error.message}: ${JSON.stringify(await scanJobs(registryId))}\nworker:\n${worker.stdout().slice(-20_000)}${worker.stderr().slice(-5000)}`);
  });
  const jobs = await scanJobs(registryId);
  expect(jobs.map((job) => job.id).sort()).toEqual([...jobIds].sort());
  expect(jobs.filter((job) => job.status !== "SUCCEEDED")).toEqual([]);
  expect(worker.child.exitCode).toBeNull();
  expect(server.child.exitCode).toBeNull();
  const db = await mysql.createConnection(mariadb.url);
  try {
    const [workers] = await db.query<mysql.RowDataPacket[]>("SELECT pid FROM worker_instance");
    expect(workers.map((row) => Number(row.pid))).toEqual([worker.child.pid]);
  } finally {
    await db.end();
  }
}, 150_000);
