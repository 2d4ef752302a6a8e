import type { DataSource } from "typeorm";
import { retryOnDeadlock } from "../../../db/deadlock-retry";
import { type MatchedArtifact, matchArtifacts, writeFindings } from "./artifact-findings";
import { CachedRecords } from "./record-cache";

/** Artifacts matched, and their findings written, per transaction. */
const BATCH = 50;

/**
 * Matches every stored inventory again at `version` (DESIGN §4): nothing is
 * pulled. Each artifact whose findings changed is recorded on the import
 * run; answers how many changed.
 */
export async function rematchAll(db: DataSource, version: number, importRunId: string, signal?: AbortSignal): Promise<number> {
  const records = new CachedRecords();
  let changed = 0;
  // One batch is written while the next is matched.
  let writing: Promise<void> = Promise.resolve();
  try {
    for (let after = ""; ; ) {
      signal?.throwIfAborted();
      const page: Array<{ digest: string }> = await db.query("SELECT digest FROM artifact WHERE digest > ? ORDER BY digest LIMIT ?", [after, BATCH]);
      if (page.length === 0) break;
      const matched = await matchArtifacts(db, page.map((row) => row.digest), records);
      await writing;
      writing = write(db, matched, version, importRunId).then((count) => void (changed += count));
      writing.catch(() => undefined); // awaited before the next write or at the end
      after = page[page.length - 1].digest;
    }
  } finally {
    await writing;
  }
  return changed;
}

function write(db: DataSource, matched: MatchedArtifact[], version: number, importRunId: string): Promise<number> {
  return retryOnDeadlock(() =>
    db.transaction(async (tx) => {
      const digests = await writeFindings(tx, matched, version);
      if (digests.length > 0) {
        await tx.query("INSERT IGNORE INTO import_run_change (importRunId, artifactDigest) VALUES ?", [digests.map((digest) => [importRunId, digest])]);
      }
      return digests.length;
    }),
  );
}
