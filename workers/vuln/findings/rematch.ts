import type { DataSource } from "typeorm";
import { retryOnDeadlock } from "../../../db/deadlock-retry";
import { matchArtifact, writeFindings } from "./artifact-findings";

const PAGE = 200;

/**
 * Matches every stored inventory again at `version` (DESIGN §4): nothing is
 * pulled. Each artifact whose findings changed is recorded on the import
 * run; answers how many changed.
 */
export async function rematchAll(db: DataSource, version: number, importRunId: string, signal?: AbortSignal): Promise<number> {
  let changed = 0;
  for (let after = ""; ; ) {
    signal?.throwIfAborted();
    const page: Array<{ digest: string }> = await db.query("SELECT digest FROM artifact WHERE digest > ? ORDER BY digest LIMIT ?", [after, PAGE]);
    if (page.length === 0) return changed;
    for (const { digest } of page) {
      const result = await matchArtifact(db, digest);
      if (!result) continue;
      const differs = await retryOnDeadlock(() =>
        db.transaction(async (tx) => {
          const differs = await writeFindings(tx, digest, result, version);
          if (differs) await tx.query("INSERT IGNORE INTO import_run_change (importRunId, artifactDigest) VALUES (?, ?)", [importRunId, digest]);
          return differs;
        }),
      );
      if (differs) changed++;
    }
    after = page[page.length - 1].digest;
  }
}
