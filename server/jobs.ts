import type { WorkerUtils } from "graphile-worker";
import { SyncTrigger } from "../db/enums";
import { graphileScanEnqueuer } from "../workers/discovery/graphile-scan-enqueuer";
import type { ScanEnqueuer } from "../workers/discovery/scan-queue";
import type { PushScope } from "../workers/discovery/sync-registry";
import { registryPushJobKeyPrefix, registryQueueName, registrySyncJobKey } from "../workers/scheduler/queue-due-syncs";
import { queueImportJob } from "../workers/vuln/import/import-queue";

/** What the API asks of the job queue. */
export interface JobQueue extends ScanEnqueuer {
  /** Removes queued work of deleted registries: their syncs, push runs and scans. */
  cancelRegistryWork(registryIds: string[], scanJobIds: string[]): Promise<void>;
  /** Removes the graphile jobs of cancelled scan jobs. */
  cancelScans(scanJobIds: string[]): Promise<void>;
  /** Queues a discovery run now; one already queued is replaced, one running is followed by this one. */
  requestSync(registryId: string): Promise<void>;
  /** Queues a push webhook's run of one repository, after the registry's other syncs; a repeat of one still queued folds into it. */
  queuePushRun(registryId: string, push: PushScope): Promise<void>;
  /** Queues an import run; imports run one at a time. */
  queueImport(importRunId: string): Promise<void>;
}

export class GraphileJobQueue implements JobQueue {
  constructor(private readonly utils: WorkerUtils) {}

  async cancelRegistryWork(registryIds: string[], scanJobIds: string[]): Promise<void> {
    await this.removeJobs([...registryIds.map(registrySyncJobKey), ...scanJobIds]);
    // Push runs have a key per pushed tag, found by prefix (graphile keeps jobs in _private_jobs).
    await this.utils.withPgClient((client) =>
      client.query(
        `SELECT graphile_worker.remove_job(j.key) FROM graphile_worker._private_jobs j
          WHERE j.key IS NOT NULL AND EXISTS (SELECT 1 FROM unnest($1::text[]) AS prefix WHERE starts_with(j.key, prefix))`,
        [registryIds.map(registryPushJobKeyPrefix)],
      ),
    );
  }

  cancelScans(scanJobIds: string[]): Promise<void> {
    return this.removeJobs(scanJobIds);
  }

  enqueue(scanJobIds: string[]): Promise<void> {
    return graphileScanEnqueuer(this.utils.addJobs).enqueue(scanJobIds);
  }

  async requestSync(registryId: string): Promise<void> {
    await this.utils.addJob(
      "registry_sync",
      { registryId, trigger: SyncTrigger.MANUAL },
      { jobKey: registrySyncJobKey(registryId), queueName: registryQueueName(registryId), maxAttempts: 1 },
    );
  }

  async queuePushRun(registryId: string, push: PushScope): Promise<void> {
    await this.utils.addJob(
      "registry_sync",
      { registryId, trigger: SyncTrigger.WEBHOOK, push },
      { jobKey: `${registryPushJobKeyPrefix(registryId)}${push.repository}:${push.tag}`, queueName: registryQueueName(registryId), maxAttempts: 1 },
    );
  }

  async queueImport(importRunId: string): Promise<void> {
    await queueImportJob(this.utils.addJob, importRunId);
  }

  private async removeJobs(keys: string[]): Promise<void> {
    // remove_job deletes a queued job and defuses a locked one (it will not be retried).
    await this.utils.withPgClient((client) =>
      client.query("SELECT graphile_worker.remove_job(key) FROM unnest($1::text[]) AS key", [keys]),
    );
  }
}
