import { randomUUID } from "node:crypto";
import type { DataSource } from "typeorm";
import { Image, ScanJob } from "../../db/entities";
import { ImageSource, ScanAttemptOutcome, ScanJobStatus } from "../../db/enums";
import { writeInventory } from "../../workers/scan/artifact-store";
import { beginAttempt, endAttempt } from "../../workers/scan/attempt-store";
import { reapLostWorkers } from "../../workers/scan/worker-liveness";
import { openWorkerSide, type WorkerSide } from "../helpers/discovery";
import { addPlainRegistry, jobState } from "../helpers/scanning";
import { startTestServer, type TestServer } from "../helpers/server";

/** The attempt token and the reaper on the real database, without registries or workers. */

let server: TestServer;
let side: WorkerSide;
let db: DataSource;
let registryId: string;

beforeAll(async () => {
  server = await startTestServer();
  side = await openWorkerSide(server);
  db = side.db;
  registryId = await addPlainRegistry(server, { name: "nowhere", url: "http://127.0.0.1:9" });
});

afterAll(async () => {
  await side?.close();
  await server?.stop();
});

async function queuedJob(): Promise<string> {
  const imageId = randomUUID();
  await db.getRepository(Image).insert({
    id: imageId,
    registryId,
    repository: "r",
    tag: imageId.slice(0, 8),
    platform: "linux/amd64",
    digest: `sha256:${"a".repeat(64)}`,
    tagDigest: `sha256:${"a".repeat(64)}`,
    addedBy: ImageSource.MANUAL,
  });
  const id = randomUUID();
  await db.getRepository(ScanJob).insert({ id, registryId, imageId, status: ScanJobStatus.QUEUED });
  return id;
}

async function registerWorker(beatSecondsAgo: number, graphileIds: string[]): Promise<string> {
  const id = randomUUID();
  await db.query(
    "INSERT INTO worker_instance (id, host, pid, graphileWorkerIds, startedAt, lastBeatAt) VALUES (?, 'h', 1, ?, NOW(3), NOW(3) - INTERVAL ? SECOND)",
    [id, JSON.stringify(graphileIds), beatSecondsAgo],
  );
  return id;
}

const lost = { outcome: ScanAttemptOutcome.WORKER_LOST, code: "WORKER_LOST", message: "gone" } as const;

test("only the attempt holding the token writes: a worker presumed dead cannot finish the job", async () => {
  const id = await queuedJob();
  const worker = await registerWorker(0, []);
  const first = (await beginAttempt(db, id, worker))!;
  expect(await endAttempt(db, first.token, lost)).toMatchObject({ status: "QUEUED" });
  const second = (await beginAttempt(db, id, worker))!;
  expect(second.number).toBe(2);

  const write = jest.fn(async () => undefined);
  expect(await endAttempt(db, first.token, { outcome: ScanAttemptOutcome.SUCCEEDED }, write)).toBeNull();
  expect(write).not.toHaveBeenCalled();
  expect((await jobState(db, id)).job).toMatchObject({ status: "RUNNING", attemptToken: second.token });

  expect(await endAttempt(db, second.token, { outcome: ScanAttemptOutcome.SUCCEEDED }, write)).toMatchObject({ status: "SUCCEEDED" });
  expect(write).toHaveBeenCalledTimes(1);
  expect(await endAttempt(db, second.token, { outcome: ScanAttemptOutcome.SUCCEEDED }, write)).toBeNull();
  expect(write).toHaveBeenCalledTimes(1);
});

test("a job is not started twice, and a non-QUEUED job is not started at all", async () => {
  const id = await queuedJob();
  const worker = await registerWorker(0, []);
  const [a, b] = await Promise.all([beginAttempt(db, id, worker), beginAttempt(db, id, worker)]);
  expect([a, b].filter(Boolean)).toHaveLength(1);
  expect(await beginAttempt(db, id, worker)).toBeNull();
});

test("beginning again with the same token (its commit's answer lost in a database restart) answers the attempt it began", async () => {
  const id = await queuedJob();
  const worker = await registerWorker(0, []);
  const token = randomUUID();
  const begun = (await beginAttempt(db, id, worker, token))!;
  expect(await beginAttempt(db, id, worker, token)).toMatchObject({ token, number: begun.number, job: { id, status: "RUNNING" } });
  expect(await beginAttempt(db, id, worker)).toBeNull();
  expect((await jobState(db, id)).attempts).toHaveLength(1);
});

test("the reaper unlocks a silent worker's graphile jobs, ends its attempts as WORKER_LOST, re-queues or fails them, once; jobs it took but never started are queued again", async () => {
  const dead = await registerWorker(120, ["worker-a", "worker-b"]);
  const alive = await registerWorker(0, ["worker-c"]);
  const requeue = await queuedJob();
  const exhausted = await queuedJob();
  const healthy = await queuedJob();
  const notStarted = await queuedJob();
  await beginAttempt(db, requeue, dead);
  // Two earlier attempts already counted: the third loss fails the job.
  await db.query("UPDATE scan_job SET attemptCount = 2 WHERE id = ?", [exhausted]);
  await beginAttempt(db, exhausted, dead);
  await beginAttempt(db, healthy, alive);

  const unlocked: string[][] = [];
  const enqueued: string[][] = [];
  const locks = {
    forceUnlockWorkers: async (ids: string[]) => {
      unlocked.push(ids);
      // The dead process had also taken `notStarted` from the queue without starting it.
      return ids.includes("worker-a") ? [notStarted, requeue] : [];
    },
    enqueueScans: async (ids: string[]) => void enqueued.push(ids),
  };
  const [one, two] = await Promise.all([reapLostWorkers(db, locks, 30_000), reapLostWorkers(db, locks, 30_000)]);

  expect([...one.workers, ...two.workers]).toEqual([dead]);
  expect(unlocked.flat().sort()).toEqual(expect.arrayContaining(["worker-a", "worker-b"]));
  expect(unlocked.flat()).not.toContain("worker-c");
  expect(enqueued.flat().sort()).toEqual([requeue, notStarted].sort());
  expect([...one.failed, ...two.failed]).toEqual([exhausted]);

  expect((await jobState(db, requeue)).job).toMatchObject({ status: "QUEUED", attemptToken: null, errorCode: "WORKER_LOST" });
  expect((await jobState(db, requeue)).attempts.map((a) => a.outcome)).toEqual(["WORKER_LOST"]);
  expect((await jobState(db, exhausted)).job).toMatchObject({ status: "FAILED", errorCode: "WORKER_LOST" });
  expect((await jobState(db, healthy)).job.status).toBe("RUNNING");
  expect(await db.query("SELECT id FROM worker_instance WHERE id = ?", [dead])).toEqual([]);
});

test("an inventory keeps the packages that fit its columns and leaves out a hostile one instead of failing", async () => {
  const digest = `sha256:${"b".repeat(64)}`;
  const base = { type: "npm", version: "1.0.0", path: "app/package-lock.json", layerDigest: digest, purl: "pkg:npm/ok@1.0.0", origin: "lockfile" } as const;
  await db.transaction((tx) =>
    writeInventory(tx, digest, "k", 1, {
      os: null,
      packages: [
        { ...base, name: "ok" },
        { ...base, name: "x".repeat(300), purl: "pkg:npm/long@1.0.0" },
      ],
    }),
  );
  expect(await db.query("SELECT name, installed FROM artifact_package WHERE artifactDigest = ?", [digest])).toEqual([{ name: "ok", installed: 0 }]);
  expect(await db.query("SELECT packageCount FROM artifact WHERE digest = ?", [digest])).toEqual([{ packageCount: 1 }]);
});
