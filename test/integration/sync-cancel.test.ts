import { type WorkerUtils } from "graphile-worker";
import { GraphileJobQueue } from "../../server/jobs";
import { SyncStatus, SyncTrigger } from "../../db/enums";
import { startWorker } from "../../workers/main";
import { withMysql } from "../helpers/mysql";
import { startTestServer, type TestServer } from "../helpers/server";
import { type FaultProxy, startFaultProxy } from "../registry/fault-proxy";
import { buildLayer, file } from "../registry/image-builder";
import { pushImage } from "../registry/push";
import { type RunningRegistry, startRegistry } from "../registry/registry-server";
import { openWorkerSide, type WorkerSide } from "../helpers/discovery";
import { capturingLogger } from "../helpers/logs";

let server: TestServer;
let registry: RunningRegistry;
let proxy: FaultProxy;
let worker: WorkerSide;
let utils: WorkerUtils;


const graphileKeys = async () =>
  (await utils.withPgClient((pg) => pg.query("SELECT key FROM graphile_worker._private_jobs WHERE key IS NOT NULL"))).rows.map((r: { key: string }) => r.key);

beforeAll(async () => {
  server = await startTestServer();
  registry = await startRegistry();
  for (const repo of ["slow/a", "slow/b", "slow/c"]) {
    await pushImage(registry, repo, "1", { layers: [buildLayer([file("x", repo)])], config: { created: new Date() } });
  }
  // Every tag listing takes 4 s: long enough to delete the registry while one is in flight.
  proxy = await startFaultProxy({
    target: registry.url,
    seed: 7,
    rate: 1,
    faults: ["slow"],
    slowMs: 4000,
    slowMode: "headers",
    maxConsecutive: 1000,
    only: (req) => req.path.endsWith("/tags/list"),
  });
  worker = await openWorkerSide(server);
  utils = worker.utils;
});

afterAll(async () => {
  await worker?.close();
  await proxy?.stop();
  await registry?.stop();
  await server?.stop();
});

test("deleting a registry stops its running sync within 5 s, removes its queued jobs, and nothing of it runs again", async () => {
  const added = await server.gql(`mutation($input: AddRegistryInput!) { addRegistry(input: $input) { id } }`, {
    input: { name: "doomed", type: "DOCKER_REGISTRY", url: proxy.url, insecure: true, authMethod: "NONE" },
  });
  const id = added.data!.addRegistry.id as string;
  await server.gql(`mutation($id: ID!) { editPullPolicy(registryId: $id, input: { mode: AUTOMATIC, schedule: "0 3 * * *", condition: NONE }) { mode } }`, { id });
  // Queued work of the registry: a sync job and a scan job.
  await server.gql(`mutation($id: ID!) { syncRegistry(id: $id) { id } }`, { id });
  const intake = await server.gql(`mutation($id: ID!) { addScanJobs(registryId: $id, references: ["slow/a:1"]) { status scanJob { id } } }`, { id });
  expect(intake.data!.addScanJobs[0].status).toBe("QUEUED");
  // And a push webhook's run, queued as the server queues one.
  await new GraphileJobQueue(utils).queuePushRun(id, { repository: "slow/b", tag: "1" });
  expect(await graphileKeys()).toEqual(
    expect.arrayContaining([`registry_sync:${id}`, `registry_sync:${id}:push:slow/b:1`, intake.data!.addScanJobs[0].scanJob.id]),
  );

  const running = worker.sync(id);
  const started = Date.now();
  while (Date.now() - started < 10_000) {
    const [rows] = await withMysql(server.config.mysqlUrl, (my) => my.query<any[]>("SELECT status FROM sync_run WHERE registryId = ?", [id]));
    if (rows.length > 0 && proxy.stats().requests > 2) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const deletion = await server.gql(`mutation($ids: [ID!]!) { deleteRegistries(ids: $ids) }`, { ids: [id] });
  expect(deletion.errors).toBeUndefined();
  const deletedAt = Date.now();
  const run = await running;
  expect(Date.now() - deletedAt).toBeLessThan(5000);
  expect(run!.status).toBe(SyncStatus.CANCELLED);

  expect(await graphileKeys()).toEqual([]);
  const [images] = await withMysql(server.config.mysqlUrl, (my) => my.query<any[]>("SELECT id FROM image WHERE registryId = ?", [id]));
  expect(images).toEqual([]);
  expect(await worker.sync(id, SyncTrigger.SCHEDULE)).toBeNull();
});

test("two triggers during a slow listing run one after the other, never at once", async () => {
  const added = await server.gql(`mutation($input: AddRegistryInput!) { addRegistry(input: $input) { id } }`, {
    input: { name: "serial", type: "DOCKER_REGISTRY", url: proxy.url, insecure: true, authMethod: "NONE" },
  });
  const id = added.data!.addRegistry.id as string;
  const worker = await startWorker({ ...server.config, workerConcurrency: 4 }, capturingLogger("silent").logger);
  try {
    const trigger = () => server.gql(`mutation($id: ID!) { syncRegistry(id: $id) { id } }`, { id });
    await trigger();
    const runs = () =>
      withMysql(server.config.mysqlUrl, async (my) => (await my.query<any[]>("SELECT startedAt, finishedAt FROM sync_run WHERE registryId = ? ORDER BY startedAt", [id]))[0]);
    const deadline = Date.now() + 30_000;
    while ((await runs()).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await trigger(); // the first is listing (slowly) now
    while ((await runs()).filter((r) => r.finishedAt).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const [first, second] = await runs();
    expect(first.finishedAt).not.toBeNull();
    expect(second.finishedAt).not.toBeNull();
    expect(second.startedAt.getTime()).toBeGreaterThanOrEqual(first.finishedAt.getTime());
  } finally {
    await worker.stop();
  }
});
