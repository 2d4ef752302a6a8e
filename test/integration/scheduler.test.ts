import { makeWorkerUtils, type WorkerUtils } from "graphile-worker";
import type { DataSource } from "typeorm";
import { openMysql } from "../../db/mysql";
import { createLogger } from "../../lib/logger";
import { queueDueSyncs } from "../../workers/scheduler/queue-due-syncs";
import { startWorker } from "../../workers/main";
import { withMysql } from "../helpers/mysql";
import { startTestServer, type TestServer } from "../helpers/server";

let server: TestServer;
let db: DataSource;
let utils: [WorkerUtils, WorkerUtils];

async function addRegistry(name: string, policy: Record<string, unknown>): Promise<string> {
  const added = await server.gql(
    `mutation($name: String!) { addRegistry(input: { name: $name, type: DOCKER_REGISTRY, url: "http://127.0.0.1:9", insecure: true, authMethod: NONE }) { id } }`,
    { name },
  );
  const id = added.data!.addRegistry.id as string;
  const edited = await server.gql(`mutation($id: ID!, $input: PullPolicyInput!) { editPullPolicy(registryId: $id, input: $input) { mode } }`, {
    id,
    input: policy,
  });
  expect(edited.errors).toBeUndefined();
  return id;
}

const setNextRunAt = (id: string, at: Date | null) =>
  withMysql(server.config.mysqlUrl, (my) => my.query("UPDATE pull_policy SET nextRunAt = ? WHERE registryId = ?", [at, id]));

const nextRunAtOf = (id: string) =>
  withMysql(server.config.mysqlUrl, async (my) => {
    const [rows] = await my.query<any[]>("SELECT nextRunAt FROM pull_policy WHERE registryId = ?", [id]);
    return rows[0].nextRunAt as Date | null;
  });

const syncJobs = async () =>
  (
    await utils[0].withPgClient((pg) =>
      pg.query(
        `SELECT j.key, q.queue_name, j.payload FROM graphile_worker._private_jobs j
         JOIN graphile_worker._private_tasks t ON t.id = j.task_id
         LEFT JOIN graphile_worker._private_job_queues q ON q.id = j.job_queue_id
         WHERE t.identifier = 'registry_sync' ORDER BY j.key`,
      ),
    )
  ).rows as { key: string; queue_name: string; payload: { registryId: string } }[];

const clearJobs = () => utils[0].withPgClient((pg) => pg.query("DELETE FROM graphile_worker._private_jobs"));

beforeAll(async () => {
  server = await startTestServer();
  db = await openMysql(server.config.mysqlUrl, 4);
  utils = [
    await makeWorkerUtils({ connectionString: server.config.databaseUrl }),
    await makeWorkerUtils({ connectionString: server.config.databaseUrl }),
  ];
});
afterAll(async () => {
  for (const u of utils) await u.release();
  await db.destroy();
  await server.stop();
});

/** Hourly, half an hour from now: no live firing falls inside a test (the workers below run the real crontab). */
const farMinute = () => (new Date().getUTCMinutes() + 30) % 60;

test("two schedulers at once queue exactly one registry_sync per due AUTOMATIC registry and advance nextRunAt", async () => {
  const minute = farMinute();
  const due = await addRegistry("due", { mode: "AUTOMATIC", schedule: `${minute} * * * *`, timezone: "UTC" });
  const later = await addRegistry("later", { mode: "AUTOMATIC", schedule: `${minute} * * * *`, timezone: "UTC" });
  const manual = await addRegistry("manual", { mode: "MANUAL" });
  const past = new Date(Date.now() - 60_000);
  await setNextRunAt(due, past);
  await setNextRunAt(manual, past);

  const now = new Date();
  const [first, second] = await Promise.all([queueDueSyncs(db, utils[0].addJob, now), queueDueSyncs(db, utils[1].addJob, now)]);
  expect([...first, ...second]).toEqual([due]);

  expect(await syncJobs()).toEqual([{ key: `registry_sync:${due}`, queue_name: `registry:${due}`, payload: { registryId: due, trigger: "SCHEDULE" } }]);
  const advanced = (await nextRunAtOf(due))!;
  expect(advanced.getTime()).toBeGreaterThan(now.getTime());
  expect(advanced.getUTCMinutes()).toBe(minute);
  expect((await nextRunAtOf(later))!.getTime()).toBeGreaterThan(now.getTime());
  expect((await nextRunAtOf(manual))!.getTime()).toBe(past.getTime());

  // Running again before the next firing queues nothing new.
  expect(await queueDueSyncs(db, utils[0].addJob, now)).toEqual([]);
  expect(await syncJobs()).toHaveLength(1);
  await clearJobs();
});

const syncRunsOf = (id: string) =>
  withMysql(server.config.mysqlUrl, async (my) => {
    const [rows] = await my.query<any[]>("SELECT `trigger`, status, finishedAt FROM sync_run WHERE registryId = ?", [id]);
    return rows;
  });

test("worker processes run scheduler_tick from the crontab; of two workers, one runs the one sync it queued", async () => {
  const due = await addRegistry("due for the cron", { mode: "AUTOMATIC", schedule: `${farMinute()} * * * *`, timezone: "UTC" });
  await setNextRunAt(due, new Date(Date.now() - 60_000));
  // A crontab known for 10 minutes is backfilled at start-up (its `fill` is 2 minutes), so the tick runs now.
  await utils[0].withPgClient((pg) =>
    pg.query(
      "INSERT INTO graphile_worker._private_known_crontabs (identifier, known_since) VALUES ('scheduler_tick', now() - interval '10 minutes') ON CONFLICT DO NOTHING",
    ),
  );
  const config = { ...server.config, workerConcurrency: 2 };
  const logger = createLogger("silent");
  const workers = await Promise.all([startWorker(config, logger), startWorker(config, logger)]);
  try {
    const deadline = Date.now() + 30_000;
    const finished = async () => (await syncRunsOf(due)).some((r) => r.finishedAt !== null);
    while (!(await finished()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    await new Promise((r) => setTimeout(r, 1000));
    // The registry is a closed port: the run fails, is recorded, and the job is done.
    expect(await syncRunsOf(due)).toEqual([{ trigger: "SCHEDULE", status: "FAILED", finishedAt: expect.any(Date) }]);
    expect(await syncJobs()).toEqual([]);
  } finally {
    for (const worker of workers) await worker.stop();
  }
});
