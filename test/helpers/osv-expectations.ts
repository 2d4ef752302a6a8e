import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import semver from "semver";

/**
 * What a test expects of npm matching, worked out from the OSV records with
 * the reference semver implementation (the `semver` package) — not with
 * drydock's matcher. Ranges are evaluated as the OSV spec defines them:
 * affected from each `introduced` up to the next `fixed` (exclusive) or
 * `last_affected` (inclusive); the `versions` list counts too.
 */
export interface ExpectedFinding {
  advisoryId: string;
  packageName: string;
  installedVersion: string;
  fixedVersion: string | null;
}

interface OsvEvent {
  introduced?: string;
  fixed?: string;
  last_affected?: string;
}

interface OsvFile {
  id: string;
  withdrawn?: string;
  affected: Array<{ package: { ecosystem: string; name: string }; ranges?: Array<{ type: string; events: OsvEvent[] }>; versions?: string[] }>;
}

export function readOsvFolder(folder: string): OsvFile[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".json"))
    .map((entry) => JSON.parse(readFileSync(path.join(entry.parentPath, entry.name), "utf8")) as OsvFile);
}

function affectedRange(version: string, events: OsvEvent[]): { fixed: string | null } | null {
  let introduced: string | null = null;
  for (const event of events) {
    if (event.introduced !== undefined) introduced = event.introduced;
    const start = introduced === "0" || (introduced !== null && semver.gte(version, introduced));
    if (event.fixed !== undefined) {
      if (start && semver.lt(version, event.fixed)) return { fixed: event.fixed };
      introduced = null;
    }
    if (event.last_affected !== undefined) {
      if (start && semver.lte(version, event.last_affected)) return { fixed: null };
      introduced = null;
    }
  }
  if (introduced === "0" || (introduced !== null && semver.gte(version, introduced))) return { fixed: null };
  return null;
}

export function expectedNpmFindings(records: OsvFile[], packages: Array<{ name: string; version: string }>): ExpectedFinding[] {
  const found: ExpectedFinding[] = [];
  for (const record of records) {
    if (record.withdrawn) continue;
    for (const pkg of packages) {
      let hit: { fixed: string | null } | null = null;
      for (const affected of record.affected) {
        if (affected.package.ecosystem !== "npm" || affected.package.name !== pkg.name) continue;
        for (const range of affected.ranges ?? []) {
          if (range.type === "GIT") continue;
          hit ??= affectedRange(pkg.version, range.events);
        }
        if (!hit && affected.versions?.includes(pkg.version)) hit = { fixed: null };
      }
      if (hit) found.push({ advisoryId: record.id, packageName: pkg.name, installedVersion: pkg.version, fixedVersion: hit.fixed });
    }
  }
  return found.sort((a, b) => a.advisoryId.localeCompare(b.advisoryId) || a.packageName.localeCompare(b.packageName));
}
