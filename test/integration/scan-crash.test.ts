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
 * machine), and every job must end SUCCEEDED exactly once.
 */
const IMAGES = 12;
const KILLS = 10;
const HEARTBEAT_S = 1;
const LOST_AFTER_S = 3;
const TAKEOVER_BOUND_MS = (LOST_AFTER_S + 2 * HEARTBEAT_S + 3) * 1000;

let server: TestServer;
let registry: RunningRegistry;
let slow: FaultProxy;
let side: WorkerSide;
let db: DataSource;
const workers = new Set<CliProcess>();

beforeAll(async () => {
  server = await startTestServer();
  registry = await startRegistry();
  for (let i = 0; i < IMAGES; i++) {
    await pushImage(registry, `crash/img-${i}`, "1", { layers: [buildLayer([file(`data/${i}`, `image ${i}`)])], config: { created: new Date() } });
  }
  // Every layer takes ~2.5 s to arrive: scans are long enough to be killed in the middle.
  slow = await startFaultProxy({
    target: registry.url,
    seed: 5,
    rate: 1,
    faults: ["slow"],
    slowMode: "body",
    slowMs: 2500,
    maxConsecutive: 1_000_000,
    only: (req) => /\/blobs\/sha256:/.test(req.path) && req.method === "GET",
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

async function startWorkerProcess(): Promise<CliProcess> {
  const child = runCli(["worker"], {
    MYSQL_URL: server.config.mysqlUrl,
    DATABASE_URL: server.config.databaseUrl,
    DRYDOCK_DATA_DIR: server.config.dataDir,
    WORKER_CONCURRENCY: "2",
    DRYDOCK_WORKER_HEARTBEAT_SECONDS: String(HEARTBEAT_S),
    DRYDOCK_WORKER_LOST_AFTER_SECONDS: String(LOST_AFTER_S),
  });
  workers.add(child);
  await child.waitFor(/worker started/, 60_000);
  return child;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test(`${KILLS} SIGKILLs during a batch of ${IMAGES} scans: no job lost, none finished twice, each taken over in bounded time`, async () => {
  await Promise.all([startWorkerProcess(), startWorkerProcess(), startWorkerProcess()]);
  const registryId = await addPlainRegistry(server, { name: "crashy", url: slow.url });
  const jobIds = await queueScansOf(server, registryId, Array.from({ length: IMAGES }, (_, i) => `crash/img-${i}:1`));

  const killedAt = new Map<string, number>();
  const deadline = Date.now() + 150_000;
  while (killedAt.size < KILLS) {
    if (Date.now() > deadline) throw new Error(`only ${killedAt.size} kills landed`);
    // A running attempt on a live worker, of a job with attempts to spare (a third loss would fail it, by design).
    const [victim]: Array<{ attemptId: string; pid: number }> = await db.query(
      `SELECT a.id AS attemptId, w.pid AS pid FROM scan_attempt a
         JOIN scan_job j ON j.id = a.scanJobId AND j.attemptToken = a.id
         JOIN worker_instance w ON w.id = a.workerId
       WHERE a.outcome = 'RUNNING' AND j.attemptCount < 2
         AND a.startedAt BETWEEN NOW(3) - INTERVAL 1500000 MICROSECOND AND NOW(3) - INTERVAL 300000 MICROSECOND
       ORDER BY a.startedAt LIMIT 1`,
    );
    const process = victim && [...workers].find((w) => w.child.pid === Number(victim.pid));
    if (!process) {
      await sleep(100);
      continue;
    }
    process.child.kill("SIGKILL");
    await process.exited;
    workers.delete(process);
    killedAt.set(victim.attemptId, Date.now());
    void startWorkerProcess();
    await sleep(500);
  }

  const settled = async () =>
    (await db.query(`SELECT COUNT(*) AS n FROM scan_job WHERE id IN (?) AND status IN ('SUCCEEDED', 'FAILED', 'CANCELLED')`, [jobIds]))[0].n;
  while (Number(await settled()) < IMAGES) {
    if (Date.now() > deadline) throw new Error("the batch did not finish");
    await sleep(250);
  }

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
