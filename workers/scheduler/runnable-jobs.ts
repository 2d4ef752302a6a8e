import type { JobHelpers } from "graphile-worker";

/**
 * Which of the job `keys` graphile will still run: locked by a worker, or
 * with attempts left. An unlocked job with no attempts left (its worker died
 * and was reaped) never runs again, so its work counts as orphaned.
 */
export async function runnableJobKeys(queue: Pick<JobHelpers, "withPgClient">, keys: readonly string[]): Promise<Set<string>> {
  const { rows } = await queue.withPgClient((pg) =>
    pg.query<{ key: string }>(
      "SELECT key FROM graphile_worker._private_jobs WHERE key = ANY($1::text[]) AND (locked_at IS NOT NULL OR attempts < max_attempts)",
      [keys],
    ),
  );
  return new Set(rows.map((row) => row.key));
}
