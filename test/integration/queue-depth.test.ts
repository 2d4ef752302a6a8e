import { makeWorkerUtils, type WorkerUtils } from "graphile-worker";
import type { Pool } from "pg";
import { Registry } from "prom-client";
import { createPgPool, graphileLogger, preparePostgres } from "../../db/postgres";
import { testDatabases } from "../helpers/databases";
import { capturingLogger } from "../helpers/logs";
import { parseExposition, valueOf } from "../helpers/prometheus";
import { registerQueueDepth } from "../../server/metrics/queue-depth";

/** drydock_queue_depth against graphile-worker's real tables: each job state, and PostgreSQL gone. */

const databases = testDatabases();
const { lines, logger } = capturingLogger();
let pg: Pool;
let utils: WorkerUtils;

beforeAll(async () => {
  pg = await preparePostgres(databases.databaseUrl, logger);
  utils = await makeWorkerUtils({ pgPool: pg, logger: graphileLogger(logger) });
}, 60_000);

afterAll(async () => {
  await utils?.release();
  await pg?.end();
  await databases.drop();
});

async function depth(pool: Pool) {
  const registry = new Registry();
  registerQueueDepth(registry, pool, logger);
  return parseExposition(await registry.metrics());
}

test("jobs are counted by task and state: ready, scheduled, running, failed", async () => {
  await utils.addJob("image_scan", { scanJobId: "a" });
  await utils.addJob("image_scan", { scanJobId: "b" });
  await utils.addJob("image_scan", { scanJobId: "c" }, { runAt: new Date(Date.now() + 3_600_000) });
  const running = await utils.addJob("registry_sync", { registryId: "r" });
  const failed = await utils.addJob("registry_sync", { registryId: "s" }, { maxAttempts: 1 });
  await pg.query("UPDATE graphile_worker._private_jobs SET locked_at = now(), locked_by = 'test' WHERE id = $1", [running.id]);
  await pg.query("UPDATE graphile_worker._private_jobs SET attempts = 1 WHERE id = $1", [failed.id]);

  const metrics = await depth(pg);
  const at = (task: string, state: string) => valueOf(metrics, "drydock_queue_depth", { task, state });
  expect(at("image_scan", "ready")).toBe(2);
  expect(at("image_scan", "scheduled")).toBe(1);
  expect(at("image_scan", "running")).toBe(0);
  expect(at("image_scan", "failed")).toBe(0);
  expect(at("registry_sync", "ready")).toBe(0);
  expect(at("registry_sync", "running")).toBe(1);
  expect(at("registry_sync", "failed")).toBe(1);
  // Never queued, so unknown to graphile's tasks table: still 0, not absent.
  expect(at("vulndb_import", "ready")).toBe(0);
});

test("with PostgreSQL unreachable the series are left out and the scrape still answers", async () => {
  const gone = createPgPool("postgres://postgres@127.0.0.1:1/none", logger);
  try {
    const metrics = await depth(gone);
    expect(valueOf(metrics, "drydock_queue_depth")).toBeUndefined();
    expect(lines.some((line) => JSON.parse(line).msg?.startsWith("queue depth not read"))).toBe(true);
  } finally {
    await gone.end();
  }
});
