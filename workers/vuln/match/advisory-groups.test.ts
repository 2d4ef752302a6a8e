import type { OsvRecord } from "../osv/record";
import { type RecordMatch, groupByVulnerability } from "./advisory-groups";
import { authoredRecord, osvRecord, realRecord } from "./test-support/osv-builders";

const match = (record: OsvRecord, fixedVersion: string | null = null): RecordMatch => ({ record, entries: [], fixedVersion });
const ids = (groups: RecordMatch[][]): string[][] => groups.map((group) => group.map(({ record }) => record.id));

describe("groupByVulnerability", () => {
  it.each<[string, OsvRecord[], string[][]]>([
    ["records sharing an alias", [osvRecord("GHSA-1", { aliases: ["CVE-1"] }), osvRecord("PYSEC-1", { aliases: ["CVE-1"] })], [["GHSA-1", "PYSEC-1"]]],
    ["a record naming another's id as an alias", [osvRecord("PYSEC-1", { aliases: ["GHSA-1"] }), osvRecord("GHSA-1")], [["GHSA-1", "PYSEC-1"]]],
    [
      "an alias chain (aliases are transitive)",
      [osvRecord("A-1", { aliases: ["X-1"] }), osvRecord("C-1", { aliases: ["Y-1"] }), osvRecord("B-1", { aliases: ["X-1", "Y-1"] })],
      [["A-1", "B-1", "C-1"]],
    ],
    [
      "a distribution advisory and the record it names upstream",
      [osvRecord("DEBIAN-CVE-1", { upstream: ["CVE-1"] }), osvRecord("DLA-1-1", { upstream: ["CVE-1", "DEBIAN-CVE-1"] })],
      [["DLA-1-1", "DEBIAN-CVE-1"]],
    ],
    [
      "two advisories that only name the same upstream id",
      [osvRecord("DSA-1-1", { upstream: ["CVE-1", "CVE-2"] }), osvRecord("DSA-2-1", { upstream: ["CVE-2", "CVE-3"] })],
      [["DSA-1-1"], ["DSA-2-1"]],
    ],
    [
      "two advisories and the upstream record both name",
      [osvRecord("DSA-1-1", { upstream: ["DEBIAN-CVE-2"] }), osvRecord("DSA-2-1", { upstream: ["DEBIAN-CVE-2"] }), osvRecord("DEBIAN-CVE-2")],
      [["DSA-1-1", "DSA-2-1", "DEBIAN-CVE-2"]],
    ],
    ["related records", [osvRecord("GHSA-1", { related: ["GHSA-2"] }), osvRecord("GHSA-2", { related: ["GHSA-1"] })], [["GHSA-1"], ["GHSA-2"]]],
    ["unrelated records", [osvRecord("GHSA-2"), osvRecord("GHSA-1")], [["GHSA-2"], ["GHSA-1"]]],
    ["one record twice", [osvRecord("GHSA-1"), osvRecord("GHSA-1")], [["GHSA-1", "GHSA-1"]]],
    ["no records", [], []],
  ])("groups %s", (_title, records, groups) => {
    expect(ids(groupByVulnerability(records.map((record) => match(record))))).toEqual(groups);
  });

  it.each<[string, OsvRecord[], string]>([
    ["an ecosystem's own record before a bare CVE record", [osvRecord("CVE-2025-26519"), realRecord("Alpine", "ALPINE-CVE-2025-26519")], "ALPINE-CVE-2025-26519"],
    ["a GHSA before a bare CVE naming it", [osvRecord("CVE-1", { aliases: ["GHSA-1"] }), osvRecord("GHSA-1", { aliases: ["CVE-1"] })], "GHSA-1"],
    ["the downstream advisory before what it bundles", [authoredRecord("DEBIAN-CVE-2099-0001"), authoredRecord("DSA-9001-1")], "DSA-9001-1"],
    ["by id between two databases of one ecosystem", [realRecord("PyPI", "PYSEC-2023-74"), osvRecord("GHSA-j8r2-6x86-q33q", { aliases: ["CVE-2023-32681"] })], "GHSA-j8r2-6x86-q33q"],
  ])("puts first %s", (_title, records, primary) => {
    for (const ordered of [records, [...records].reverse()]) {
      const [group] = groupByVulnerability(ordered.map((record) => match(record)));
      expect(group[0].record.id).toBe(primary);
    }
  });
});
