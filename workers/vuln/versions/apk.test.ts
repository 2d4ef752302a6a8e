import { readdirSync, readFileSync } from "node:fs";
import { fixturePath } from "../../../test/helpers/fixtures";
import { apk } from "./apk";
import { expectAscending, expectEquivalent, expectTotalOrder, judged, pick, seededRandom } from "./test-support/ordering";
import { InvalidVersionError } from "./version-scheme";

/**
 * Lines of apk-tools' own test/version.data ("a op b"), where both sides
 * are valid versions. Its two lines with an invalid side ("23_foo > 4_beta",
 * "1.0 < 1.0bc") are among the refused versions below.
 */
const APK_TOOLS_CASES = `
2.34 > 0.1.0_alpha
0.1.0_alpha = 0.1.0_alpha
0.1.0_alpha < 0.1.3_alpha
0.1.0_alpha2 > 0.1.0_alpha
0.1.0_alpha < 2.2.39-r1
2.2.39-r1 > 1.0.4-r3
1.0.4-r3 < 1.0.4-r4
1.0.4-r4 < 1.6
1.0.2 > 0.7-r1
0.7-r1 < 1.0.0
1.1 > 1.1_alpha1
1.1_alpha1 < 1.2.1
1.2.1 > 1.2
1.2 < 1.3_alpha
1.3_alpha < 1.3_alpha2
1.3_alpha8 > 0.6.0
0.7.0 < 0.8_beta1
0.8_beta1 < 0.8_beta2
0.8_beta4 < 4.8-r1
3.10.18-r1 > 2.3.0b-r1
2.3.0b-r1 < 2.3.0b-r2
2.3.0b-r4 > 0.12.1
0.12.3 > 0.12
0.12 < 0.13_beta1
0.13_beta5 > 0.9.12
0.9.12 < 0.9.13
0.0.16 < 0.6
2.1.15-r3 > 1.2.11
1.2.11 < 1.2.12.1
1.2.12.1 < 1.2.13
0.2.0-r1 = 0.2.0-r1
0.2.0-r1 < 3.1_p16
3.1_p16 < 3.1_p17
3.1_p17 > 1.06-r6
1.06-r6 < 006
006 > 1.0.0
1.2.2-r1 > 1.2.2
9.3.4-r2 > 9.3.4
1.2.2.1 < 1.4.1-r1
2.59 < 20050718-r1
20050718-r1 < 20050718-r2
20050718-r2 > 3.9.8-r5
3.9.8-r5 > 2.01.01_alpha10
2.01.01_alpha10 > 0.94
1.0 > 0.99.3.20040818
0.90.1-r1 > 0.10.2
1.39 > 1.00_beta2
1.00_beta2 > 0.9.2
2.8.9-r1 > 2.8.9
7.15.1-r1 > 1.02
1.02 < 1.03-r1
1.12.12-r2 < 2.8.0.6-r1
0.5.2.7 < 4.2.52_p2-r1
4.2.52_p2-r1 < 4.2.52_p4-r2
4.2.52_p4-r2 > 1.02.07
1.02.07 < 1.02.10-r1
9 > 2.18.3-r10
2.18.3-r10 > 1.05-r18
1.05-r18 < 1.05-r19
2.2.5 < 2.8
2.8 < 2.20.1
2.38 < 20050405
2.11-r1 > 2.11
0.1.6-r3 < 0.47-r1
1.0.0 < 10-r1
10-r1 > 4
0.7.3-r2 > 0.7.3
0.68-r3 < 1.0.0
2.4.2 < 20060720
20060720 > 3.0.20060720
3.0.20060720 < 20060720
0.7.18-r2 < 0.17-r6
1.4.4-r1 < 2.1.9.200602141850
2.1.9.200602141850 > 1.6
2.5.1-r8 < 2.5.1a-r1
2.5.1a-r1 > 1.19.2-r1
1.3.5-r10 > 1.3.5-r8
1.3.5-r8 < 1.3.5-r9
20040923-r2 > 20040401
20040401 > 2.0.0_rc3-r1
2.0.0_rc3-r1 > 1.5
0.99.163 < 2.6.15.20060110
2.6.15.20060110 < 2.6.16.20060323
3.0.0-r2 < 021109-r3
021109-r3 < 20060512
0.9.16-r1 < 3.9_pre20060124
3.9_pre20060124 > 0.01
0.01 < 0.06
1.1.7 < 6b-r7
6b-r7 > 1.12-r7
0.10.0-r1 > 0.10.0
0.10.0 < 0.10.1_rc1
0.10.1_rc1 > 0.9.11
0.9.11 < 394
2.0.2 > 1.1a
1.1a < 1.3a
1.0-r1 > 0.15.1b
0.15.1b < 1.0.1
1.06-r2 > 0.15.1b-r2
0.15.1b-r2 > 0.15.1b
22.7-r1 < 22.7.3-r1
22.7.3-r1 > 22.7
22.7 > 2.1_pre20
2.1_pre20 < 2.1_pre26
2.10.1 > 02.08.01b
02.08.01b < 4.77
8.1.2.20040524-r1 < 8.1.2.20050715-r1
8.1.2.20050715-r1 < 20030215
3.81 > 1.6d
1.6d > 1.2.07.8
1.2.07.8 < 1.2.12.04
1.2.12.04 < 1.2.12.05
1.07-r1 < 1.07.5
1.07.5 > 1.07
20061003 > 0.1_pre20060810
0.1_pre20060810 < 0.1_pre20060817
3.3.17 > 0.59s-r11
0.59s-r11 < 0.65
1.60-r12 < 110-r8
4.20 > 0.20070118
0.20070118 < 0.20070207_rc1
0.20070207_rc1 < 1.0
2.3.30-r2 < 3.7_p1
0.10.1 < 4.3_p2-r1
4.3_p2-r1 < 4.3_p2-r5
4.3_p2-r5 < 4.4_p1-r6
4.5_p1-r1 > 4.5_p1
4.5_p1 > 0.9.8c-r1
0.9.8c-r1 < 0.9.8d
2.2.3-r2 < 013
013 < 014-r1
0.1.23 < 5b-r9
3.2.7 > 0.3.1_rc8
1.7 < 1.7b
1.7b < 1.8.4-r3
1.8.5 < 1.8.5_p2
2.9.11_pre20051101-r2 < 2.9.11_pre20051101-r3
2.9.11_pre20051101-r3 > 2.9.11_pre20051101
2.9.11_pre20051101 < 2.9.11_pre20061021-r1
2.6.1.3-r1 > 2.6.1.3
1.6.8_p12-r1 > 1.6.8_p9-r2
0.40-r1 < 2.25b-r5
1.4_p12-r2 < 1.4_p12-r5
0.9.28-r2 < 0.9.28.1
0.9.28.1 < 087-r1
104-r11 > 104-r9
5.52-r1 > 1.2.5_rc2
20040406-r1 > 2.12r-r4
2.12r-r4 < 2.12r-r5
7.0.17 < 7.0.174
1.1.1-r3 > 0.3.4_pre20061029
1.2.9.1-r1 > 1.2.9.1
1.3-r0 < 1.3.1-r0
1.3_pre1-r1 < 1.3.2
1.0_p10-r0 > 1.0_p9-r0
0.1.0_alpha_pre2 < 0.1.0_alpha
1.0.0_pre20191002222144-r0 < 1.0.0_pre20210530193627-r0
`;

const CASES = APK_TOOLS_CASES.trim()
  .split("\n")
  .map((line) => line.split(" ") as [string, "<" | "=" | ">", string]);

/** The V: lines of the Alpine package databases among the fixtures. */
function installedVersions(): string[] {
  return ["alpine-3.16", "alpine-3.18"].flatMap((release) => {
    const text = readFileSync(fixturePath("pkgdb", release, "lib", "apk", "db", "installed"), "utf8");
    return [...text.matchAll(/^V:(.+)$/gm)].map((match) => match[1]);
  });
}

/** Every version in the events of the Alpine OSV records among the fixtures. */
function osvVersions(): string[] {
  const dir = fixturePath("osv", "Alpine");
  return readdirSync(dir).flatMap((file) => {
    const record = JSON.parse(readFileSync(`${dir}/${file}`, "utf8")) as {
      affected: Array<{ ranges: Array<{ events: Array<Record<string, string>> }> }>;
    };
    return record.affected.flatMap((affected) =>
      affected.ranges.flatMap((range) => range.events.flatMap((event) => Object.values(event))),
    );
  });
}

describe("apk", () => {
  test(`agrees with apk-tools' test/version.data on ${CASES.length} lines`, () => {
    for (const [a, op, b] of CASES) expect(judged(apk, a, b)).toBe(`${a} ${op} ${b}`);
  });

  test("the musl boundaries of ALPINE-CVE-2025-26519, in the order of the Alpine releases that fixed them", () => {
    expectAscending(apk, ["0.9.13", "1.2.3-r4", "1.2.3-r6", "1.2.4-r3", "1.2.4_git20230717-r5", "1.2.5-r1", "1.2.5-r9", "1.2.5-r10"]);
  });

  test("suffixes: pre-releases below the release, the others above it, each with its number", () => {
    expectAscending(apk, [
      "1.0_alpha", "1.0_alpha1", "1.0_alpha2", "1.0_alpha10", "1.0_beta", "1.0_beta1", "1.0_pre1", "1.0_rc", "1.0_rc1",
      "1.0", "1.0-r1", "1.0_cvs", "1.0_svn", "1.0_git20230717", "1.0_hg1", "1.0_p", "1.0_p1", "1.0_p1-r1", "1.0.1",
    ]);
  });

  test("letters, revisions and commit hashes", () => {
    expectAscending(apk, ["1.0", "1.0-r0", "1.0-r1", "1.0-r10", "1.0~abc", "1.0~abd", "1.0~abd-r1", "1.0a", "1.0b", "1.0z", "1.0.1"]);
    expectAscending(apk, ["1.2.3-r4", "1.2.3_p1", "1.2.3a", "1.2.3a_p1", "1.2.3b_rc1", "1.2.3b"]);
  });

  test("components after the first with a leading zero compare as decimal fractions; the first compares as a number", () => {
    expectAscending(apk, ["1.0", "1.00", "1.001", "1.01", "1.019", "1.02", "1.1", "1.2"]);
    expectAscending(apk, ["1.02.1", "1.1", "1.2", "1.10"]);
    expectEquivalent(apk, ["1.0", "01.0", "0001.0"]);
    expectEquivalent(apk, ["1.2-r1", "1.2-r01"]);
  });

  test("numbers past 64 bits still compare by value", () => {
    expectAscending(apk, ["1.18446744073709551615", "1.18446744073709551616", "18446744073709551616", "99999999999999999999999-r1"]);
  });

  test.each(["1", "0", "1.2.3", "1.2.3a", "1.2.3_rc1", "1.2.3_alpha_pre2", "1.2.3_p1-r2", "1.2.3~1a2b3c-r0", "20230506-r0", "1.1.1q-r0"])("accepts %j", (version) => {
    expect(apk.isValid(version)).toBe(true);
  });

  test.each([
    "", "a1", "v1.2", "1.0bc", "23_foo", "1.2-r", "1.2-r1-r2", "1.2-1", "1.2_", "1.2_rc1a", "1.2a.3", "1.2A", "1..2", "1.2.",
    "1.2~", "1.2~ABC", "1.2~abc~def", "1.2-r1_p1", "1.2-r1.3", "1.2_rc1.3", " 1.2", "1.2 ", "1:1.2",
  ])("refuses %j", (version) => {
    expect(apk.isValid(version)).toBe(false);
    expect(() => apk.compare(version, "1.0")).toThrow(InvalidVersionError);
  });

  test("one total order over 1,200 generated versions (leading zeros, letters, suffixes, hashes, revisions)", () => {
    const random = seededRandom(0xa1b);
    const parts = [
      "0", "1", "10", "01", ".0", ".1", ".01", ".00", ".2", "a", "b", "_alpha", "_rc1", "_p", "_p1", "_git1", "~ab", "~a0",
      "-r0", "-r1", "-r10",
    ];
    for (let round = 0; round < 3; round++) {
      const versions: string[] = [];
      while (versions.length < 400) {
        const tail = Array.from({ length: Math.floor(random() * 5) }, () => pick(random, parts)).join("");
        const version = pick(random, ["0", "1", "2", "01"]) + tail;
        if (apk.isValid(version)) versions.push(version);
      }
      expectTotalOrder(apk, versions);
    }
  });

  test("the versions of the fixtures' package databases and OSV records are valid and totally ordered", () => {
    const versions = [...installedVersions(), ...osvVersions(), ...CASES.flatMap(([a, , b]) => [a, b])];
    expect(versions.filter((version) => !apk.isValid(version))).toEqual([]);
    expectTotalOrder(apk, versions);
  });
});
