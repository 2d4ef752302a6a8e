import type { DataSource } from "typeorm";
import { runCli, type CliProcess } from "../helpers/cli";
import { openWorkerSide, type WorkerSide } from "../helpers/discovery";
import { addPlainRegistry, queueScansOf } from "../helpers/scanning";
import { startTestServer, type TestServer } from "../helpers/server";
import { type FaultProxy, startFaultProxy } from "../registry/fault-proxy";
import { buildLayer, file } from "../registry/image-builder";
import { pushImage } from "../registry/push";
import { type RunningRegistry, startRegistry } from "../registry/registry-server";

/**
 * Real worker processes killed with SIGKILL mid-scan. With a 1 s heartbeat
 * and workers counted lost after 3 s, another worker must take each killed
 * attempt's job back within LOST_AFTER + 2 heartbeats (+ slack for a loaded
 * machine: with the whole suite running on 2 cores, takeovers were seen at
 * 8.3 s), and every job must end SUCCEEDED exactly once. Without the reaper a
 * killed worker's job would wait for graphile's 4-hour lock expiry.
 */
const IMAGES = 20;
const KILLS = 10;
const HEARTBEAT_S = 1;
const LOST_AFTER_S = 3;
const TAKEOVER_BOUND_MS = (LOST_AFTER_S + 2 * HEARTBEAT_S + 6) * 1000;

let server: TestServer;
let registry: RunningRegistry;
let slow: FaultProxy;
let side: WorkerSide;
let db: DataSource;
const workers = new Set<CliProcess>();

beforeAll(async () => {
  server = await startTestServer();
  registry = await startRegistry();
  const layers = new Set<string>();
  for (let i = 0; i < IMAGES; i++) {
    const layer = buildLayer([file(`data/${i}`, `image ${i}`)]);
    layers.add(layer.digest);
    await pushImage(registry, `crash/img-${i}`, "1", { layers: [layer], config: { created: new Date() } });
  }
  // Every layer takes ~3 s to arrive: scans are long enough to be killed in the middle.
  // Manifests and configs (what addScanJobs checks) pass at full speed.
  slow = await startFaultProxy({
    target: registry.url,
    seed: 5,
    rate: 1,
    faults: ["slow"],
    slowMode: "body",
    slowMs: 3000,
    maxConsecutive: 1_000_000,
    only: (req) => req.method === "GET" && layers.has(req.path.split("/blobs/")[1] ?? ""),
  });
  side = await openWorkerSide(server);
  db = side.db;
});

afterAll(async () => {
  await Promise.all([...workers].map((w) => w.stop()));
  await side?.close();
  await slow?.stop();
  await registry?.stop();
  await server?.stop();
});

function startWorkerProcess(): CliProcess {
  const child = runCli(["worker"], {
    MYSQL_URL: server.config.mysqlUrl,
    DATABASE_URL: server.config.databaseUrl,
    DRYDOCK_DATA_DIR: server.config.dataDir,
    // One scan per process: a kill takes exactly the attempt it was aimed at.
    WORKER_CONCURRENCY: "1",
    DRYDOCK_WORKER_HEARTBEAT_SECONDS: String(HEARTBEAT_S),
    DRYDOCK_WORKER_LOST_AFTER_SECONDS: String(LOST_AFTER_S),
  });
  workers.add(child);
  return child;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test(`${KILLS} SIGKILLs during a batch of ${IMAGES} scans: no job lost, none finished twice, each taken over in bounded time`, async () => {
  const first = Array.from({ length: 5 }, startWorkerProcess);
  await Promise.all(first.map((worker) => worker.waitFor(/worker started/, 60_000)));
  const registryId = await addPlainRegistry(server, { name: "crashy", url: slow.url });
  const jobIds = await queueScansOf(server, registryId, Array.from({ length: IMAGES }, (_, i) => `crash/img-${i}:1`));

  const killedAt = new Map<string, number>();
  const started = Date.now();
  const deadline = started + 100_000;
  while (killedAt.size < KILLS) {
    if (Date.now() > deadline) throw new Error(`only ${killedAt.size} kills landed`);
    // A running attempt on a live worker, of a job with attempts to spare (a third loss would fail it, by design),
    // well before it can finish.
    const candidates: Array<{ attemptId: string; pid: number }> = await db.query(
      `SELECT a.id AS attemptId, w.pid AS pid FROM scan_attempt a
         JOIN scan_job j ON j.id = a.scanJobId AND j.attemptToken = a.id
         JOIN worker_instance w ON w.id = a.workerId
       WHERE a.outcome = 'RUNNING' AND j.attemptCount < 3
         AND a.startedAt BETWEEN NOW(3) - INTERVAL 2 SECOND AND NOW(3) - INTERVAL 200000 MICROSECOND
       ORDER BY a.startedAt`,
    );
    const victim = candidates.find((c) => !killedAt.has(c.attemptId) && [...workers].some((w) => w.child.pid === Number(c.pid)));
    const process = victim && [...workers].find((w) => w.child.pid === Number(victim.pid));
    if (!victim || !process) {
      await sleep(100);
      continue;
    }
    process.child.kill("SIGKILL");
    await process.exited;
    workers.delete(process);
    killedAt.set(victim.attemptId, Date.now());
    // A replacement; it may itself be killed before it has logged that it started.
    startWorkerProcess();
    await sleep(300);
  }

  const killsMs = Date.now() - started;
  const settled = async () =>
    (await db.query(`SELECT COUNT(*) AS n FROM scan_job WHERE id IN (?) AND status IN ('SUCCEEDED', 'FAILED', 'CANCELLED')`, [jobIds]))[0].n;
  while (Number(await settled()) < IMAGES) {
    if (Date.now() > deadline) {
      const unfinished = await db.query("SELECT id, status, attemptCount, attemptToken FROM scan_job WHERE status IN ('QUEUED', 'RUNNING')");
      const queue = await side.utils.withPgClient((pg) =>
        pg.query("SELECT key, attempts, max_attempts, locked_by, locked_at, run_at, last_error, revision, created_at, updated_at FROM graphile_worker._private_jobs WHERE key = ANY($1::text[])", [
          unfinished.map((j: { id: string }) => j.id),
        ]),
      );
      const attempts = await db.query("SELECT scanJobId, number, workerId, outcome, code, startedAt, finishedAt FROM scan_attempt WHERE scanJobId IN (?)", [
        unfinished.map((j: { id: string }) => j.id),
      ]);
      throw new Error(`the batch did not finish: ${JSON.stringify({ unfinished, queue: queue.rows, attempts, killed: [...killedAt] })}`);
    }
    await sleep(250);
  }

  console.log(`${KILLS} kills in ${killsMs} ms; the batch finished ${Date.now() - started} ms after the first kill was sought`);
  const jobs: Array<{ status: string }> = await db.query("SELECT status FROM scan_job WHERE id IN (?)", [jobIds]);
  expect(jobs.map((j) => j.status)).toEqual(Array(IMAGES).fill("SUCCEEDED"));
  const succeeded: Array<{ scanJobId: string; n: number }> = await db.query(
    "SELECT scanJobId, COUNT(*) AS n FROM scan_attempt WHERE outcome = 'SUCCEEDED' GROUP BY scanJobId",
  );
  expect(succeeded).toHaveLength(IMAGES);
  expect(succeeded.every((row) => Number(row.n) === 1)).toBe(true);

  const lost: Array<{ id: string; outcome: string; finishedAt: Date | null }> = await db.query(
    "SELECT id, outcome, finishedAt FROM scan_attempt WHERE id IN (?)",
    [[...killedAt.keys()]],
  );
  expect(lost).toHaveLength(KILLS);
  for (const attempt of lost) {
    expect(attempt.outcome).toBe("WORKER_LOST");
    expect(attempt.finishedAt!.getTime() - killedAt.get(attempt.id)!).toBeLessThan(TAKEOVER_BOUND_MS);
  }
  expect(Number((await db.query("SELECT COUNT(*) AS n FROM scan_attempt WHERE outcome = 'RUNNING'"))[0].n)).toBe(0);
  const leftover = await side.utils.withPgClient((pg) => pg.query("SELECT key FROM graphile_worker._private_jobs WHERE key = ANY($1::text[])", [jobIds]));
  expect(leftover.rows).toEqual([]);
}, 240_000);
