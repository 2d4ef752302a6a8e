import type { DataSource } from "typeorm";
import { RegistryPullQuota } from "../../db/entities";
import type { RegistryAdapter } from "./adapter";
import { newest, pausedUntil, pauseMessage, type PullQuotaReading } from "./pull-quota";

/** Stores a reading unless a newer one is stored already (workers answer out of order). */
export async function recordPullQuota(db: DataSource, registryId: string, reading: PullQuotaReading): Promise<void> {
  await db.query(
    `INSERT INTO registry_pull_quota (registryId, quota, remaining, windowSeconds, observedAt) VALUES (?, ?, ?, ?, ?)
     ON DUPLICATE KEY UPDATE
       quota = IF(VALUES(observedAt) >= observedAt, VALUES(quota), quota),
       remaining = IF(VALUES(observedAt) >= observedAt, VALUES(remaining), remaining),
       windowSeconds = IF(VALUES(observedAt) >= observedAt, VALUES(windowSeconds), windowSeconds),
       observedAt = GREATEST(observedAt, VALUES(observedAt))`,
    [registryId, reading.quota, reading.remaining, reading.windowSeconds, reading.observedAt],
  );
}

export async function storedPullQuota(db: DataSource, registryId: string): Promise<PullQuotaReading | null> {
  const row = await db.getRepository(RegistryPullQuota).findOneBy({ registryId });
  return row && { quota: row.quota, remaining: row.remaining, windowSeconds: row.windowSeconds, observedAt: row.observedAt };
}

/**
 * Writes every reading of the adapter's quota to the database, one write at
 * a time, the latest winning; returns a stop that waits for the last write.
 * Adapters without a quota keep nothing.
 */
export function keepPullQuota(db: DataSource, registryId: string, adapter: RegistryAdapter, onError: (error: unknown) => void): () => Promise<void> {
  const meter = adapter.pullQuota;
  if (!meter) return async () => undefined;
  let writing: Promise<void> = Promise.resolve();
  let next: PullQuotaReading | null = null;
  const unsubscribe = meter.subscribe((reading) => {
    const first = next === null;
    next = reading;
    if (!first) return;
    writing = writing.then(async () => {
      const reading = next!;
      next = null;
      await recordPullQuota(db, registryId, reading).catch(onError);
    });
  });
  return async () => {
    unsubscribe();
    await writing;
  };
}

export interface PullPause {
  until: Date;
  reason: string;
}

/** Whether pulls from this registry wait now, from the newest of what the database and this process saw. */
export async function pullPauseOf(db: DataSource, registryId: string, adapter: RegistryAdapter, now: Date): Promise<PullPause | null> {
  if (!adapter.pullQuota) return null;
  const reading = newest(await storedPullQuota(db, registryId), adapter.pullQuota.latest);
  const until = pausedUntil(reading, now);
  return until && reading ? { until, reason: pauseMessage(reading, until) } : null;
}
