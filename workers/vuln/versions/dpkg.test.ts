import { readdirSync, readFileSync } from "node:fs";
import { fixturePath } from "../../../test/helpers/fixtures";
import { dpkg } from "./dpkg";
import { dpkgVerdicts } from "./test-support/oracles";
import { expectAscending, expectEquivalent, expectTotalOrder, pick, seededRandom, verdict } from "./test-support/ordering";
import { InvalidVersionError } from "./version-scheme";

/** Every `Version:` and `Source: name (version)` in the Debian package databases of the fixtures, and every version in the Debian OSV records. */
function fixtureVersions(): string[] {
  const databases = [
    fixturePath("pkgdb", "debian-12", "var", "lib", "dpkg", "status"),
    fixturePath("pkgdb", "debian-12-excerpt", "var", "lib", "dpkg", "status"),
    fixturePath("pkgdb", "distroless-debian11", "var", "lib", "dpkg", "status.d", "libsqlite3-0"),
  ].map((file) => readFileSync(file, "utf8"));
  const fromDatabases = databases.flatMap((text) => [
    ...[...text.matchAll(/^Version: (\S+)$/gm)].map((match) => match[1]),
    ...[...text.matchAll(/^Source: \S+ \((\S+)\)$/gm)].map((match) => match[1]),
  ]);
  const osvDir = fixturePath("osv", "Debian");
  const fromOsv = readdirSync(osvDir).flatMap((file) => {
    const record = JSON.parse(readFileSync(`${osvDir}/${file}`, "utf8")) as {
      affected: Array<{ versions?: string[]; ranges?: Array<{ events: Array<Record<string, string>> }> }>;
    };
    return record.affected.flatMap((affected) => [
      ...(affected.versions ?? []),
      ...(affected.ranges ?? []).flatMap((range) => range.events.flatMap((event) => Object.values(event))),
    ]);
  });
  return [...new Set([...fromDatabases, ...fromOsv])];
}

/** Hand-picked corners of the ordering: tildes, epochs, empty and zero revisions, leading zeros, long digit runs, letters against other characters. */
const EDGE_VERSIONS = [
  "0", "00", "0.0", "1", "01", "001", "1.0", "1.00", "1.0.0", "1.0.", "1.0..1", "1.0a", "1.0A", "1.0Z", "1.0z", "1.0+", "1.0.a",
  "1.0~", "1.0~~", "1.0~~a", "1.0~a", "1.0~rc1", "1.0~rc1~git1", "1.0~rc10", "1.0~rc2", "1.0+dfsg", "1.0+dfsg1", "1.0a~", "1.0a+",
  "1.0-0", "1.0-00", "1.0-1", "1.0-01", "1.0-1~bpo11+1", "1.0-1+b1", "1.0-1.1", "1.0-1a", "1.0-a", "1.0-A", "1.0-~", "1.0-0~", "1.0-+",
  "1.0-1-1", "1.0-1-1~", "1:1.0:2", "1:1.0:2-3", "0:1.0", "00:1.0", "1:0", "1:1.0", "01:1.0", "2:0.1", "10:0", "2147483647:1",
  "a1.0", "a", "~1", "+1", ".1", "1.2.3~alpha", "1.2.3~beta", "1.2.3~beta2", "1.2.3", "1.2.3+really1.2.2",
  "99999999999999999999999", "99999999999999999999998", "100000000000000000000000", "1.99999999999999999999", "1.100000000000000000000",
  "0.0000000000001", "0.00000000000010", "20230101000000000000000.1", "1.0-20230101000000000000000",
];

const PARTS = [
  "0", "1", "2", "9", "10", "01", "007", "12345678901234567890123", "a", "b", "z", "A", "Z",
  "~", "~~", "+", ".", ".", "rc", "dfsg", "deb12u1",
];

/** Versions made of the parts above, with a fixed seed: some with epochs, revisions, or hyphens and colons inside the upstream version. */
function generatedVersions(count: number): string[] {
  const random = seededRandom(0xdeb);
  const parts = (n: number): string => Array.from({ length: n }, () => pick(random, PARTS)).join("");
  const versions: string[] = [];
  while (versions.length < count) {
    const epoch = random() < 0.2 ? `${pick(random, ["0", "1", "2", "10"])}:` : "";
    const hasRevision = random() < 0.6;
    const inner = epoch && random() < 0.1 ? ":" : hasRevision && random() < 0.1 ? "-" : "";
    const start = pick(random, ["0", "1", "2", "10", "a"]);
    const upstream = `${start}${parts(Math.floor(random() * 4))}${inner}${parts(Math.floor(random() * 3))}`;
    const revision = hasRevision ? `-${pick(random, ["0", "1", "a", "~"])}${parts(Math.floor(random() * 3))}` : "";
    const version = `${epoch}${upstream}${revision}`;
    if (dpkg.isValid(version)) versions.push(version);
  }
  return versions;
}

const FIXTURE_VERSIONS = fixtureVersions();
const POOL = [...new Set([...FIXTURE_VERSIONS, ...EDGE_VERSIONS, ...generatedVersions(400)])];

/** Neighbours in our own order (where a wrong answer would show), near misses of real versions, equal pairs, and random pairs. */
function oraclePairs(): Array<[string, string]> {
  const random = seededRandom(12);
  const sorted = [...POOL].sort(dpkg.compare);
  const neighbours = sorted.slice(1).map((version, i): [string, string] => [sorted[i], version]);
  const nearMisses = FIXTURE_VERSIONS.flatMap((version): Array<[string, string]> => [
    [version, `${version}~`],
    [version, `${version}+b1`],
    [version, `${version}.0`],
    [version, version.includes(":") ? version.replace(/^\d+/, (epoch) => String(Number(epoch) + 1)) : `1:${version}`],
    [version, version.replace(/\d+(?=\D*$)/, (digits) => String(Number(digits) + 1))],
    [version, version],
  ]).filter(([, nearMiss]) => dpkg.isValid(nearMiss));
  const randomPairs = Array.from({ length: 1800 }, (): [string, string] => [pick(random, POOL), pick(random, POOL)]);
  return [...neighbours, ...nearMisses, ...randomPairs];
}

const ORACLE_PAIRS = oraclePairs();

describe("dpkg", () => {
  test.each([
    "1.0", "1:1.0", "1.0-1", "1:1.0-1", "2.36.1-8+deb11u1", "1.0~rc1", "1.0-1~bpo11+1", "1:1.0:2-3", "1.0-1-1", "0", "a1.0",
    "2147483647:1", "9".repeat(40),
  ])("accepts %j", (version) => {
    expect(dpkg.isValid(version)).toBe(true);
  });

  test.each([
    ["", "empty"],
    [" 1.0", "whitespace"],
    ["1.0 ", "whitespace"],
    ["1. 0", "whitespace"],
    [":1.0", "epoch"],
    ["a:1.0", "epoch"],
    ["-1:1.0", "epoch"],
    ["2147483648:1.0", "too big"],
    ["1:", "nothing after the epoch"],
    ["1.0-", "revision"],
    ["-1", "upstream version is empty"],
    ["1:-1", "upstream version is empty"],
    ["1.0_1", "character in the upstream"],
    ["1.0@", "character in the upstream"],
    ["1.0é", "character in the upstream"],
    ["1:1.0-1:2", "character in the revision"],
    ["1.0-1_2", "character in the revision"],
  ])("refuses %j (%s)", (version, reason) => {
    expect(dpkg.isValid(version)).toBe(false);
    expect(() => dpkg.compare(version, "1.0")).toThrow(InvalidVersionError);
    expect(() => dpkg.compare("1.0", version)).toThrow(reason);
  });

  test("Policy §5.6.12's example: ~~ < ~~a < ~ < (end) < a, in upstream versions and in revisions", () => {
    expectAscending(dpkg, ["1.0~~", "1.0~~a", "1.0~", "1.0", "1.0a"]);
    expectAscending(dpkg, ["1.0-1~~", "1.0-1~~a", "1.0-1~", "1.0-1", "1.0-1a"]);
  });

  test.each([
    [["1.0", "1.00", "01.0", "0:1.0", "00:1.0", "1.0-0", "1.0-00"]],
    [["0", "00", "0-0"]],
    [["1.99999999999999999999", "1.099999999999999999999"]],
  ])("equal: %j", (versions) => {
    expectEquivalent(dpkg, versions);
  });

  test.each([
    [["1.0~rc1", "1.0", "1.0+dfsg", "1.0.1", "1:0.1"]],
    [["1.0-1", "1.0-1+b1", "1.0-1.1", "1.0-2~bpo11+1", "1.0-2"]],
    [["1.0", "1.0a", "1.0z", "1.0+", "1.0."]],
    [["1.0A", "1.0Z", "1.0a", "1.0z"]],
    [["9", "10", "99999999999999999998", "99999999999999999999", "100000000000000000000"]],
    [["1.0-1", "1.0-1.1", "1.0-1-1"]],
    [["1.2.3", "1.2.3+really1.2.2", "1.2.4~rc1"]],
  ])("ascending: %j", (versions) => {
    expectAscending(dpkg, versions);
  });

  test(`the fixture versions (${FIXTURE_VERSIONS.length}) are all valid`, () => {
    expect(FIXTURE_VERSIONS.length).toBeGreaterThan(100);
    expect(FIXTURE_VERSIONS.filter((version) => !dpkg.isValid(version))).toEqual([]);
  });

  test(`answers as one total order on ${POOL.length} fixture, edge and generated versions`, () => {
    expectTotalOrder(dpkg, POOL);
  });

  test(`agrees with dpkg --compare-versions on every one of ${ORACLE_PAIRS.length} pairs`, async () => {
    expect(ORACLE_PAIRS.length).toBeGreaterThanOrEqual(2000);
    const oracle = await dpkgVerdicts(ORACLE_PAIRS);
    const disagreements = ORACLE_PAIRS.flatMap(([a, b], i) => {
      const ours = verdict(dpkg.compare(a, b));
      return ours === oracle[i] ? [] : [`${a} ${ours} ${b}, dpkg says ${oracle[i]}`];
    });
    expect(disagreements).toEqual([]);
  }, 120_000);
});
