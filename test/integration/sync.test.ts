import { type WorkerUtils } from "graphile-worker";
import { SyncStatus } from "../../db/enums";
import { startFaultProxy, type FaultProxy } from "../registry/fault-proxy";
import { buildLayer, file } from "../registry/image-builder";
import { deleteManifest, pushBuiltImage, pushImage, pushIndex } from "../registry/push";
import { type RunningRegistry, startRegistry } from "../registry/registry-server";
import { withMysql } from "../helpers/mysql";
import { startTestServer, type TestServer } from "../helpers/server";
import { openWorkerSide, type WorkerSide } from "../helpers/discovery";

const DAY = 24 * 3600_000;
const daysAgo = (n: number) => new Date(Date.now() - n * DAY);

let server: TestServer;
let registry: RunningRegistry;
let proxy: FaultProxy;
let worker: WorkerSide;
let utils: WorkerUtils;
let registryId: string;
let pushed: Record<string, string>;

const layer = (name: string) => buildLayer([file(`app/${name}`, `${name}\n`)]);

async function sync() {
  const run = await worker.sync(registryId);
  expect(run).not.toBeNull();
  return run!;
}

const images = () =>
  withMysql(server.config.mysqlUrl, async (my) => {
    const [rows] = await my.query<any[]>(
      "SELECT repository, tag, platform, digest, tagDigest, createdAt, addedBy, removed, current FROM image WHERE registryId = ? ORDER BY repository, tag, platform, digest",
      [registryId],
    );
    return rows.map((r) => ({ ...r, removed: Boolean(r.removed), current: Boolean(r.current) }));
  });

const scanJobs = () =>
  withMysql(server.config.mysqlUrl, async (my) => {
    const [rows] = await my.query<any[]>(
      "SELECT s.id, s.status, i.repository, i.tag, i.platform FROM scan_job s JOIN image i ON i.id = s.imageId WHERE s.registryId = ? ORDER BY i.repository, i.tag, i.platform",
      [registryId],
    );
    return rows;
  });

const graphileScanKeys = async () =>
  (
    await utils.withPgClient((pg) =>
      pg.query(
        `SELECT j.key FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id
         WHERE t.identifier = 'image_scan' ORDER BY j.key`,
      ),
    )
  ).rows.map((r: { key: string }) => r.key);

beforeAll(async () => {
  server = await startTestServer();
  registry = await startRegistry();
  proxy = await startFaultProxy({ target: registry.url, seed: 1, rate: 0, faults: [], maxConsecutive: 0 });
  worker = await openWorkerSide(server);
  utils = worker.utils;

  const api1 = await pushImage(registry, "team/api", "1.0", { layers: [layer("api-1.0")], config: { created: daysAgo(90) } });
  const api11 = await pushImage(registry, "team/api", "1.1", { layers: [layer("api-1.1")], config: { created: daysAgo(2) }, format: "oci" });
  await pushBuiltImage(registry, "team/api", "latest", api11.image);
  const web = await pushIndex(
    registry,
    "team/web",
    "2.0",
    [
      { platform: { os: "linux", architecture: "amd64" }, config: { created: daysAgo(3) } },
      { platform: { os: "linux", architecture: "arm64", variant: "v8" }, config: { created: daysAgo(3) } },
    ],
    { attestation: true },
  );
  const old = await pushImage(registry, "legacy/tool", "0.1", { layers: [layer("tool")], config: { created: new Date(0) } });
  pushed = {
    api10: api1.manifestDigest,
    api11: api11.manifestDigest,
    webIndex: web.indexDigest,
    webAmd64: web.images[0].manifestDigest,
    webArm64: web.images[1].manifestDigest,
    old: old.manifestDigest,
  };

  const added = await server.gql(
    `mutation($input: AddRegistryInput!) { addRegistry(input: $input) { id } }`,
    { input: { name: "real registry", type: "DOCKER_REGISTRY", url: proxy.url, insecure: true, authMethod: "NONE" } },
  );
  registryId = added.data!.addRegistry.id;
  const policy = await server.gql(
    `mutation($id: ID!, $input: PullPolicyInput!) { editPullPolicy(registryId: $id, input: $input) { mode } }`,
    {
      id: registryId,
      input: {
        mode: "AUTOMATIC",
        schedule: "0 3 * * *",
        condition: "CREATED_WITHIN",
        createdWithin: { amount: 30, unit: "DAYS" },
        platforms: ["linux/amd64", "linux/arm64"],
        alwaysPull: ["legacy/*:0.1"],
      },
    },
  );
  expect(policy.errors).toBeUndefined();
});

afterAll(async () => {
  await worker?.close();
  await proxy?.stop();
  await registry?.stop();
  await server?.stop();
});

test("a discovery run lists the registry, selects per policy, records images and queues their scans", async () => {
  const run = await sync();
  expect(run).toMatchObject({ status: SyncStatus.SUCCEEDED, repositories: 3, tagsSeen: 5, errors: [], skipped: [] });
  // 1.1, latest (2 days), web 2.0 (3 days), legacy 0.1 (always); 1.0 is 90 days old.
  expect(run.selected).toBe(4);

  const stored = await images();
  expect(stored.map((i) => [i.repository, i.tag, i.platform, i.digest])).toEqual([
    ["legacy/tool", "0.1", "linux/amd64", pushed.old],
    ["team/api", "1.1", "linux/amd64", pushed.api11],
    ["team/api", "latest", "linux/amd64", pushed.api11],
    ["team/web", "2.0", "linux/amd64", pushed.webAmd64],
    ["team/web", "2.0", "linux/arm64/v8", pushed.webArm64],
  ]);
  expect(stored.find((i) => i.repository === "team/web")!.tagDigest).toBe(pushed.webIndex);
  // A config date before 1980 counts as missing.
  expect(stored.find((i) => i.repository === "legacy/tool")!.createdAt).toBeNull();
  expect(stored.every((i) => i.addedBy === "POLICY" && !i.removed && i.current)).toBe(true);

  const jobs = await scanJobs();
  expect(jobs).toHaveLength(5);
  expect(jobs.every((j) => j.status === "QUEUED")).toBe(true);
  expect(await graphileScanKeys()).toEqual(jobs.map((j) => j.id).sort());
  expect(run.queued).toBe(5);
});

test("a second run with nothing changed queues nothing and fetches no config again", async () => {
  const before = proxy.stats().byKey;
  const blobGetsBefore = [...before.entries()].filter(([k]) => k.startsWith("GET ") && k.includes("/blobs/")).reduce((n, [, c]) => n + c, 0);
  const run = await sync();
  const after = proxy.stats().byKey;
  const blobGetsAfter = [...after.entries()].filter(([k]) => k.startsWith("GET ") && k.includes("/blobs/")).reduce((n, [, c]) => n + c, 0);
  expect(run).toMatchObject({ status: SyncStatus.SUCCEEDED, selected: 4, queued: 0 });
  expect(blobGetsAfter).toBe(blobGetsBefore);
  expect(await scanJobs()).toHaveLength(5);
});

test("a tag that moves makes a new image and keeps the old one as history; a vanished tag marks its images removed", async () => {
  const moved = await pushImage(registry, "team/api", "latest", { layers: [layer("api-1.2")], config: { created: daysAgo(1) } });
  await deleteManifest(registry, "team/web", pushed.webIndex);
  const run = await sync();
  expect(run.status).toBe(SyncStatus.SUCCEEDED);

  const latest = (await images()).filter((i) => i.tag === "latest");
  expect(latest.map((i) => [i.digest, i.current, i.removed])).toEqual(
    [
      [pushed.api11, false, false],
      [moved.manifestDigest, true, false],
    ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
  );
  const web = (await images()).filter((i) => i.repository === "team/web");
  expect(web.every((i) => i.removed)).toBe(true);
  // Only the new image was queued.
  expect(run.queued).toBe(1);
});

test("syncRuns and lastSync expose the runs, newest first", async () => {
  const answer = await server.gql(
    `query($id: ID!) { registry(id: $id) { lastSync { status queued } } syncRuns(registryId: $id, first: 10) { totalCount nodes { status tagsSeen selected queued trigger } } }`,
    { id: registryId },
  );
  expect(answer.errors).toBeUndefined();
  expect(answer.data!.syncRuns.totalCount).toBe(3);
  expect(answer.data!.syncRuns.nodes[0]).toMatchObject({ status: "SUCCEEDED", queued: 1, trigger: "MANUAL" });
  expect(answer.data!.registry.lastSync).toEqual({ status: "SUCCEEDED", queued: 1 });
});
