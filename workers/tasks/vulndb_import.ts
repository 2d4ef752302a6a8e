import { randomUUID } from "node:crypto";
import type { Task } from "graphile-worker";
import { ImportRun } from "../../db/entities";
import { ImportStatus } from "../../db/enums";
import { type ImportDependencies, runImport } from "../vuln/import/import-run";

export type VulndbImportPayload = { importRunId: string } | { scheduled: true };

function assertPayload(payload: unknown): asserts payload is VulndbImportPayload {
  const p = payload as Partial<{ importRunId: unknown; scheduled: unknown }> | null;
  if (typeof p?.importRunId !== "string" && p?.scheduled !== true) {
    throw new Error("vulndb_import payload must be { importRunId: string } or { scheduled: true }");
  }
}

/**
 * One import run queued by importVulnerabilities, or — from the crontab —
 * one run per DRYDOCK_OSV_SOURCES entry, in order. Jobs share the queue
 * `vulndb`, so imports never overlap. Failures are recorded on the run.
 */
export function vulndbImport(deps: Omit<ImportDependencies, "signal">, scheduledSources: readonly string[]): Task {
  return async (payload, helpers) => {
    assertPayload(payload);
    const withSignal = { ...deps, signal: helpers.abortSignal };
    if ("importRunId" in payload) {
      await runImport(withSignal, payload.importRunId);
      return;
    }
    for (const source of scheduledSources) {
      const id = randomUUID();
      await deps.db.getRepository(ImportRun).insert({ id, source, status: ImportStatus.QUEUED, malformed: [] });
      await runImport(withSignal, id);
    }
  };
}
