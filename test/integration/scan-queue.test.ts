import type { DataSource } from "typeorm";
import { ImageSource, ScanJobStatus } from "../../db/enums";
import { openMysql } from "../../db/mysql";
import { upsertImages } from "../../workers/discovery/image-store";
import { queueScans, type ScanEnqueuer } from "../../workers/discovery/scan-queue";
import { withMysql } from "../helpers/mysql";
import { startTestServer, type TestServer } from "../helpers/server";

let server: TestServer;
let db: DataSource;
let registryId: string;
const enqueued: string[] = [];
const enqueuer: ScanEnqueuer = { enqueue: async (ids) => void enqueued.push(...ids) };
const HOUR = 3600_000;

const image = (tag: string) => ({ repository: "team/app", tag, tagDigest: `sha256:${tag.padStart(64, "0")}`, platform: "linux/amd64", digest: `sha256:${tag.padStart(64, "0")}`, createdAt: null, pushedAt: null });

async function jobsOf(imageId: string) {
  return withMysql(server.config.mysqlUrl, async (my) => (await my.query<any[]>("SELECT id, status FROM scan_job WHERE imageId = ? ORDER BY queuedAt", [imageId]))[0]);
}

async function setStatus(imageId: string, status: ScanJobStatus, finishedAt: Date | null) {
  await withMysql(server.config.mysqlUrl, (my) => my.query("UPDATE scan_job SET status = ?, finishedAt = ? WHERE imageId = ?", [status, finishedAt, imageId]));
}

beforeAll(async () => {
  server = await startTestServer();
  db = await openMysql(server.config.mysqlUrl, 2);
  const added = await server.gql(`mutation { addRegistry(input: { name: "q", type: DOCKER_REGISTRY, url: "http://127.0.0.1:9", insecure: true, authMethod: NONE }) { id } }`);
  registryId = added.data!.addRegistry.id;
});
afterAll(async () => {
  await db.destroy();
  await server.stop();
});
beforeEach(() => void (enqueued.length = 0));

test("selected images are queued once: not while queued or running, not after success", async () => {
  const [a] = await db.transaction((tx) => upsertImages(tx, registryId, [image("1")], ImageSource.POLICY, new Date()));
  expect(await queueScans(db, enqueuer, registryId, [a], false, new Date())).toBe(1);
  expect(await queueScans(db, enqueuer, registryId, [a], false, new Date())).toBe(0);
  await setStatus(a, ScanJobStatus.RUNNING, null);
  expect(await queueScans(db, enqueuer, registryId, [a], false, new Date())).toBe(0);
  await setStatus(a, ScanJobStatus.SUCCEEDED, new Date());
  expect(await queueScans(db, enqueuer, registryId, [a], false, new Date())).toBe(0);
  expect(enqueued).toHaveLength(1);
  expect(enqueued[0]).toBe((await jobsOf(a))[0].id);
});

test("an image whose last scan FAILED is queued again at most once a day", async () => {
  const [b] = await db.transaction((tx) => upsertImages(tx, registryId, [image("2")], ImageSource.POLICY, new Date()));
  await queueScans(db, enqueuer, registryId, [b], false, new Date());
  const failedAt = new Date();
  await setStatus(b, ScanJobStatus.FAILED, failedAt);
  expect(await queueScans(db, enqueuer, registryId, [b], false, new Date(failedAt.getTime() + 23 * HOUR))).toBe(0);
  expect(await queueScans(db, enqueuer, registryId, [b], false, new Date(failedAt.getTime() + 24 * HOUR))).toBe(1);
  expect((await jobsOf(b)).map((j) => j.status)).toEqual(["FAILED", "QUEUED"]);
});

test("with rescan, a run that queued something new also re-queues every other current image not already queued", async () => {
  const now = new Date();
  const [scanned, queued, removed, fresh] = await db.transaction((tx) =>
    upsertImages(tx, registryId, [image("3"), image("4"), image("5"), image("6")], ImageSource.POLICY, now),
  );
  await queueScans(db, enqueuer, registryId, [scanned, queued, removed], false, now);
  await setStatus(scanned, ScanJobStatus.SUCCEEDED, now);
  await withMysql(server.config.mysqlUrl, (my) => my.query("UPDATE image SET removed = 1 WHERE id = ?", [removed]));
  await setStatus(removed, ScanJobStatus.SUCCEEDED, now);
  enqueued.length = 0;

  // Nothing new selected: rescan does nothing.
  expect(await queueScans(db, enqueuer, registryId, [scanned], true, now)).toBe(0);
  // Something new: the new one, plus every current image not removed and not queued.
  const count = await queueScans(db, enqueuer, registryId, [fresh], true, now);
  const requeuedImages = await withMysql(server.config.mysqlUrl, async (my) =>
    (await my.query<any[]>("SELECT DISTINCT imageId FROM scan_job WHERE id IN (?)", [enqueued]))[0].map((r) => r.imageId),
  );
  expect(requeuedImages).toContain(fresh);
  expect(requeuedImages).toContain(scanned);
  expect(requeuedImages).not.toContain(queued);
  expect(requeuedImages).not.toContain(removed);
  expect(count).toBe(enqueued.length);
});
