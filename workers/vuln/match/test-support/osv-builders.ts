import { readFileSync } from "node:fs";
import path from "node:path";
import { fixturePath } from "../../../../test/helpers/fixtures";
import { type OsvAffected, type OsvEvent, type OsvRange, type OsvRecord, parseOsvRecord } from "../../osv/record";

/** A real record from the shared fixtures: `realRecord("npm", "GHSA-c2qf-rxjj-qqgw")`. */
export function realRecord(ecosystemDir: string, id: string): OsvRecord {
  return parseOsvRecord(JSON.parse(readFileSync(fixturePath("osv", ecosystemDir, `${id}.json`), "utf8")));
}

/** A record written for drydock's tests, from `test-support/authored/<file>.json`. */
export function authoredRecord(file: string): OsvRecord {
  return parseOsvRecord(JSON.parse(readFileSync(path.join(__dirname, "authored", `${file}.json`), "utf8")));
}

export function ecosystemRange(...events: OsvEvent[]): OsvRange {
  return { type: "ECOSYSTEM", repo: null, events };
}

export function semverRange(...events: OsvEvent[]): OsvRange {
  return { type: "SEMVER", repo: null, events };
}

export function gitRange(...events: OsvEvent[]): OsvRange {
  return { type: "GIT", repo: "https://example.invalid/repo.git", events };
}

export function affectedEntry(ecosystem: string, name: string, ranges: OsvRange[], versions: string[] = []): OsvAffected {
  return { package: { ecosystem, name, purl: null }, severity: [], ranges, versions, ecosystem_specific: null, database_specific: null };
}

/** A minimal record: only what a test sets differs from an empty one. */
export function osvRecord(id: string, fields: Partial<OsvRecord> = {}): OsvRecord {
  return {
    id,
    modified: "2025-01-01T00:00:00Z",
    withdrawn: null,
    aliases: [],
    related: [],
    upstream: [],
    summary: null,
    details: null,
    severity: [],
    affected: [],
    database_specific: null,
    ...fields,
  };
}
