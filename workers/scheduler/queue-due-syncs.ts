import type { AddJobFunction } from "graphile-worker";
import { LessThanOrEqual, type DataSource } from "typeorm";
import { PullPolicy } from "../../db/entities";
import { PullMode, SyncTrigger } from "../../db/enums";
import { nextRunAfter } from "../policy/schedule";

export const registrySyncJobKey = (registryId: string) => `registry_sync:${registryId}`;

/** What the job keys of a registry's push webhook runs start with: one key per pushed repository and tag. */
export const registryPushJobKeyPrefix = (registryId: string) => `${registrySyncJobKey(registryId)}:push:`;
/** One graphile queue per registry: its syncs run one at a time. */
export const registryQueueName = (registryId: string) => `registry:${registryId}`;

/**
 * Queues one `registry_sync` per AUTOMATIC registry whose `nextRunAt` has
 * passed, then advances `nextRunAt`. The policy row is locked while both
 * happen, so schedulers running at once queue each run once; the job key
 * would also fold duplicates into one job.
 */
export async function queueDueSyncs(db: DataSource, addJob: AddJobFunction, now: Date): Promise<string[]> {
  const due = await db.getRepository(PullPolicy).find({
    select: { registryId: true },
    where: { mode: PullMode.AUTOMATIC, nextRunAt: LessThanOrEqual(now) },
  });
  const queued: string[] = [];
  for (const { registryId } of due) {
    await db.transaction(async (tx) => {
      const policy = await tx.findOne(PullPolicy, {
        where: { registryId, mode: PullMode.AUTOMATIC, nextRunAt: LessThanOrEqual(now) },
        lock: { mode: "pessimistic_write" },
      });
      if (!policy?.schedule) return;
      await addJob(
        "registry_sync",
        { registryId, trigger: SyncTrigger.SCHEDULE },
        { jobKey: registrySyncJobKey(registryId), jobKeyMode: "preserve_run_at", queueName: registryQueueName(registryId), maxAttempts: 1 },
      );
      await tx.update(PullPolicy, { registryId }, { nextRunAt: nextRunAfter(policy.schedule, policy.timezone, now) });
      queued.push(registryId);
    });
  }
  return queued;
}
