import type { Pool } from "pg";
import { Gauge, type Registry } from "prom-client";
import type { Logger } from "../../lib/logger";
import { METRICS_PREFIX } from "../../lib/metrics";
import { TASK_IDENTIFIERS } from "../../workers/tasks/identifiers";

/** How a graphile-worker job stands: taken by a worker, out of attempts, waiting for its run_at, or ready to be taken. */
const JOB_STATES = ["ready", "scheduled", "running", "failed"] as const;

/**
 * One grouped count over graphile-worker's jobs table (small: it holds only
 * unfinished jobs) per scrape, zero-filled for drydock's tasks and any other
 * task graphile knows, so that an empty queue reads 0 rather than nothing.
 */
const QUEUE_DEPTH_SQL = `
  SELECT t.task, s.state, count(j.id)::int AS jobs
  FROM (SELECT unnest($2::text[]) AS task UNION SELECT identifier FROM graphile_worker._private_tasks) t
  CROSS JOIN unnest($1::text[]) AS s(state)
  LEFT JOIN graphile_worker._private_tasks known ON known.identifier = t.task
  LEFT JOIN graphile_worker._private_jobs j ON j.task_id = known.id AND s.state = CASE
    WHEN j.locked_at IS NOT NULL THEN 'running'
    WHEN j.attempts >= j.max_attempts THEN 'failed'
    WHEN j.run_at > now() THEN 'scheduled'
    ELSE 'ready' END
  GROUP BY t.task, s.state`;

/**
 * `drydock_queue_depth{task, state}`, read from PostgreSQL at scrape time.
 * When PostgreSQL does not answer, the series are left out of that scrape
 * (no stale numbers) and the rest of the scrape is still served.
 */
export function registerQueueDepth(registry: Registry, pg: Pool, logger: Logger): void {
  new Gauge({
    name: `${METRICS_PREFIX}queue_depth`,
    help: "graphile-worker jobs by task identifier and state (ready, scheduled, running, failed), read at scrape time",
    labelNames: ["task", "state"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      try {
        const { rows } = await pg.query<{ task: string; state: string; jobs: number }>(QUEUE_DEPTH_SQL, [JOB_STATES, TASK_IDENTIFIERS]);
        for (const row of rows) this.set({ task: row.task, state: row.state }, row.jobs);
      } catch (error) {
        logger.warn({ err: (error as Error).message }, "queue depth not read: PostgreSQL did not answer");
      }
    },
  });
}
