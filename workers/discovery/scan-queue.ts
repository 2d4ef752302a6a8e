import { randomUUID } from "node:crypto";
import { type DataSource, In } from "typeorm";
import { Image, ScanJob } from "../../db/entities";
import { ScanJobStatus } from "../../db/enums";

/** Puts scan jobs on the graphile queue (after their MySQL rows exist), to run from `runAt` on when given. */
export interface ScanEnqueuer {
  enqueue(scanJobIds: string[], runAt?: Date): Promise<void>;
}

const FAILED_RETRY_MS = 24 * 3600_000;
const CHUNK = 500;

interface ScanHistory {
  succeeded: boolean;
  active: boolean;
  lastFailedAt: Date | null;
}

async function historyOf(db: DataSource, imageIds: string[]): Promise<Map<string, ScanHistory>> {
  const history = new Map<string, ScanHistory>();
  for (let i = 0; i < imageIds.length; i += CHUNK) {
    const rows: { imageId: string; status: ScanJobStatus; finishedAt: Date | null }[] = await db.getRepository(ScanJob).find({
      select: { imageId: true, status: true, finishedAt: true },
      where: { imageId: In(imageIds.slice(i, i + CHUNK)) },
    });
    for (const row of rows) {
      const entry = history.get(row.imageId) ?? { succeeded: false, active: false, lastFailedAt: null };
      if (row.status === ScanJobStatus.SUCCEEDED) entry.succeeded = true;
      if (row.status === ScanJobStatus.QUEUED || row.status === ScanJobStatus.RUNNING) entry.active = true;
      if (row.status === ScanJobStatus.FAILED && (!entry.lastFailedAt || (row.finishedAt && row.finishedAt > entry.lastFailedAt))) {
        entry.lastFailedAt = row.finishedAt;
      }
      history.set(row.imageId, entry);
    }
  }
  return history;
}

/** Writes QUEUED rows first, then the graphile jobs: a crash in between leaves rows the reconciler re-enqueues. */
export async function createScanJobs(db: DataSource, enqueuer: ScanEnqueuer, registryId: string, imageIds: string[]): Promise<string[]> {
  const jobs = imageIds.map((imageId) => ({ id: randomUUID(), registryId, imageId, status: ScanJobStatus.QUEUED }));
  for (let i = 0; i < jobs.length; i += CHUNK) await db.getRepository(ScanJob).insert(jobs.slice(i, i + CHUNK));
  await enqueuer.enqueue(jobs.map((job) => job.id));
  return jobs.map((job) => job.id);
}

/**
 * DESIGN §3 step 6: a scan for each selected image with no successful scan and
 * none queued or running (one whose last scan FAILED at most once a day); when
 * that queued anything and `rescan` is on, every other current image of the
 * registry that is not removed and not queued is scanned again.
 */
export async function queueScans(
  db: DataSource,
  enqueuer: ScanEnqueuer,
  registryId: string,
  selectedImageIds: string[],
  rescan: boolean,
  now: Date,
): Promise<number> {
  const unique = [...new Set(selectedImageIds)];
  const history = await historyOf(db, unique);
  const due = unique.filter((id) => {
    const h = history.get(id);
    if (!h) return true;
    if (h.succeeded || h.active) return false;
    return !h.lastFailedAt || now.getTime() - h.lastFailedAt.getTime() >= FAILED_RETRY_MS;
  });
  if (due.length === 0) return 0;
  await createScanJobs(db, enqueuer, registryId, due);
  if (!rescan) return due.length;

  const current = await db.getRepository(Image).find({ select: { id: true }, where: { registryId, current: true, removed: false } });
  const queued = new Set(due);
  const others = current.map((image) => image.id).filter((id) => !queued.has(id));
  const otherHistory = await historyOf(db, others);
  const again = others.filter((id) => !otherHistory.get(id)?.active);
  await createScanJobs(db, enqueuer, registryId, again);
  return due.length + again.length;
}
