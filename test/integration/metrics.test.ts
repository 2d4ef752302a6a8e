import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Registry as PromRegistry } from "prom-client";
import { request } from "undici";
import { runCli, type CliProcess } from "../helpers/cli";
import { startTestServer } from "../helpers/server";
import { dropDatabases, newDatabaseUrls } from "../helpers/databases";
import { parseExposition, scrape, valueOf, type Exposition } from "../helpers/prometheus";
import { startFaultProxy, type FaultProxy } from "../registry/fault-proxy";
import { buildLayer, file } from "../registry/image-builder";
import { pushImage } from "../registry/push";
import { type RunningRegistry, startRegistry } from "../registry/registry-server";

/**
 * Metrics and logs of the product as operators run it: a server and a worker
 * as their own processes, a DOCKER_REGISTRY integration with a password on
 * the real registry (behind a proxy that answers one layer download with a
 * 503), one sync and two scans of images that share a layer. The server's
 * /metrics shows the queue; the worker's own /metrics what it did; every log
 * line is JSON with the ids, and the password appears nowhere.
 */

const { mysqlUrl, databaseUrl, name } = newDatabaseUrls();
const dataDir = mkdtempSync(path.join(os.tmpdir(), "drydock-metrics-"));
const SECRET = `pw-${randomBytes(12).toString("hex")}`;
const USERNAME = "ci";
const METRICS_TOKEN = `mt-${randomBytes(12).toString("hex")}`;
const env = {
  MYSQL_URL: mysqlUrl,
  DATABASE_URL: databaseUrl,
  HOST: "127.0.0.1",
  DRYDOCK_DATA_DIR: dataDir,
  DRYDOCK_METRICS_TOKEN: METRICS_TOKEN,
};

const base = buildLayer([file("etc/os-release", 'ID=alpine\nVERSION_ID=3.18.4\nPRETTY_NAME="Alpine Linux v3.18"\n')]);
const appOne = buildLayer([file("app/one.txt", "one\n")]);
const appTwo = buildLayer([file("app/two.txt", "two\n")]);

let registry: RunningRegistry;
let proxy: FaultProxy;
let server: CliProcess;
let worker: CliProcess | undefined;
let api: string;
let adminToken: string;

async function gql(query: string, variables: Record<string, unknown> = {}) {
  const answer = await request(`${api}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${adminToken}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await answer.body.json()) as { data?: any; errors?: unknown[] };
  if (body.errors) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function metricsOf(url: string): Promise<Exposition> {
  const answer = await scrape(url, METRICS_TOKEN);
  expect(answer.status).toBe(200);
  return parseExposition(answer.text);
}

/** Every stdout line of a process as JSON (a line that is not JSON fails the test). */
const jsonLines = (output: string) =>
  output
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`a log line is not JSON: ${line}`);
      }
    });

beforeAll(async () => {
  registry = await startRegistry({ auth: { username: USERNAME, password: SECRET } });
  const created = new Date();
  await pushImage(registry, "app/one", "1", { layers: [base, appOne], config: { created } });
  await pushImage(registry, "app/two", "1", { layers: [base, appTwo], config: { created } });
  // One download of app/one's own layer answers 503 (Retry-After: 1); the retry gets it.
  proxy = await startFaultProxy({
    target: registry.url,
    seed: 7,
    rate: 1,
    faults: ["503"],
    maxConsecutive: 1,
    only: (req) => req.method === "GET" && req.path.endsWith(`/blobs/${appOne.digest}`),
  });
  server = runCli(["server"], { ...env, PORT: "0" });
  api = (await server.waitFor(/GraphQL API: /, 60_000)).split(": ").pop()!.trim().replace(/\/graphql$/, "");
  adminToken = (await server.waitFor(/^First ADMIN API token/)).split(": ").pop()!.trim();
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await server?.stop();
  await proxy?.stop();
  await registry?.stop();
  await dropDatabases(name);
  rmSync(dataDir, { recursive: true, force: true });
});

let registryId: string;
let scanJobIds: string[];

test("the server's /metrics needs the token, shows the queue by task and counts the registry calls the server made itself", async () => {
  const { addRegistry } = await gql(`mutation($input: AddRegistryInput!) { addRegistry(input: $input) { id } }`, {
    input: { name: "local", type: "DOCKER_REGISTRY", url: proxy.url, insecure: true, authMethod: "ACCOUNT", username: USERNAME, secret: SECRET },
  });
  registryId = addRegistry.id;
  await gql(`mutation($id: ID!) { syncRegistry(id: $id) { id } }`, { id: registryId });
  const { addScanJobs } = await gql(`mutation($id: ID!, $refs: [String!]!) { addScanJobs(registryId: $id, references: $refs) { status scanJob { id } } }`, {
    id: registryId,
    refs: ["app/one:1", "app/two:1"],
  });
  expect(addScanJobs.map((r: { status: string }) => r.status)).toEqual(["QUEUED", "QUEUED"]);
  scanJobIds = addScanJobs.map((r: { scanJob: { id: string } }) => r.scanJob.id);

  const url = `${api}/metrics`;
  expect((await scrape(url)).status).toBe(401);
  expect((await scrape(url, "not-the-token")).status).toBe(401);
  const answer = await scrape(url, METRICS_TOKEN);
  expect(answer.status).toBe(200);
  expect(answer.contentType).toBe(new PromRegistry().contentType);
  const metrics = parseExposition(answer.text);
  expect(metrics.samples.every((s) => s.name.startsWith("drydock_"))).toBe(true);
  expect(metrics.types.get("drydock_queue_depth")).toBe("gauge");
  // No worker runs yet: the sync and both scans wait.
  expect(valueOf(metrics, "drydock_queue_depth", { task: "registry_sync", state: "ready" })).toBe(1);
  expect(valueOf(metrics, "drydock_queue_depth", { task: "image_scan", state: "ready" })).toBe(2);
  expect(valueOf(metrics, "drydock_queue_depth", { task: "image_scan", state: "running" })).toBe(0);
  expect(valueOf(metrics, "drydock_process_resident_memory_bytes")).toBeGreaterThan(0);
  // addScanJobs resolved both references against the registry from the server process.
  expect(valueOf(metrics, "drydock_registry_requests_total", { registry_id: registryId, status: "200" })).toBeGreaterThanOrEqual(2);
}, 60_000);

test("a worker's own /metrics counts its scans, syncs, registry requests and layer cache", async () => {
  // One job at a time: the second image's scan finds the shared layer in the cache.
  worker = runCli(["worker"], { ...env, DRYDOCK_WORKER_METRICS_PORT: "0", WORKER_CONCURRENCY: "1" });
  const listening = JSON.parse(await worker.waitFor(/worker metrics listening/, 60_000)) as { url: string };
  await until("both scans", async () => {
    const statuses = await Promise.all(scanJobIds.map(async (id) => (await gql(`query($id: ID!) { scanJob(id: $id) { status } }`, { id })).scanJob.status));
    return statuses.every((s) => s === "SUCCEEDED") ? statuses : undefined;
  });
  await until("the sync run", async () => {
    const { syncRuns } = await gql(`query($id: ID!) { syncRuns(registryId: $id, first: 1) { nodes { status } } }`, { id: registryId });
    return syncRuns.nodes[0] && syncRuns.nodes[0].status !== "RUNNING" ? syncRuns.nodes[0] : undefined;
  });

  expect((await scrape(listening.url)).status).toBe(401);
  expect((await scrape(listening.url.replace(/\/metrics$/, "/graphql"), METRICS_TOKEN)).status).toBe(404);
  const answer = await scrape(listening.url, METRICS_TOKEN);
  expect(answer.contentType).toBe(new PromRegistry().contentType);
  const metrics = parseExposition(answer.text);
  expect(metrics.samples.every((s) => s.name.startsWith("drydock_"))).toBe(true);

  expect(valueOf(metrics, "drydock_scans_total", { outcome: "SUCCEEDED" })).toBe(2);
  expect(metrics.types.get("drydock_scan_duration_seconds")).toBe("histogram");
  expect(valueOf(metrics, "drydock_scan_duration_seconds_count", { outcome: "SUCCEEDED" })).toBe(2);
  expect(valueOf(metrics, "drydock_scan_duration_seconds_sum", { outcome: "SUCCEEDED" })).toBeGreaterThan(1); // the 503's Retry-After: 1 s
  expect(valueOf(metrics, "drydock_sync_duration_seconds_count", { status: "SUCCEEDED" })).toBe(1);
  expect(valueOf(metrics, "drydock_sync_duration_seconds_bucket", { status: "SUCCEEDED", le: "+Inf" })).toBe(1);

  const requests = (status: string) => valueOf(metrics, "drydock_registry_requests_total", { registry_id: registryId, status });
  expect(requests("200")).toBeGreaterThanOrEqual(6); // /v2/, catalog, tags, 2 manifests, 3 layers and configs
  expect(requests("401")).toBeGreaterThanOrEqual(1); // Basic is sent after the registry's challenge
  expect(requests("503")).toBe(1);
  expect(valueOf(metrics, "drydock_registry_retries_total", { registry_id: registryId })).toBe(1);

  // base + appOne read by the first scan; the second finds base in the cache and reads appTwo.
  expect(valueOf(metrics, "drydock_layer_cache_misses_total")).toBe(3);
  expect(valueOf(metrics, "drydock_layer_cache_hits_total")).toBe(1);

  const queue = await metricsOf(`${api}/metrics`);
  expect(valueOf(queue, "drydock_queue_depth", { task: "image_scan" })).toBe(0);
  expect(valueOf(queue, "drydock_queue_depth", { task: "registry_sync" })).toBe(0);
}, 120_000);

test("log lines are JSON, carry job and registry ids, and never the secret", async () => {
  const lines = jsonLines(worker!.stdout());
  const scanLines = lines.filter((l) => l.msg === "scan succeeded");
  expect(scanLines).toHaveLength(2);
  for (const line of scanLines) {
    expect(line).toMatchObject({ registryId, scanJobId: expect.any(String), jobId: expect.any(String) });
    expect(scanJobIds).toContain(line.scanJobId);
  }
  expect(lines.find((l) => l.msg === "sync finished")).toMatchObject({ registryId, syncRunId: expect.any(String), jobId: expect.any(String), status: "SUCCEEDED" });
  expect(lines.find((l) => l.msg === "registry request failed; retrying")).toMatchObject({ registryId, status: 503, attempt: 1 });

  // The server prints its URLs and the first token for the operator; every other line is JSON.
  const announced = /^(drydock GraphQL API|drydock GraphiQL|First ADMIN API token)/;
  jsonLines(
    server
      .stdout()
      .split("\n")
      .filter((line) => !announced.test(line))
      .join("\n"),
  );

  const everything = [server.stdout(), server.stderr(), worker!.stdout(), worker!.stderr()].join("\n");
  expect(everything).not.toContain(SECRET);
  expect(everything).not.toContain(Buffer.from(`${USERNAME}:${SECRET}`).toString("base64"));
  expect(everything).not.toContain(METRICS_TOKEN);
});

test("without DRYDOCK_METRICS_TOKEN the server's /metrics is open", async () => {
  const open = await startTestServer();
  try {
    const answer = await scrape(`${open.url}/metrics`);
    expect(answer.status).toBe(200);
    expect(valueOf(parseExposition(answer.text), "drydock_queue_depth", { task: "image_scan", state: "ready" })).toBe(0);
  } finally {
    await open.stop();
  }
}, 60_000);
