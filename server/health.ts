import { Router } from "express";
import type { Pool } from "pg";
import type { DataSource } from "typeorm";
import type { Logger } from "../lib/logger";
import { maskUrlsIn } from "../lib/mask";

/** How long /readyz waits for each database's trivial query. */
export const READINESS_TIMEOUT_MS = 2000;

type Database = "mysql" | "postgresql";

function withinTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/**
 * `/healthz`: the process is up and serving HTTP; it touches no database.
 * `/readyz`: 200 when `SELECT 1` answers on MySQL and on PostgreSQL within
 * READINESS_TIMEOUT_MS, else 503 naming the databases that did not (the
 * reason goes to the log, never into the answer).
 */
export function healthRouter(deps: { db: DataSource; pg: Pool; logger: Logger }): Router {
  const probes: Record<Database, () => Promise<unknown>> = {
    mysql: () => deps.db.query("SELECT 1"),
    postgresql: () => deps.pg.query("SELECT 1"),
  };
  const router = Router();
  router.get("/healthz", (_req, res) => {
    res.set("cache-control", "no-store").json({ status: "ok" });
  });
  router.get("/readyz", async (_req, res) => {
    const names = Object.keys(probes) as Database[];
    const results = await Promise.allSettled(names.map((name) => withinTimeout(probes[name](), READINESS_TIMEOUT_MS)));
    const unavailable: Database[] = [];
    results.forEach((result, i) => {
      if (result.status === "fulfilled") return;
      unavailable.push(names[i]);
      deps.logger.warn({ database: names[i], err: maskUrlsIn(String((result.reason as Error)?.message ?? result.reason)) }, "readiness check failed");
    });
    res
      .status(unavailable.length === 0 ? 200 : 503)
      .set("cache-control", "no-store")
      .json(unavailable.length === 0 ? { status: "ready" } : { status: "unavailable", unavailable });
  });
  return router;
}
