import type { DataSource } from "typeorm";
import { ImportRun } from "../../../db/entities";
import type { MalformedRecord } from "../../../db/entities/import-run.entity";
import { ImportStatus } from "../../../db/enums";
import type { Logger } from "../../../lib/logger";
import { rematchAll } from "../findings/rematch";
import { OsvRecordError, type OsvRecord, parseOsvRecord } from "../osv/record";
import { databaseVersion, saveDatabaseVersion } from "../store/database-version";
import { storeRecords } from "../store/record-store";
import { readRecords, resolveSource } from "./sources";

const BATCH = 500;
/** Malformed records listed on the run; the rest are only counted in the log. */
const MAX_LISTED_MALFORMED = 1000;

export interface ImportDependencies {
  db: DataSource;
  /** DRYDOCK_IMPORT_ROOTS. */
  roots: readonly string[];
  logger: Logger;
  signal?: AbortSignal;
}

function malformedOf(origin: string, error: unknown): MalformedRecord {
  if (error instanceof OsvRecordError) return { id: error.recordId, reason: error.reason };
  return { id: null, reason: `${origin}: ${error instanceof Error ? error.message : String(error)}` };
}

/**
 * One import (DESIGN §4): read the source's records, merge them in batches,
 * and — only when something changed — take the next database version and
 * match every stored inventory again. Malformed records are reported by id
 * and skipped. A source that cannot be read fails the run with its reason.
 */
export async function runImport(deps: ImportDependencies, importRunId: string): Promise<ImportRun | null> {
  const runs = deps.db.getRepository(ImportRun);
  const run = await runs.findOneBy({ id: importRunId });
  if (!run || run.status !== ImportStatus.QUEUED) return null;
  await runs.update({ id: run.id }, { status: ImportStatus.RUNNING, startedAt: new Date() });
  const log = deps.logger.child({ importRunId });

  const current = await databaseVersion(deps.db);
  const next = current + 1;
  const counts = { imported: 0, withdrawn: 0, unchanged: 0 };
  const malformed: MalformedRecord[] = [];
  let malformedTotal = 0;
  const skip = (entry: MalformedRecord) => {
    malformedTotal++;
    if (malformed.length < MAX_LISTED_MALFORMED) malformed.push(entry);
  };
  // Records merged before a failure changed the database all the same: it takes the new version and inventories are matched again.
  const settle = async (): Promise<number> => {
    if (counts.imported + counts.withdrawn === 0) return current;
    await saveDatabaseVersion(deps.db, next);
    const changedArtifacts = await rematchAll(deps.db, next, run.id, deps.signal);
    log.info({ version: next, changedArtifacts }, "inventories matched again");
    return next;
  };
  try {
    const source = resolveSource(run.source, deps.roots);
    let batch: OsvRecord[] = [];
    // One batch is written while the next is read and parsed; batches are still written in order.
    let writing: Promise<void> = Promise.resolve();
    const flush = async () => {
      const records = batch;
      batch = [];
      await writing;
      writing = storeRecords(deps.db, records, next).then((stored) => {
        counts.imported += stored.imported;
        counts.withdrawn += stored.withdrawn;
        counts.unchanged += stored.unchanged;
      });
      writing.catch(() => undefined); // awaited at the next flush or at the end
    };
    for await (const raw of readRecords(source, { signal: deps.signal })) {
      if ("error" in raw) {
        skip({ id: null, reason: `${raw.origin}: ${raw.error}` });
        continue;
      }
      try {
        batch.push(parseOsvRecord(JSON.parse(raw.text)));
      } catch (error) {
        skip(malformedOf(raw.origin, error));
      }
      if (batch.length >= BATCH) await flush();
    }
    await flush();
    await writing;
    const version = await settle();
    await runs.update({ id: run.id }, { status: ImportStatus.SUCCEEDED, finishedAt: new Date(), ...counts, malformed, version });
    log.info({ ...counts, malformed: malformedTotal, version }, "vulnerability import finished");
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const version = await settle().catch(() => null);
    await runs.update(
      { id: run.id },
      { status: ImportStatus.FAILED, finishedAt: new Date(), ...counts, malformed, version, error: message.slice(0, 2000) },
    );
    log.warn({ err: error }, "vulnerability import failed");
  }
  return runs.findOneBy({ id: run.id });
}
