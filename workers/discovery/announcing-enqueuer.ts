import type { UpdateNotifier } from "../../db/live-updates";
import type { ScanEnqueuer } from "./scan-queue";

/**
 * Queues scan jobs of one registry and announces them as live updates first,
 * while their rows still read QUEUED: a subscriber sees QUEUED before any
 * worker can start them.
 */
export function announcingEnqueuer(inner: ScanEnqueuer, updates: UpdateNotifier, registryId: string): ScanEnqueuer {
  return {
    async enqueue(scanJobIds, runAt) {
      await updates.announce("scanJob", scanJobIds.map((id) => ({ id, registryId })));
      await inner.enqueue(scanJobIds, runAt);
    },
  };
}
