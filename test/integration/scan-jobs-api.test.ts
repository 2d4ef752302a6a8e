import { makeWorkerUtils, type WorkerUtils } from "graphile-worker";
import type { DataSource } from "typeorm";
import { type Image, ScanAttempt, ScanJob } from "../../db/entities";
import { ScanAttemptOutcome, ScanJobStatus } from "../../db/enums";
import { openMysql } from "../../db/mysql";
import { graphileScanEnqueuer } from "../../workers/discovery/graphile-scan-enqueuer";
import { allPages } from "../helpers/pages";
import { seedAttempt, seedImage, seedScanJob } from "../helpers/scan-rows";
import { errorCode, startTestServer, type TestServer } from "../helpers/server";

const JOB_FIELDS = `id status attemptCount queuedAt startedAt finishedAt errorCode errorMessage registryId imageId`;
const DELETE = `mutation($ids: [ID!]!) { deleteScanJobs(ids: $ids) { ${JOB_FIELDS} } }`;
const RETRY = `mutation($id: ID!) { retryScanJob(id: $id) { ${JOB_FIELDS} } }`;
const UNKNOWN = "00000000-0000-0000-0000-000000000000";

let server: TestServer;
let db: DataSource;
let utils: WorkerUtils;
let registryA: string;
let registryB: string;
let sequence = 0;

const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute));

async function addRegistry(name: string): Promise<string> {
  const answer = await server.gql(`mutation($input: AddRegistryInput!) { addRegistry(input: $input) { id } }`, {
    input: { name, type: "DOCKER_REGISTRY", url: "https://registry.example.com", authMethod: "NONE" },
  });
  return answer.data!.addRegistry.id;
}

/** A fresh image of registry A, so that each test's jobs are its own. */
const freshImage = () => seedImage(db, registryA, { repository: `jobs/app${++sequence}` });

/** A job as discovery or intake leaves it: the row, then its graphile job. */
async function queuedJob(image: Image): Promise<ScanJob> {
  const job = await seedScanJob(db, image);
  await graphileScanEnqueuer(utils.addJobs).enqueue([job.id]);
  return job;
}

/** A job a worker is scanning: its graphile job locked, its attempt RUNNING and holding the token. */
async function runningJob(image: Image): Promise<{ job: ScanJob; earlier: ScanAttempt; running: ScanAttempt; graphileId: string }> {
  const queued = await queuedJob(image);
  const earlier = await seedAttempt(db, queued, 1, { outcome: ScanAttemptOutcome.ERROR, finishedAt: new Date(), code: "REGISTRY_UNREACHABLE" });
  const running = await seedAttempt(db, queued, 2);
  await db.getRepository(ScanJob).update({ id: queued.id }, { status: ScanJobStatus.RUNNING, attemptCount: 2, attemptToken: running.id, startedAt: new Date() });
  const locked = await utils.withPgClient((pg) =>
    pg.query("UPDATE graphile_worker._private_jobs SET locked_at = now(), locked_by = 'test-worker' WHERE key = $1 RETURNING id", [queued.id]),
  );
  return { job: await db.getRepository(ScanJob).findOneByOrFail({ id: queued.id }), earlier, running, graphileId: String(locked.rows[0].id) };
}

async function graphileJob(key: string): Promise<{ task: string; max_attempts: number } | null> {
  const found = await utils.withPgClient((pg) =>
    pg.query(
      `SELECT t.identifier AS task, j.max_attempts FROM graphile_worker._private_jobs j
         JOIN graphile_worker._private_tasks t ON t.id = j.task_id WHERE j.key = $1`,
      [key],
    ),
  );
  return found.rows[0] ?? null;
}

/** What a refused mutation must leave as it was. */
async function scanState(): Promise<string> {
  const [jobs, attempts] = await Promise.all([db.query("SELECT * FROM scan_job ORDER BY id"), db.query("SELECT * FROM scan_attempt ORDER BY id")]);
  const graphile = await utils.withPgClient((pg) => pg.query("SELECT key, attempts, max_attempts FROM graphile_worker._private_jobs ORDER BY key"));
  return JSON.stringify({ jobs, attempts, graphile: graphile.rows });
}

beforeAll(async () => {
  server = await startTestServer();
  db = await openMysql(server.config.mysqlUrl, 2);
  utils = await makeWorkerUtils({ connectionString: server.config.databaseUrl });
  registryA = await addRegistry("jobs-a");
  registryB = await addRegistry("jobs-b");
});

afterAll(async () => {
  await utils?.release();
  await db?.destroy();
  await server?.stop();
});

describe("scanJobs and scanJob", () => {
  const LIST = `query($first: Int, $after: String, $filter: ScanJobFilter) {
    scanJobs(first: $first, after: $after, filter: $filter) {
      totalCount pageInfo { hasNextPage endCursor } edges { node { id status } }
    }
  }`;
  let jobs: ScanJob[];
  let imageOne: Image;

  beforeAll(async () => {
    imageOne = await seedImage(db, registryA, { repository: "list/one" });
    const imageTwo = await seedImage(db, registryB, { repository: "list/two" });
    // queuedAt out of insertion order, so the order answered is not the order stored.
    jobs = [
      await seedScanJob(db, imageOne, { status: ScanJobStatus.SUCCEEDED, queuedAt: at(30), finishedAt: at(31) }),
      await seedScanJob(db, imageOne, { status: ScanJobStatus.FAILED, queuedAt: at(10), finishedAt: at(11) }),
      await seedScanJob(db, imageTwo, { status: ScanJobStatus.SUCCEEDED, queuedAt: at(50), finishedAt: at(51) }),
      await seedScanJob(db, imageTwo, { status: ScanJobStatus.QUEUED, queuedAt: at(40) }),
      await seedScanJob(db, imageOne, { status: ScanJobStatus.QUEUED, queuedAt: at(20) }),
    ];
  });

  const listed = async (filter: Record<string, unknown>, first: number) => {
    const { nodes, pages } = await allPages<{ id: string }>(server, LIST, { filter }, (data) => data.scanJobs, first);
    return { ids: nodes.map((node) => node.id), pages };
  };
  const ids = (list: ScanJob[]) => list.map((job) => job.id);

  test("newest queued first, page by page, each page with the total", async () => {
    const first = await server.gql(LIST, { filter: { registryId: registryA }, first: 2 });
    expect(first.data!.scanJobs.totalCount).toBe(3);
    const all = await listed({ registryId: registryA }, 2);
    expect(all).toEqual({ ids: ids([jobs[0], jobs[4], jobs[1]]), pages: 2 });
  });

  test("each filter field narrows the list", async () => {
    expect((await listed({ imageId: imageOne.id }, 500)).ids).toEqual(ids([jobs[0], jobs[4], jobs[1]]));
    expect((await listed({ registryId: registryB, status: "QUEUED" }, 500)).ids).toEqual(ids([jobs[3]]));
    expect((await listed({ imageId: imageOne.id, status: "SUCCEEDED" }, 500)).ids).toEqual(ids([jobs[0]]));
  });

  test("scanJob(id) answers the job with its registry, image and attempts in order; an unknown id is NOT_FOUND", async () => {
    const job = jobs[1];
    for (const number of [3, 1, 2]) {
      await seedAttempt(db, job, number, { outcome: ScanAttemptOutcome.TIMED_OUT, finishedAt: at(number), code: "SCAN_TIMEOUT" });
    }
    const query = `query($id: ID!, $after: String) {
      scanJob(id: $id) {
        id status registry { id } image { id repository }
        attempts(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { number outcome code finishedAt } }
      }
    }`;
    const answer = await server.gql(query, { id: job.id });
    expect(answer.errors).toBeUndefined();
    const found = answer.data!.scanJob;
    expect(found).toMatchObject({ id: job.id, status: "FAILED", registry: { id: registryA }, image: { id: imageOne.id, repository: "list/one" } });
    expect(found.attempts.totalCount).toBe(3);
    expect(found.attempts.nodes).toEqual([
      { number: 1, outcome: "TIMED_OUT", code: "SCAN_TIMEOUT", finishedAt: at(1).toISOString() },
      { number: 2, outcome: "TIMED_OUT", code: "SCAN_TIMEOUT", finishedAt: at(2).toISOString() },
    ]);
    const rest = await server.gql(query, { id: job.id, after: found.attempts.pageInfo.endCursor });
    expect(rest.data!.scanJob.attempts.nodes.map((a: { number: number }) => a.number)).toEqual([3]);
    expect(rest.data!.scanJob.attempts.pageInfo.hasNextPage).toBe(false);

    const missing = await server.gql(query, { id: UNKNOWN });
    expect(errorCode(missing)).toBe("NOT_FOUND");
  });
});

describe("deleteScanJobs", () => {
  test("a QUEUED job becomes CANCELLED and its graphile job is gone", async () => {
    const job = await queuedJob(await freshImage());
    expect(await graphileJob(job.id)).toEqual({ task: "image_scan", max_attempts: 1 });

    const answer = await server.gql(DELETE, { ids: [job.id] });
    expect(answer.errors).toBeUndefined();
    const [cancelled] = answer.data!.deleteScanJobs;
    expect(cancelled).toMatchObject({ id: job.id, status: "CANCELLED", errorCode: null, queuedAt: job.queuedAt.toISOString() });
    expect(Date.now() - Date.parse(cancelled.finishedAt)).toBeLessThan(60_000);
    expect(await graphileJob(job.id)).toBeNull();
  });

  test("a RUNNING job becomes CANCELLED: its token is cleared, its running attempt ended, its locked graphile job defused", async () => {
    const { job, earlier, running, graphileId } = await runningJob(await freshImage());

    const answer = await server.gql(DELETE, { ids: [job.id] });
    expect(answer.errors).toBeUndefined();
    expect(answer.data!.deleteScanJobs).toEqual([expect.objectContaining({ id: job.id, status: "CANCELLED", attemptCount: 2 })]);

    const row = await db.getRepository(ScanJob).findOneByOrFail({ id: job.id });
    expect(row).toMatchObject({ status: ScanJobStatus.CANCELLED, attemptToken: null, finishedAt: expect.any(Date) });
    expect(await db.getRepository(ScanAttempt).findOneByOrFail({ id: running.id })).toMatchObject({
      outcome: ScanAttemptOutcome.CANCELLED,
      finishedAt: row.finishedAt,
    });
    expect(await db.getRepository(ScanAttempt).findOneByOrFail({ id: earlier.id })).toEqual(earlier);
    // remove_job cannot delete a locked job: it takes the key away and leaves no attempt to retry.
    expect(await graphileJob(job.id)).toBeNull();
    const defused = await utils.withPgClient((pg) => pg.query("SELECT key, attempts, max_attempts FROM graphile_worker._private_jobs WHERE id = $1", [graphileId]));
    expect(defused.rows).toEqual([{ key: null, attempts: 1, max_attempts: 1 }]);
  });

  test("several jobs at once, each answered in the order asked", async () => {
    const one = await queuedJob(await freshImage());
    const two = await queuedJob(await freshImage());
    const answer = await server.gql(DELETE, { ids: [two.id, one.id, two.id] });
    expect(answer.data!.deleteScanJobs.map((j: { id: string; status: string }) => [j.id, j.status])).toEqual([
      [two.id, "CANCELLED"],
      [one.id, "CANCELLED"],
    ]);
  });

  test.each([
    ["SUCCEEDED", ScanJobStatus.SUCCEEDED],
    ["FAILED", ScanJobStatus.FAILED],
    ["CANCELLED", ScanJobStatus.CANCELLED],
  ])("a %s job among them is a CONFLICT naming it, and nothing changes", async (_label, status) => {
    const queued = await queuedJob(await freshImage());
    const { job: running } = await runningJob(await freshImage());
    const finished = await seedScanJob(db, await freshImage(), { status, finishedAt: new Date() });
    const before = await scanState();

    const answer = await server.gql(DELETE, { ids: [queued.id, running.id, finished.id] });
    expect(errorCode(answer)).toBe("CONFLICT");
    expect(answer.errors![0].extensions!.ids).toEqual([finished.id]);
    expect(answer.errors![0].message).toContain(finished.id);
    expect(answer.data).toBeNull();
    expect(await scanState()).toBe(before);
  });

  test("an unknown id is NOT_FOUND naming it, and nothing changes", async () => {
    const queued = await queuedJob(await freshImage());
    const before = await scanState();
    const answer = await server.gql(DELETE, { ids: [queued.id, UNKNOWN] });
    expect(errorCode(answer)).toBe("NOT_FOUND");
    expect(answer.errors![0].extensions!.ids).toEqual([UNKNOWN]);
    expect(await scanState()).toBe(before);
  });

  test("no ids is BAD_USER_INPUT", async () => {
    expect(errorCode(await server.gql(DELETE, { ids: [] }))).toBe("BAD_USER_INPUT");
  });
});

describe("retryScanJob", () => {
  test("a FAILED job is QUEUED again with a fresh count, its history kept, and a graphile job exists", async () => {
    const image = await freshImage();
    const failed = await seedScanJob(db, image, {
      status: ScanJobStatus.FAILED,
      attemptCount: 3,
      startedAt: at(1),
      finishedAt: at(9),
      errorCode: "SCAN_TIMEOUT",
      errorMessage: "the scan took longer than 60 minutes",
    });
    for (const number of [1, 2, 3]) await seedAttempt(db, failed, number, { outcome: ScanAttemptOutcome.TIMED_OUT, finishedAt: at(number * 3) });

    const answer = await server.gql(RETRY, { id: failed.id });
    expect(answer.errors).toBeUndefined();
    expect(answer.data!.retryScanJob).toEqual({
      id: failed.id,
      status: "QUEUED",
      attemptCount: 0,
      queuedAt: failed.queuedAt.toISOString(),
      startedAt: at(1).toISOString(),
      finishedAt: null,
      errorCode: null,
      errorMessage: null,
      registryId: registryA,
      imageId: image.id,
    });
    expect(await graphileJob(failed.id)).toEqual({ task: "image_scan", max_attempts: 1 });
    expect(await db.getRepository(ScanAttempt).countBy({ scanJobId: failed.id })).toBe(3);
  });

  test("a cancelled job can be retried: delete, then retry", async () => {
    const job = await queuedJob(await freshImage());
    await server.gql(DELETE, { ids: [job.id] });
    const answer = await server.gql(RETRY, { id: job.id });
    expect(answer.data!.retryScanJob).toMatchObject({ status: "QUEUED", finishedAt: null });
    expect(await graphileJob(job.id)).toEqual({ task: "image_scan", max_attempts: 1 });
  });

  test.each([
    ["QUEUED", ScanJobStatus.QUEUED],
    ["RUNNING", ScanJobStatus.RUNNING],
    ["SUCCEEDED", ScanJobStatus.SUCCEEDED],
  ])("a %s job is a CONFLICT, and nothing changes", async (_label, status) => {
    const job = await seedScanJob(db, await freshImage(), { status });
    const before = await scanState();
    const answer = await server.gql(RETRY, { id: job.id });
    expect(errorCode(answer)).toBe("CONFLICT");
    expect(answer.errors![0].message).toContain(status);
    expect(await scanState()).toBe(before);
  });

  test("a FAILED job whose image already has a scan queued is a CONFLICT naming that scan", async () => {
    const image = await freshImage();
    const failed = await seedScanJob(db, image, { status: ScanJobStatus.FAILED, finishedAt: new Date() });
    const queued = await queuedJob(image);
    const before = await scanState();
    const answer = await server.gql(RETRY, { id: failed.id });
    expect(errorCode(answer)).toBe("CONFLICT");
    expect(answer.errors![0].extensions!.ids).toEqual([queued.id]);
    expect(await scanState()).toBe(before);
  });

  test("an unknown id is NOT_FOUND", async () => {
    const before = await scanState();
    expect(errorCode(await server.gql(RETRY, { id: UNKNOWN }))).toBe("NOT_FOUND");
    expect(await scanState()).toBe(before);
  });
});
