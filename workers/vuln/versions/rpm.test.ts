import { rpm } from "./rpm";
import { rpmVerdicts } from "./test-support/oracles";
import { expectAscending, expectTotalOrder, judged, pick, seededRandom, verdict } from "./test-support/ordering";
import { InvalidVersionError } from "./version-scheme";

/** rpm's own tests/rpmvercmp.at (rpm 4.15 and later, with the caret cases): RPMVERCMP(a, b, expected). */
const RPMVERCMP_AT: Array<[string, string, -1 | 0 | 1]> = [
  ["1.0", "1.0", 0], ["1.0", "2.0", -1], ["2.0", "1.0", 1],
  ["2.0.1", "2.0.1", 0], ["2.0", "2.0.1", -1], ["2.0.1", "2.0", 1],
  ["2.0.1a", "2.0.1a", 0], ["2.0.1a", "2.0.1", 1], ["2.0.1", "2.0.1a", -1],
  ["5.5p1", "5.5p1", 0], ["5.5p1", "5.5p2", -1], ["5.5p2", "5.5p1", 1],
  ["5.5p10", "5.5p10", 0], ["5.5p1", "5.5p10", -1], ["5.5p10", "5.5p1", 1],
  ["10xyz", "10.1xyz", -1], ["10.1xyz", "10xyz", 1],
  ["xyz10", "xyz10", 0], ["xyz10", "xyz10.1", -1], ["xyz10.1", "xyz10", 1],
  ["xyz.4", "xyz.4", 0], ["xyz.4", "8", -1], ["8", "xyz.4", 1], ["xyz.4", "2", -1], ["2", "xyz.4", 1],
  ["5.5p2", "5.6p1", -1], ["5.6p1", "5.5p2", 1],
  ["5.6p1", "6.5p1", -1], ["6.5p1", "5.6p1", 1],
  ["6.0.rc1", "6.0", 1], ["6.0", "6.0.rc1", -1],
  ["10b2", "10a1", 1], ["10a2", "10b2", -1],
  ["1.0aa", "1.0aa", 0], ["1.0a", "1.0aa", -1], ["1.0aa", "1.0a", 1],
  ["10.0001", "10.0001", 0], ["10.0001", "10.1", 0], ["10.1", "10.0001", 0], ["10.0001", "10.0039", -1], ["10.0039", "10.0001", 1],
  ["4.999.9", "5.0", -1], ["5.0", "4.999.9", 1],
  ["20101121", "20101121", 0], ["20101121", "20101122", -1], ["20101122", "20101121", 1],
  ["2_0", "2_0", 0], ["2.0", "2_0", 0], ["2_0", "2.0", 0],
  ["a", "a", 0], ["a+", "a+", 0], ["a+", "a_", 0], ["a_", "a+", 0], ["+a", "+a", 0], ["+a", "_a", 0], ["_a", "+a", 0],
  ["+_", "+_", 0], ["_+", "+_", 0], ["_+", "_+", 0], ["+", "_", 0], ["_", "+", 0],
  ["1.0~rc1", "1.0~rc1", 0], ["1.0~rc1", "1.0", -1], ["1.0", "1.0~rc1", 1], ["1.0~rc1", "1.0~rc2", -1], ["1.0~rc2", "1.0~rc1", 1],
  ["1.0~rc1~git123", "1.0~rc1~git123", 0], ["1.0~rc1~git123", "1.0~rc1", -1], ["1.0~rc1", "1.0~rc1~git123", 1],
  ["1.0^", "1.0^", 0], ["1.0^", "1.0", 1], ["1.0", "1.0^", -1],
  ["1.0^git1", "1.0^git1", 0], ["1.0^git1", "1.0", 1], ["1.0", "1.0^git1", -1], ["1.0^git1", "1.0^git2", -1], ["1.0^git2", "1.0^git1", 1],
  ["1.0^git1", "1.01", -1], ["1.01", "1.0^git1", 1],
  ["1.0^20160101", "1.0^20160101", 0], ["1.0^20160101", "1.0.1", -1], ["1.0.1", "1.0^20160101", 1],
  ["1.0^20160101^git1", "1.0^20160101^git1", 0], ["1.0^20160102", "1.0^20160101^git1", 1], ["1.0^20160101^git1", "1.0^20160102", -1],
  ["1.0~rc1^git1", "1.0~rc1^git1", 0], ["1.0~rc1^git1", "1.0~rc1", 1], ["1.0~rc1", "1.0~rc1^git1", -1],
  ["1.0^git1~pre", "1.0^git1~pre", 0], ["1.0^git1", "1.0^git1~pre", 1], ["1.0^git1~pre", "1.0^git1", -1],
];

const PARTS = [
  "0", "1", "2", "9", "10", "01", "007", "123456789012345678901", "a", "b", "z", "A", "Z", "rc", "git", "el",
  "~", "^", ".", ".", "_", "+",
];

/** Versions from the parts above with a fixed seed, some with an epoch, most with a release. */
function generatedVersions(count: number): string[] {
  const random = seededRandom(0x4e4d);
  const field = (): string => Array.from({ length: 1 + Math.floor(random() * 4) }, () => pick(random, PARTS)).join("");
  const versions: string[] = [];
  while (versions.length < count) {
    const epoch = random() < 0.2 ? `${pick(random, ["0", "1", "2", "10"])}:` : "";
    const release = random() < 0.7 ? `-${field()}` : "";
    const version = `${epoch}${field()}${release}`;
    if (rpm.isValid(version)) versions.push(version);
  }
  return versions;
}

const REAL_VERSIONS = [
  "3.6.8-51.el8_8.1", "3.6.8-51.el8_8.2", "3.6.8-56.el8_9.3", "1:1.1.1k-7.el8_6", "1:1.1.1k-12.el8_9", "1:3.0.7-24.el9", "0:1.2.3-4.el9",
  "2.28-225.el8", "2.28-225.el8_8.6", "2.34-60.el9_2.7", "5.14.0-362.8.1.el9_3", "5.14.0-362.13.1.el9_3", "7.61.1-34.el8_10.2",
  "1.0.0^20230101git1234abc-1.fc39", "1.0.0~rc1-1.fc39", "1.0.0-1.fc39",
];

const POOL = [...new Set([...RPMVERCMP_AT.flatMap(([a, b]) => [a, b]), ...REAL_VERSIONS, ...generatedVersions(300)])];

function oraclePairs(): Array<[string, string]> {
  const random = seededRandom(7);
  const sorted = [...POOL].sort(rpm.compare);
  const neighbours = sorted.slice(1).map((version, i): [string, string] => [sorted[i], version]);
  const randomPairs = Array.from({ length: 2000 }, (): [string, string] => [pick(random, POOL), pick(random, POOL)]);
  return [...neighbours, ...randomPairs];
}

const ORACLE_PAIRS = oraclePairs();

describe("rpm", () => {
  test(`agrees with rpm's own rpmvercmp.at on its ${RPMVERCMP_AT.length} cases`, () => {
    for (const [a, b, expected] of RPMVERCMP_AT) expect(judged(rpm, a, b)).toBe(`${a} ${verdict(expected)} ${b}`);
  });

  test("epoch first (missing is 0), then version, then release; a missing release sorts first", () => {
    expectAscending(rpm, ["1.0", "1.0-0", "1.0-1", "1.0-1.el9", "1.0-2", "1.0.1-1", "2.0-1", "1:0.1-1", "2:0-0"]);
    expect(judged(rpm, "0:1.0-1", "1.0-1")).toBe("0:1.0-1 = 1.0-1");
    expect(judged(rpm, "01:1.0-1", "1:1.0-1")).toBe("01:1.0-1 = 1:1.0-1");
  });

  test("RHEL-style releases", () => {
    expectAscending(rpm, ["3.6.8-51.el8_8.1", "3.6.8-51.el8_8.2", "3.6.8-56.el8_9.3", "3.6.8-56.el8_10"]);
    expectAscending(rpm, ["1:1.1.1k-7.el8_6", "1:1.1.1k-12.el8_9", "1:3.0.7-24.el9"]);
    expectAscending(rpm, ["5.14.0-362.8.1.el9_3", "5.14.0-362.13.1.el9_3", "5.14.0-427.13.1.el9_4"]);
  });

  test.each(["1", "1.0", "1.0-1", "1:1.0-1", "0:1.0", "1.0~rc1^git2-1.fc39", "a", "2_0", "+"])("accepts %j", (version) => {
    expect(rpm.isValid(version)).toBe(true);
  });

  test.each(["", "-1", "1.0-", "1:", ":1.0", "a:1.0", "1.0-1-1", "1.0 ", "1.0-1 ", "1:2:3", "1.0%{?dist}", "1.0-é"])("refuses %j", (version) => {
    expect(rpm.isValid(version)).toBe(false);
    expect(() => rpm.compare("1.0", version)).toThrow(InvalidVersionError);
  });

  test(`answers as one total order on ${POOL.length} versions`, () => {
    expectTotalOrder(rpm, POOL);
  });

  test(`agrees with rpm.vercmp (rpm --eval) on every one of ${ORACLE_PAIRS.length} pairs`, async () => {
    const oracle = await rpmVerdicts(ORACLE_PAIRS);
    const disagreements = ORACLE_PAIRS.flatMap(([a, b], i) => {
      const ours = verdict(rpm.compare(a, b));
      return ours === oracle[i] ? [] : [`${a} ${ours} ${b}, rpm says ${oracle[i]}`];
    });
    expect(disagreements).toEqual([]);
  }, 60_000);
});
