import type { OsvSeverity } from "../osv/record";
import { type Severity, type SeverityAssessment, assessSeverity, compareSeverity, cvssBaseScore, severityOfScore } from "./severity";
import { affectedEntry, authoredRecord, osvRecord, realRecord } from "./test-support/osv-builders";

const V31_CRITICAL = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
const V4_CRITICAL = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N";

describe("cvssBaseScore", () => {
  it.each<[string, OsvSeverity, number | null]>([
    ["a CVSS 3.1 vector", { type: "CVSS_V3", score: V31_CRITICAL }, 9.8],
    ["a CVSS 3.0 vector", { type: "CVSS_V3", score: "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H" }, 10],
    ["a 3.1 vector with temporal metrics: the base score, not the temporal one", { type: "CVSS_V3", score: `${V31_CRITICAL}/E:U/RL:O` }, 9.8],
    ["the fixture musl vector", { type: "CVSS_V3", score: "CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:U/C:H/I:H/A:H" }, 7],
    ["a CVSS 4.0 vector", { type: "CVSS_V4", score: V4_CRITICAL }, 9.3],
    ["a 4.0 vector with threat metrics: the base metrics' score", { type: "CVSS_V4", score: `${V4_CRITICAL}/E:U` }, 9.3],
    ["a CVSS 2 vector", { type: "CVSS_V2", score: "AV:N/AC:L/Au:N/C:P/I:P/A:P" }, 7.5],
    ["a CVSS 2 vector with temporal metrics", { type: "CVSS_V2", score: "AV:N/AC:L/Au:N/C:P/I:P/A:P/E:U/RL:OF/RC:C" }, 7.5],
    ["a vector scoring 0.0", { type: "CVSS_V3", score: "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:N/I:N/A:N" }, 0],
    ["a vector missing base metrics", { type: "CVSS_V3", score: "CVSS:3.1/AV:N/AC:L" }, null],
    ["a vector with an unknown value", { type: "CVSS_V3", score: "CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" }, null],
    ["a vector with an unknown metric", { type: "CVSS_V3", score: `${V31_CRITICAL}/ZZ:Q` }, null],
    ["no vector at all", { type: "CVSS_V3", score: "garbage" }, null],
    ["an empty vector", { type: "CVSS_V2", score: "" }, null],
    ["a 4.0 vector declared CVSS_V3", { type: "CVSS_V3", score: V4_CRITICAL }, null],
    ["a 3.1 vector declared CVSS_V4", { type: "CVSS_V4", score: V31_CRITICAL }, null],
    ["a 3.1 vector declared CVSS_V2", { type: "CVSS_V2", score: V31_CRITICAL }, null],
    ["an Ubuntu priority", { type: "Ubuntu", score: "high" }, null],
  ])("%s", (_title, severity, score) => {
    expect(cvssBaseScore(severity)).toBe(score);
  });
});

describe("severityOfScore", () => {
  it.each<[number, Severity]>([
    [10, "CRITICAL"],
    [9, "CRITICAL"],
    [8.9, "HIGH"],
    [7, "HIGH"],
    [6.9, "MEDIUM"],
    [4, "MEDIUM"],
    [3.9, "LOW"],
    [0.1, "LOW"],
    [0, "LOW"],
  ])("%s → %s", (score, severity) => {
    expect(severityOfScore(score)).toBe(severity);
  });
});

describe("compareSeverity", () => {
  it("orders worst first", () => {
    const shuffled: Severity[] = ["LOW", "UNKNOWN", "CRITICAL", "MEDIUM", "HIGH"];
    expect(shuffled.sort(compareSeverity)).toEqual(["CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN"]);
  });
});

describe("assessSeverity", () => {
  const entry = affectedEntry("npm", "pkg", []);
  const cvss = (type: string, score: string): OsvSeverity => ({ type, score });

  it.each<[string, string, string, SeverityAssessment]>([
    ["ALPINE-CVE-2025-26519: its CVSS 3.1 vector", "Alpine", "ALPINE-CVE-2025-26519", { severity: "HIGH", cvssScore: 7 }],
    ["GHSA-c2qf-rxjj-qqgw: 5.3, which GHSA labels MODERATE", "npm", "GHSA-c2qf-rxjj-qqgw", { severity: "MEDIUM", cvssScore: 5.3 }],
    ["GHSA-xvch-5gv4-984h", "npm", "GHSA-xvch-5gv4-984h", { severity: "CRITICAL", cvssScore: 9.8 }],
    ["GHSA-27h2-hvpr-p74q", "npm", "GHSA-27h2-hvpr-p74q", { severity: "HIGH", cvssScore: 7.6 }],
    ["GHSA-hrpp-h998-j3pp", "npm", "GHSA-hrpp-h998-j3pp", { severity: "HIGH", cvssScore: 7.5 }],
    ["GHSA-9wx4-h78v-vm56", "PyPI", "GHSA-9wx4-h78v-vm56", { severity: "MEDIUM", cvssScore: 5.6 }],
    ["GHSA-wf5p-g6vw-rhxx: an empty severity list, labelled MODERATE", "npm", "GHSA-wf5p-g6vw-rhxx", { severity: "MEDIUM", cvssScore: null }],
    ["GHSA-8hc4-vh64-cxmj: an empty severity list, labelled HIGH", "npm", "GHSA-8hc4-vh64-cxmj", { severity: "HIGH", cvssScore: null }],
    ["PYSEC-2023-74: no severity anywhere", "PyPI", "PYSEC-2023-74", { severity: "UNKNOWN", cvssScore: null }],
    ["DLA-3008-1: no severity anywhere", "Debian", "DLA-3008-1", { severity: "UNKNOWN", cvssScore: null }],
  ])("scores the real record %s", (_title, dir, id, assessment) => {
    const record = realRecord(dir, id);
    expect(assessSeverity(record, record.affected)).toEqual(assessment);
  });

  it.each<[string, string, SeverityAssessment]>([
    ["CVSS v4 before v3", "DEBIAN-CVE-2099-0001", { severity: "CRITICAL", cvssScore: 9.3 }],
    ["a CVSS v2 vector when there is nothing newer", "DRYDOCK-2099-0006", { severity: "HIGH", cvssScore: 7.5 }],
    ["a CVSS v3.0 vector", "DRYDOCK-2099-0008", { severity: "CRITICAL", cvssScore: 10 }],
    ["an Ubuntu priority", "UBUNTU-CVE-2099-0004", { severity: "HIGH", cvssScore: null }],
    ["Red Hat's Important in an entry's database_specific", "ALSA-2099-0005", { severity: "HIGH", cvssScore: null }],
  ])("scores the authored record with %s", (_title, file, assessment) => {
    const record = authoredRecord(file);
    expect(assessSeverity(record, record.affected)).toEqual(assessment);
  });

  it.each<[string, OsvSeverity[], SeverityAssessment]>([
    ["v3 before v2", [cvss("CVSS_V2", "AV:N/AC:L/Au:N/C:N/I:N/A:P"), cvss("CVSS_V3", V31_CRITICAL)], { severity: "CRITICAL", cvssScore: 9.8 }],
    ["the highest of two v3 vectors", [cvss("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L"), cvss("CVSS_V3", V31_CRITICAL)], { severity: "CRITICAL", cvssScore: 9.8 }],
    ["v3 when the v4 vector is broken", [cvss("CVSS_V4", "CVSS:4.0/AV:N"), cvss("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L")], { severity: "MEDIUM", cvssScore: 5.3 }],
    ["a 0.0 score as LOW", [cvss("CVSS_V3", "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:N/I:N/A:N")], { severity: "LOW", cvssScore: 0 }],
    ["only broken vectors: UNKNOWN", [cvss("CVSS_V3", "CVSS:3.1/nonsense")], { severity: "UNKNOWN", cvssScore: null }],
    ["a type drydock does not know: UNKNOWN", [cvss("SSVC", "SSVCv2/E:A/")], { severity: "UNKNOWN", cvssScore: null }],
  ])("takes %s", (_title, severity, assessment) => {
    expect(assessSeverity(osvRecord("R", { severity }), [entry])).toEqual(assessment);
  });

  it("takes the matched entries' vectors instead of the record's, as the schema says", () => {
    const record = osvRecord("R", { severity: [cvss("CVSS_V3", V31_CRITICAL)] });
    const withOwn = { ...entry, severity: [cvss("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L")] };
    expect(assessSeverity(record, [withOwn])).toEqual({ severity: "MEDIUM", cvssScore: 5.3 });
    expect(assessSeverity(record, [entry])).toEqual({ severity: "CRITICAL", cvssScore: 9.8 });
  });

  it.each<[string, Parameters<typeof osvRecord>[1], Partial<typeof entry>, Severity]>([
    ["GHSA's LOW", { database_specific: { severity: "LOW" } }, {}, "LOW"],
    ["GHSA's MODERATE", { database_specific: { severity: "MODERATE" } }, {}, "MEDIUM"],
    ["GHSA's CRITICAL", { database_specific: { severity: "CRITICAL" } }, {}, "CRITICAL"],
    ["a label in another case", { database_specific: { severity: "high" } }, {}, "HIGH"],
    ["an entry's ecosystem_specific label", {}, { ecosystem_specific: { severity: "MEDIUM" } }, "MEDIUM"],
    ["the record's label before an entry's", { database_specific: { severity: "LOW" } }, { ecosystem_specific: { severity: "CRITICAL" } }, "LOW"],
    ["ecosystem_specific before the entry's database_specific", {}, { ecosystem_specific: { severity: "LOW" }, database_specific: { severity: "HIGH" } }, "LOW"],
    ["a label drydock does not know", { database_specific: { severity: "SEVERE" } }, {}, "UNKNOWN"],
    ["a label that is not a string", { database_specific: { severity: 9 } }, {}, "UNKNOWN"],
    ["no label", {}, {}, "UNKNOWN"],
  ])("falls back to %s", (_title, recordFields, entryFields, severity) => {
    expect(assessSeverity(osvRecord("R", recordFields), [{ ...entry, ...entryFields }])).toEqual({ severity, cvssScore: null });
  });

  it("takes the worst label of several matched entries", () => {
    const entries = [
      { ...entry, ecosystem_specific: { severity: "LOW" } },
      { ...entry, ecosystem_specific: { severity: "HIGH" } },
    ];
    expect(assessSeverity(osvRecord("R"), entries)).toEqual({ severity: "HIGH", cvssScore: null });
  });
});
