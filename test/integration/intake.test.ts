import { makeWorkerUtils, type WorkerUtils } from "graphile-worker";
import { openMysql } from "../../db/mysql";
import { requeueOrphanedScans } from "../../workers/scheduler/requeue-orphaned-scans";
import { withMysql } from "../helpers/mysql";
import { startTestServer, type TestServer } from "../helpers/server";
import { buildLayer, file } from "../registry/image-builder";
import { pushImage, pushIndex } from "../registry/push";
import { type RunningRegistry, startRegistry } from "../registry/registry-server";

const ADD = `mutation($id: ID!, $refs: [String!]!) {
  addScanJobs(registryId: $id, references: $refs) { reference status message scanJob { id status image { repository tag platform digest addedBy } } scanJobs { id } }
}`;

let server: TestServer;
let registry: RunningRegistry;
let utils: WorkerUtils;
let registryId: string;
let downId: string;
let digests: Record<string, string>;

async function addRegistry(name: string, url: string): Promise<string> {
  const answer = await server.gql(`mutation($input: AddRegistryInput!) { addRegistry(input: $input) { id } }`, {
    input: { name, type: "DOCKER_REGISTRY", url, insecure: true, authMethod: "NONE" },
  });
  return answer.data!.addRegistry.id;
}

beforeAll(async () => {
  server = await startTestServer();
  registry = await startRegistry();
  utils = await makeWorkerUtils({ connectionString: server.config.databaseUrl });
  const app = await pushImage(registry, "team/app", "1.0", { layers: [buildLayer([file("app", "1")])], config: { created: new Date() } });
  const multi = await pushIndex(registry, "team/multi", "2.0", [
    { platform: { os: "linux", architecture: "amd64" } },
    { platform: { os: "linux", architecture: "arm64" } },
  ], { attestation: true });
  digests = { app: app.manifestDigest, multi: multi.indexDigest, multiAmd64: multi.images[0].manifestDigest, multiArm64: multi.images[1].manifestDigest };
  registryId = await addRegistry("intake", registry.url);
  downId = await addRegistry("down", "http://127.0.0.1:9");
  const policy = await server.gql(`mutation($id: ID!) { editPullPolicy(registryId: $id, input: { platforms: ["linux/amd64", "linux/arm64"] }) { platforms } }`, { id: registryId });
  expect(policy.errors).toBeUndefined();
});

afterAll(async () => {
  await utils?.release();
  await registry?.stop();
  await server?.stop();
});

test("each reference is checked and answered in order; found ones are stored and queued at once", async () => {
  const refs = ["team/app:1.0", `team/app@${digests.app}`, "team/multi:2.0", "team/app:9.9", "nope/missing:1", "Bad Ref", "team/app:1.0"];
  const answer = await server.gql(ADD, { id: registryId, refs });
  expect(answer.errors).toBeUndefined();
  const results = answer.data!.addScanJobs;
  expect(results.map((r: any) => [r.reference, r.status])).toEqual([
    ["team/app:1.0", "QUEUED"],
    [`team/app@${digests.app}`, "QUEUED"],
    ["team/multi:2.0", "QUEUED"],
    ["team/app:9.9", "NOT_FOUND"],
    ["nope/missing:1", "NOT_FOUND"],
    ["Bad Ref", "INVALID"],
    ["team/app:1.0", "ALREADY_QUEUED"],
  ]);
  expect(results[0].scanJob.image).toEqual({ repository: "team/app", tag: "1.0", platform: "linux/amd64", digest: digests.app, addedBy: "MANUAL" });
  expect(results[1].scanJob.image).toMatchObject({ tag: null, digest: digests.app });
  expect(results[2].scanJobs).toHaveLength(2);
  expect(results[6].scanJob.id).toBe(results[0].scanJob.id);
  expect(results[5].message).toContain("repo:tag");

  const queued = [results[0], results[1], results[2]].flatMap((r: any) => r.scanJobs.map((j: any) => j.id)).sort();
  const keys = (
    await utils.withPgClient((pg) =>
      pg.query(`SELECT j.key FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id WHERE t.identifier = 'image_scan'`),
    )
  ).rows.map((r: { key: string }) => r.key);
  expect(keys.sort()).toEqual(queued);
  const rows = await withMysql(server.config.mysqlUrl, async (my) => (await my.query<any[]>("SELECT status FROM scan_job WHERE registryId = ?", [registryId]))[0]);
  expect(rows).toHaveLength(4);
});

test("a registry that cannot be reached answers REGISTRY_ERROR with its code", async () => {
  const answer = await server.gql(ADD, { id: downId, refs: ["team/app:1.0"] });
  expect(answer.data!.addScanJobs[0]).toMatchObject({ status: "REGISTRY_ERROR", message: expect.stringContaining("REGISTRY_UNREACHABLE"), scanJob: null });
});

test("no references, or too many, is BAD_USER_INPUT", async () => {
  const answer = await server.gql(ADD, { id: registryId, refs: [] });
  expect(answer.errors![0].extensions!.code).toBe("BAD_USER_INPUT");
});

test("the reconciler re-enqueues a QUEUED scan job whose graphile job was lost", async () => {
  const db = await openMysql(server.config.mysqlUrl, 2);
  try {
    const answer = await server.gql(ADD, { id: registryId, refs: ["team/multi:2.0"] });
    const jobId = answer.data!.addScanJobs[0].scanJob.id as string;
    await utils.withPgClient((pg) => pg.query("SELECT graphile_worker.remove_job($1)", [jobId]));
    expect(await requeueOrphanedScans(db, utils, { olderThan: new Date(Date.now() - 60_000) })).toEqual([]);
    const requeued = await requeueOrphanedScans(db, utils, { olderThan: new Date(Date.now() + 1000) });
    expect(requeued).toContain(jobId);
    const found = await utils.withPgClient((pg) => pg.query("SELECT key FROM graphile_worker._private_jobs WHERE key = $1", [jobId]));
    expect(found.rowCount).toBe(1);
    // Nothing is queued twice.
    expect(await requeueOrphanedScans(db, utils, { olderThan: new Date(Date.now() + 1000) })).toEqual([]);
  } finally {
    await db.destroy();
  }
});

test("a re-queued job whose graphile job is spent (its worker died before queuing it again) is queued again", async () => {
  const db = await openMysql(server.config.mysqlUrl, 2);
  try {
    await pushImage(registry, "team/requeued", "1", { layers: [buildLayer([file("r", "1")])], config: { created: new Date() } });
    await pushImage(registry, "team/fresh", "1", { layers: [buildLayer([file("f", "1")])], config: { created: new Date() } });
    const answer = await server.gql(ADD, { id: registryId, refs: ["team/requeued:1", "team/fresh:1"] });
    const [requeued, fresh] = answer.data!.addScanJobs.map((r: { scanJob: { id: string } }) => r.scanJob.id as string);
    // One attempt ran and was put back in MySQL; its graphile job was unlocked with no attempts left.
    await db.query("UPDATE scan_job SET attemptCount = 1 WHERE id = ?", [requeued]);
    await utils.withPgClient((pg) => pg.query("UPDATE graphile_worker._private_jobs SET attempts = max_attempts WHERE key = ANY($1::text[])", [[requeued, fresh]]));

    expect(await requeueOrphanedScans(db, utils, { retried: true })).toEqual([requeued]);
    const rows = await utils.withPgClient((pg) => pg.query("SELECT attempts FROM graphile_worker._private_jobs WHERE key = $1", [requeued]));
    expect(rows.rows).toEqual([{ attempts: 0 }]);
    expect(await requeueOrphanedScans(db, utils, { retried: true })).toEqual([]);
    // A fresh row is the reconciler's, after its grace period.
    expect(await requeueOrphanedScans(db, utils, { olderThan: new Date(Date.now() + 1000) })).toContain(fresh);
  } finally {
    await db.destroy();
  }
});
