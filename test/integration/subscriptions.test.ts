import { Client as PgClient } from "pg";
import { UPDATES_CHANNEL } from "../../db/live-updates";
import { LISTENER_APPLICATION_NAME } from "../../server/live/update-listener";
import { type RunningWorker, startWorker } from "../../workers/main";
import { type CliProcess, runCli } from "../helpers/cli";
import { capturingLogger } from "../helpers/logs";
import { addPlainRegistry, queueScansOf } from "../helpers/scanning";
import { errorCode, startTestServer, type TestServer } from "../helpers/server";
import { record, type Recording, statusesOf, subscriptionClient } from "../helpers/subscriptions";
import { type FaultProxy, startFaultProxy } from "../registry/fault-proxy";
import { buildLayer, file } from "../registry/image-builder";
import { pushImage } from "../registry/push";
import { type RunningRegistry, startRegistry } from "../registry/registry-server";

/**
 * Live updates (issue 7, item 2): graphql-ws subscriptions on /graphql, fed
 * by workers through PostgreSQL LISTEN/NOTIFY, seen with a real graphql-ws
 * client while a real worker syncs and scans the real registry.
 */

interface ScanEvent {
  id: string;
  status: string;
  registryId: string;
  attemptCount: number;
  registry: { id: string; name: string };
}
interface SyncEvent {
  id: string;
  status: string;
  registryId: string;
  selected: number;
  queued: number;
}

const SCANS = `subscription($id: ID!) { scanJobUpdated(registryId: $id) { id status registryId attemptCount registry { id name } } }`;
const SYNCS = `subscription($id: ID!) { syncRunUpdated(registryId: $id) { id status registryId selected queued } }`;
const IMAGE = "live/app:1.0";

let registry: RunningRegistry;
let proxy: FaultProxy;
let server: TestServer;
let second: TestServer | null = null;
let worker: RunningWorker | null = null;
let cliWorker: CliProcess | null = null;
let pg: PgClient;
let one: string;
let two: string;
const clients: Array<{ dispose(): void | Promise<void> }> = [];

const client = (...args: Parameters<typeof subscriptionClient>) => {
  const made = subscriptionClient(...args);
  clients.push(made);
  return made;
};
const scans = (c: ReturnType<typeof client>, registryId: string) => record<ScanEvent>(c, SCANS, { id: registryId }, "scanJobUpdated");
const syncs = (c: ReturnType<typeof client>, registryId: string) => record<SyncEvent>(c, SYNCS, { id: registryId }, "syncRunUpdated");
/** graphql-ws does not acknowledge a subscription: give the server time to register it. */
const subscribed = () => new Promise((resolve) => setTimeout(resolve, 700));
const succeeded = (events: ScanEvent[]) => events.some((e) => e.status === "SUCCEEDED");

async function gql(target: TestServer, query: string, variables: Record<string, unknown>) {
  const answer = await target.gql(query, variables);
  if (answer.errors) throw new Error(JSON.stringify(answer.errors));
  return answer.data!;
}

beforeAll(async () => {
  registry = await startRegistry();
  await pushImage(registry, "live/app", "1.0", { layers: [buildLayer([file("srv/hello.txt", "hello")])], config: { created: new Date() } });
  // Slow listings and blobs: a sync and a scan stay RUNNING long enough for that state to be read.
  proxy = await startFaultProxy({
    target: registry.url,
    seed: 1,
    rate: 1,
    faults: ["slow"],
    slowMs: 400,
    slowMode: "headers",
    maxConsecutive: 1_000_000,
    only: (req) => req.path.endsWith("/tags/list") || req.path.includes("/blobs/"),
  });
  server = await startTestServer();
  one = await addPlainRegistry(server, { name: "live one", url: proxy.url });
  two = await addPlainRegistry(server, { name: "live two", url: proxy.url });
  await gql(server, `mutation($id: ID!) { editPullPolicy(registryId: $id, input: { mode: AUTOMATIC, schedule: "0 3 1 1 *", condition: NONE }) { mode } }`, { id: one });
  pg = new PgClient({ connectionString: server.config.databaseUrl });
  await pg.connect();
}, 120_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await worker?.stop();
  await cliWorker?.stop();
  await pg?.end();
  await second?.stop();
  await server?.stop();
  await proxy?.stop();
  await registry?.stop();
});

test("a sync and its scan arrive as RUNNING → SUCCEEDED and QUEUED → RUNNING → SUCCEEDED, and only to that registry's subscribers", async () => {
  const c = client(server.url, server.adminToken);
  const [scansOne, syncsOne, scansTwo, syncsTwo] = [scans(c, one), syncs(c, one), scans(c, two), syncs(c, two)];
  await subscribed();
  worker = await startWorker({ ...server.config, workerConcurrency: 1 }, capturingLogger("silent").logger);

  await gql(server, `mutation($id: ID!) { syncRegistry(id: $id) { id } }`, { id: one });
  await scansOne.until(succeeded);
  await syncsOne.until((events) => events.some((e) => e.status !== "RUNNING"));

  expect(statusesOf(syncsOne.events)).toEqual(["RUNNING", "SUCCEEDED"]);
  expect(new Set(syncsOne.events.map((e) => e.id)).size).toBe(1);
  expect(syncsOne.events.at(-1)).toMatchObject({ registryId: one, selected: 1, queued: 1 });
  expect(statusesOf(scansOne.events)).toEqual(["QUEUED", "RUNNING", "SUCCEEDED"]);
  expect(new Set(scansOne.events.map((e) => e.id)).size).toBe(1);
  expect(scansOne.events.at(-1)).toMatchObject({ registryId: one, attemptCount: 1, registry: { id: one, name: "live one" } });
  expect(scansTwo.events).toEqual([]);
  expect(syncsTwo.events).toEqual([]);

  // The other way round: a scan of the second registry reaches only its subscriber.
  const seenByOne = scansOne.events.length;
  const [job] = await queueScansOf(server, two, [IMAGE]);
  await scansTwo.until(succeeded);
  expect(scansTwo.events.every((e) => e.id === job && e.registryId === two)).toBe(true);
  expect(statusesOf(scansTwo.events)[0]).toBe("QUEUED");
  expect(statusesOf(scansTwo.events).at(-1)).toBe("SUCCEEDED");
  expect(scansOne.events.length).toBe(seenByOne);
  expect([scansOne, syncsOne, scansTwo, syncsTwo].flatMap((r) => r.errors)).toEqual([]);

  await worker.stop();
  worker = null;
});

test("the API's own changes are announced too: addScanJobs QUEUED, deleteScanJobs CANCELLED, retryScanJob QUEUED", async () => {
  const recording = scans(client(server.url, server.adminToken), two);
  await subscribed();
  const [job] = await queueScansOf(server, two, [IMAGE]);
  await recording.until((events) => events.length >= 1);
  await gql(server, `mutation($ids: [ID!]!) { deleteScanJobs(ids: $ids) { id } }`, { ids: [job] });
  await recording.until((events) => events.length >= 2);
  await gql(server, `mutation($id: ID!) { retryScanJob(id: $id) { id } }`, { id: job });
  await recording.until((events) => events.length >= 3);
  await gql(server, `mutation($ids: [ID!]!) { deleteScanJobs(ids: $ids) { id } }`, { ids: [job] });
  await recording.until((events) => events.length >= 4);

  expect(recording.events.map((e) => [e.id, e.status])).toEqual([
    [job, "QUEUED"],
    [job, "CANCELLED"],
    [job, "QUEUED"],
    [job, "CANCELLED"],
  ]);
});

describe("the token", () => {
  const closedWith = async (recording: Recording<unknown>) => {
    const deadline = Date.now() + 10_000;
    while (!recording.closed && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
    return recording.closed;
  };

  test("none: the socket is closed with 4401 and says how to send one", async () => {
    const closed = await closedWith(scans(client(server.url, null), one));
    expect(closed).toEqual({ code: 4401, reason: expect.stringContaining('connectionParams { authorization: "Bearer <token>" }') });
  });

  test("an unknown one: 4401, unknown or revoked", async () => {
    const closed = await closedWith(scans(client(server.url, "ddk_not-a-token"), one));
    expect(closed).toEqual({ code: 4401, reason: "the API token is unknown or was revoked" });
  });

  test("a VIEWER's, in the upgrade's Authorization header, may subscribe and receives updates", async () => {
    const created = await gql(server, `mutation { createApiToken(name: "live viewer", role: VIEWER) { token } }`, {});
    const recording = scans(client(server.url, created.createApiToken.token, "header"), one);
    await subscribed();
    const id = await someScanJobOf(one);
    await pg.query("SELECT pg_notify($1, $2)", [UPDATES_CHANNEL, JSON.stringify({ kind: "scanJob", registryId: one, ids: [id] })]);
    const [event] = await recording.until((events) => events.length > 0);
    expect(event).toMatchObject({ id, registryId: one, status: "SUCCEEDED" });
    expect(recording.closed).toBeNull();
  });
});

async function someScanJobOf(registryId: string): Promise<string> {
  const data = await gql(server, `query($id: ID!) { scanJobs(filter: { registryId: $id }, first: 1) { nodes { id } } }`, { id: registryId });
  return data.scanJobs.nodes[0].id;
}

test("errors carry codes: an unknown registry is NOT_FOUND, a bad document GRAPHQL_VALIDATION_FAILED, a query BAD_REQUEST", async () => {
  const c = client(server.url, server.adminToken);
  const unknown = scans(c, "00000000-0000-0000-0000-000000000000");
  const invalid = record(c, `subscription { scanJobUpdated(registryId: "x") { nope } }`, {}, "scanJobUpdated");
  const query = record(c, `{ registries(first: 1) { totalCount } }`, {}, "registries");
  for (const r of [unknown, invalid, query]) await r.until(() => r.errors.length > 0).catch(() => undefined);
  expect(errorCode({ status: 200, errors: unknown.errors })).toBe("NOT_FOUND");
  expect(errorCode({ status: 200, errors: invalid.errors })).toBe("GRAPHQL_VALIDATION_FAILED");
  expect(errorCode({ status: 200, errors: query.errors })).toBe("BAD_REQUEST");
});

test("a subscription too deep or too costly is refused as QUERY_TOO_COMPLEX, as a query over HTTP is: every event would run it", async () => {
  let deep = "id";
  for (let level = 0; level < 5; level++) deep = `image { scanJobs(first: 1) { nodes { ${deep} } } }`;
  const costly = "image { scanJobs(first: 500) { nodes { image { scanJobs(first: 500) { nodes { id } } } } } }";
  const c = client(server.url, server.adminToken);
  const refused = [deep, costly].map((selection) => record(c, `subscription($id: ID!) { scanJobUpdated(registryId: $id) { ${selection} } }`, { id: one }, "scanJobUpdated"));
  const allowed = record(c, `subscription($id: ID!) { scanJobUpdated(registryId: $id) { image { scanJobs(first: 5) { nodes { id } } } } }`, { id: one }, "scanJobUpdated");
  for (const r of refused) await r.until(() => r.errors.length > 0);
  expect(refused.map((r) => errorCode({ status: 200, errors: r.errors }))).toEqual(["QUERY_TOO_COMPLEX", "QUERY_TOO_COMPLEX"]);
  expect(refused[0].errors[0].message).toMatch(/^query is \d+ levels deep; at most 12 are allowed$/);
  expect(refused[1].errors[0].message).toMatch(/^query costs \d+; at most 100000 is allowed$/);
  await subscribed();
  expect(allowed.errors).toEqual([]);
});

test("two servers: both subscribers receive what a worker process does (LISTEN/NOTIFY), and a stopping server closes its sockets with 1001", async () => {
  second = await startTestServer({ MYSQL_URL: server.config.mysqlUrl, DATABASE_URL: server.config.databaseUrl });
  const three = await addPlainRegistry(server, { name: "live three", url: proxy.url });
  const atFirst = scans(client(server.url, server.adminToken), three);
  const atSecond = scans(client(second.url, server.adminToken), three);
  cliWorker = runCli(["worker"], {
    MYSQL_URL: server.config.mysqlUrl,
    DATABASE_URL: server.config.databaseUrl,
    HOST: "127.0.0.1",
    DRYDOCK_DATA_DIR: server.config.dataDir,
  });
  await cliWorker.waitFor(/worker started/, 60_000);
  await subscribed();

  const [job] = await queueScansOf(server, three, [IMAGE]);
  await Promise.all([atFirst.until(succeeded), atSecond.until(succeeded)]);
  for (const recording of [atFirst, atSecond]) {
    expect(recording.events.every((e) => e.id === job)).toBe(true);
    expect(statusesOf(recording.events)[0]).toBe("QUEUED");
    expect(statusesOf(recording.events).at(-1)).toBe("SUCCEEDED");
  }

  await second.stop();
  second = null;
  expect(atSecond.closed).toEqual({ code: 1001, reason: "Going away" });
  expect(atFirst.closed).toBeNull();
}, 120_000);

test("the LISTEN connection comes back after PostgreSQL drops it (as in a restart), and updates flow again", async () => {
  const recording = scans(client(server.url, server.adminToken), one);
  await subscribed();
  const listeners = async () =>
    (
      await pg.query<{ pid: number }>(
        "SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database() AND query LIKE 'LISTEN%' AND state = 'idle'",
        [LISTENER_APPLICATION_NAME],
      )
    ).rows.map((row) => row.pid);
  const before = await listeners();
  expect(before).toHaveLength(1);
  await pg.query("SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid", [before]);

  const deadline = Date.now() + 15_000;
  let after: number[] = [];
  while (!(after.length === 1 && after[0] !== before[0])) {
    if (Date.now() > deadline) throw new Error(`no new LISTEN connection: ${JSON.stringify(after)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    after = await listeners();
  }
  const id = await someScanJobOf(one);
  await pg.query("SELECT pg_notify($1, $2)", [UPDATES_CHANNEL, JSON.stringify({ kind: "scanJob", registryId: one, ids: [id] })]);
  const [event] = await recording.until((events) => events.length > 0);
  expect(event).toMatchObject({ id, registryId: one });
  expect(server.output.join("")).toContain("the LISTEN connection to PostgreSQL was lost; reconnecting");
});
