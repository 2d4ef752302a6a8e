import { readFileSync, readdirSync } from "node:fs";
import { fixturePath } from "../../../test/helpers/fixtures";
import { MAX_DETAILS_LENGTH, MAX_ID_LENGTH, MAX_SUMMARY_LENGTH, OsvRecordError, eventParts, parseOsvRecord } from "./record";

const FIXTURE_FILES = ["Alpine", "Debian", "PyPI", "npm"].flatMap((dir) =>
  readdirSync(fixturePath("osv", dir)).map((file) => ({ dir, file, json: JSON.parse(readFileSync(fixturePath("osv", dir, file), "utf8")) as unknown })),
);

const fixture = (file: string): Record<string, unknown> =>
  structuredClone(FIXTURE_FILES.find((candidate) => candidate.file === `${file}.json`)?.json) as Record<string, unknown>;

/** A valid record with `changes` applied: a field set to undefined is removed. */
function recordWith(changes: Record<string, unknown>): unknown {
  const record: Record<string, unknown> = {
    id: "DRYDOCK-TEST-1",
    modified: "2025-01-01T00:00:00Z",
    affected: [{ package: { ecosystem: "npm", name: "pkg" }, ranges: [{ type: "SEMVER", events: [{ introduced: "0" }, { fixed: "1.0.0" }] }] }],
  };
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete record[key];
    else record[key] = value;
  }
  return record;
}

const withRange = (range: unknown) => recordWith({ affected: [{ package: { ecosystem: "npm", name: "pkg" }, ranges: [range] }] });
const withPackage = (pkg: unknown) => recordWith({ affected: [{ package: pkg, ranges: [] }] });

describe("parseOsvRecord", () => {
  it("reads all 27 real fixture records", () => {
    expect(FIXTURE_FILES).toHaveLength(27);
    for (const { file, json } of FIXTURE_FILES) expect(parseOsvRecord(json).id).toBe(file.replace(/\.json$/, ""));
  });

  it("gives records that read back the same once serialised", () => {
    for (const { json } of FIXTURE_FILES) {
      const record = parseOsvRecord(json);
      expect(parseOsvRecord(JSON.parse(JSON.stringify(record)))).toEqual(record);
    }
  });

  it("reads a Debian record: upstream instead of aliases, a versions list, no severity", () => {
    const record = parseOsvRecord(fixture("DLA-3008-1"));
    expect(record).toMatchObject({ id: "DLA-3008-1", modified: "2026-03-09T01:23:33.375630Z", aliases: [], upstream: ["CVE-2022-1292", "DEBIAN-CVE-2022-1292"], severity: [] });
    expect(record.affected).toHaveLength(1);
    expect(record.affected[0].package).toEqual({ ecosystem: "Debian:9", name: "openssl", purl: "pkg:deb/debian/openssl?arch=source" });
    expect(record.affected[0].ranges).toEqual([{ type: "ECOSYSTEM", repo: null, events: [{ introduced: "0" }, { fixed: "1.1.0l-1~deb9u6" }] }]);
    expect(record.affected[0].versions).toHaveLength(19);
  });

  it("keeps a PYSEC record's GIT range with its repository, beside the ECOSYSTEM range", () => {
    const [affected] = parseOsvRecord(fixture("PYSEC-2023-74")).affected;
    expect(affected.ranges.map(({ type, repo }) => [type, repo])).toEqual([
      ["GIT", "https://github.com/psf/requests"],
      ["ECOSYSTEM", null],
    ]);
    expect(affected.versions).toHaveLength(66);
  });

  it("keeps the opaque database_specific and ecosystem_specific objects as they are", () => {
    const record = parseOsvRecord(fixture("GHSA-27h2-hvpr-p74q"));
    expect(record.database_specific).toMatchObject({ severity: "HIGH", cwe_ids: ["CWE-20"] });
    expect(record.affected[0].database_specific).toEqual({ last_known_affected_version_range: "<= 8.5.1" });
    expect(parseOsvRecord(fixture("ALPINE-CVE-2025-26519")).affected[0].ecosystem_specific).toEqual({});
  });

  it("reads an empty severity list as empty", () => {
    expect(parseOsvRecord(fixture("GHSA-wf5p-g6vw-rhxx")).severity).toEqual([]);
  });

  it.each<[string, unknown, Record<string, unknown>]>([
    ["absent optional fields", recordWith({}), { withdrawn: null, aliases: [], related: [], upstream: [], summary: null, details: null, severity: [], database_specific: null }],
    ["null optional fields", recordWith({ summary: null, aliases: null, withdrawn: null }), { summary: null, aliases: [], withdrawn: null }],
    ["a withdrawn time", recordWith({ withdrawn: "2024-05-01T10:00:00.123Z" }), { withdrawn: "2024-05-01T10:00:00.123Z" }],
    ["related ids", recordWith({ related: ["CVE-2024-1", "GHSA-aaaa-bbbb-cccc"] }), { related: ["CVE-2024-1", "GHSA-aaaa-bbbb-cccc"] }],
    ["a severity type drydock does not score", recordWith({ severity: [{ type: "Ubuntu", score: "medium" }] }), { severity: [{ type: "Ubuntu", score: "medium" }] }],
    ["no affected entries", recordWith({ affected: undefined }), { affected: [] }],
    ["an affected entry without a package", recordWith({ affected: [{ ranges: [{ type: "GIT", repo: "r", events: [{ introduced: "0" }] }] }] }), {}],
    ["fields drydock does not use", recordWith({ references: [{ type: "WEB", url: "x" }], credits: 3, schema_version: "1.7.0" }), {}],
    ["a timestamp with an offset", recordWith({ modified: "2025-01-01T00:00:00+02:00" }), { modified: "2025-01-01T00:00:00+02:00" }],
  ])("accepts %s", (_title, json, expected) => {
    expect(parseOsvRecord(json)).toMatchObject(expected);
  });

  it("reads each event kind", () => {
    const events = [{ introduced: "0" }, { fixed: "1" }, { last_affected: "2" }, { limit: "*" }];
    const [affected] = parseOsvRecord(withRange({ type: "ECOSYSTEM", events })).affected;
    expect(affected.ranges[0].events.map(eventParts)).toEqual([
      { kind: "introduced", version: "0" },
      { kind: "fixed", version: "1" },
      { kind: "last_affected", version: "2" },
      { kind: "limit", version: "*" },
    ]);
  });

  it.each<[string, unknown, string | null, string]>([
    ["not an object", [], null, "record: must be an object"],
    ["null", null, null, "record: must be an object"],
    ["no id", recordWith({ id: undefined }), null, "id: is missing"],
    ["a numeric id", recordWith({ id: 7 }), null, "id: must be a string"],
    ["an id with a space", recordWith({ id: "GHSA x" }), "GHSA x", "id: must be a non-empty id without spaces"],
    ["an empty id", recordWith({ id: "" }), null, "id: must be a non-empty id without spaces"],
    ["an id too long", recordWith({ id: "X".repeat(MAX_ID_LENGTH + 1) }), "X".repeat(MAX_ID_LENGTH + 1), `id: is longer than ${MAX_ID_LENGTH} characters`],
    ["no modified", recordWith({ modified: undefined }), "DRYDOCK-TEST-1", "modified: is missing"],
    ["a date for modified", recordWith({ modified: "2025-01-01" }), "DRYDOCK-TEST-1", 'modified: must be an RFC 3339 timestamp, not "2025-01-01"'],
    ["a month 13", recordWith({ modified: "2025-13-01T00:00:00Z" }), "DRYDOCK-TEST-1", 'modified: must be an RFC 3339 timestamp, not "2025-13-01T00:00:00Z"'],
    ["a bad withdrawn", recordWith({ withdrawn: "yesterday" }), "DRYDOCK-TEST-1", 'withdrawn: must be an RFC 3339 timestamp, not "yesterday"'],
    ["aliases as a string", recordWith({ aliases: "CVE-1" }), "DRYDOCK-TEST-1", "aliases: must be an array"],
    ["an alias that is a number", recordWith({ aliases: ["CVE-1", 2] }), "DRYDOCK-TEST-1", "aliases[1]: must be a string"],
    ["an upstream id with a space", recordWith({ upstream: ["CVE 1"] }), "DRYDOCK-TEST-1", "upstream[0]: must be a non-empty id without spaces"],
    ["a summary that is an object", recordWith({ summary: {} }), "DRYDOCK-TEST-1", "summary: must be a string"],
    ["a severity without a score", recordWith({ severity: [{ type: "CVSS_V3" }] }), "DRYDOCK-TEST-1", "severity[0].score: is missing"],
    ["affected as an object", recordWith({ affected: {} }), "DRYDOCK-TEST-1", "affected: must be an array"],
    ["an affected entry that is a string", recordWith({ affected: ["npm"] }), "DRYDOCK-TEST-1", "affected[0]: must be an object"],
    ["a package without a name", withPackage({ ecosystem: "npm" }), "DRYDOCK-TEST-1", "affected[0].package.name: is missing"],
    ["a package with an empty ecosystem", withPackage({ ecosystem: "", name: "x" }), "DRYDOCK-TEST-1", "affected[0].package.ecosystem: must not be empty"],
    ["a package name too long", withPackage({ ecosystem: "npm", name: "x".repeat(256) }), "DRYDOCK-TEST-1", "affected[0].package.name: is longer than 255 characters"],
    ["a package purl that is a number", withPackage({ ecosystem: "npm", name: "x", purl: 1 }), "DRYDOCK-TEST-1", "affected[0].package.purl: must be a string"],
    ["an unknown range type", withRange({ type: "RANGE", events: [] }), "DRYDOCK-TEST-1", 'affected[0].ranges[0].type: must be one of ECOSYSTEM, SEMVER, GIT, not "RANGE"'],
    ["a range without events", withRange({ type: "SEMVER" }), "DRYDOCK-TEST-1", "affected[0].ranges[0].events: is missing"],
    ["events as an object", withRange({ type: "SEMVER", events: { introduced: "0" } }), "DRYDOCK-TEST-1", "affected[0].ranges[0].events: must be an array"],
    [
      "an event with two kinds",
      withRange({ type: "SEMVER", events: [{ introduced: "1.0.0", fixed: "1.0.2" }] }),
      "DRYDOCK-TEST-1",
      "affected[0].ranges[0].events[0]: must have exactly one of introduced, fixed, last_affected, limit",
    ],
    [
      "an event of no known kind",
      withRange({ type: "SEMVER", events: [{ introduced: "0" }, { patched: "1" }] }),
      "DRYDOCK-TEST-1",
      "affected[0].ranges[0].events[1]: must have exactly one of introduced, fixed, last_affected, limit",
    ],
    ["an event version that is a number", withRange({ type: "SEMVER", events: [{ fixed: 1 }] }), "DRYDOCK-TEST-1", "affected[0].ranges[0].events[0].fixed: must be a string"],
    ["an empty event version", withRange({ type: "SEMVER", events: [{ introduced: "" }] }), "DRYDOCK-TEST-1", "affected[0].ranges[0].events[0].introduced: must not be empty"],
    [
      "a versions entry that is a number",
      recordWith({ affected: [{ package: { ecosystem: "PyPI", name: "x" }, versions: ["1.0", 1.1] }] }),
      "DRYDOCK-TEST-1",
      "affected[0].versions[1]: must be a string",
    ],
    ["database_specific as an array", recordWith({ database_specific: [] }), "DRYDOCK-TEST-1", "database_specific: must be an object"],
    [
      "ecosystem_specific as a string",
      recordWith({ affected: [{ package: { ecosystem: "Go", name: "x" }, ecosystem_specific: "high" }] }),
      "DRYDOCK-TEST-1",
      "affected[0].ecosystem_specific: must be an object",
    ],
  ])("refuses %s, naming the record and the reason", (_title, json, recordId, reason) => {
    let error: unknown;
    try {
      parseOsvRecord(json);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(OsvRecordError);
    expect(error).toMatchObject({ recordId, reason });
    expect((error as Error).message).toBe(`OSV record ${recordId ?? "(without an id)"}: ${reason}`);
  });

  it.each([
    ["summary", MAX_SUMMARY_LENGTH],
    ["details", MAX_DETAILS_LENGTH],
  ] as const)("cuts a long %s to %i characters ending in an ellipsis", (field, maxLength) => {
    const record = parseOsvRecord(recordWith({ [field]: "a".repeat(maxLength + 50) }));
    expect(record[field]).toHaveLength(maxLength);
    expect(record[field]?.endsWith("a…")).toBe(true);
    expect(parseOsvRecord(recordWith({ [field]: "b".repeat(maxLength) }))[field]).toBe("b".repeat(maxLength));
  });

  it("never cuts a surrogate pair in half", () => {
    const summary = `${"a".repeat(MAX_SUMMARY_LENGTH - 2)}😀😀😀`;
    const cut = parseOsvRecord(recordWith({ summary })).summary as string;
    expect(cut).toBe(`${"a".repeat(MAX_SUMMARY_LENGTH - 2)}…`);
    expect(cut.length).toBeLessThanOrEqual(MAX_SUMMARY_LENGTH);
  });
});
