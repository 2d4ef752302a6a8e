import { maven } from "./maven";
import { expectAscending, expectEquivalent, expectTotalOrder, judged, pick, seededRandom } from "./test-support/ordering";
import { InvalidVersionError } from "./version-scheme";

/**
 * Maven's ComparableVersionTest (Maven 4): VERSIONS_QUALIFIER and
 * VERSIONS_NUMBER, each in ascending order. Maven 3's VERSIONS_NUMBER put
 * "2-1" before "2.0.a" and had "2.0.0.a" after it: with ".qualifier" =
 * "-qualifier", as the specification now orders them, "2.0.a" = "2-a" <
 * "2-1", and "2.0.0.a" = "2.0.a".
 */
const VERSIONS_QUALIFIER = [
  "1-alpha2snapshot", "1-alpha2", "1-alpha-123", "1-beta-2", "1-beta123", "1-m2", "1-m11", "1-rc", "1-cr2", "1-rc123", "1-SNAPSHOT", "1",
  "1-sp", "1-sp2", "1-sp123", "1-abc", "1-def", "1-pom-1", "1-1-snapshot", "1-1", "1-2", "1-123",
];
const VERSIONS_NUMBER = [
  "2.0", "2.0.a", "2-1", "2.0.2", "2.0.123", "2.1.0", "2.1-a", "2.1b", "2.1-c", "2.1-1", "2.1.0.1", "2.2", "2.123", "11.a2", "11.a11",
  "11.b2", "11.b11", "11.m2", "11.m11", "11", "11.a", "11b", "11c", "11m",
];

describe("maven", () => {
  test("the specification's end result examples", () => {
    expectAscending(maven, ["1", "1.1"]);
    expectAscending(maven, ["1-snapshot", "1", "1-sp"]);
    expectAscending(maven, ["1-foo2", "1-foo10"]);
    expectEquivalent(maven, ["1.foo", "1-foo"]);
    expectAscending(maven, ["1-foo", "1-1", "1.1"]);
    expectEquivalent(maven, ["1.ga", "1-ga", "1-0", "1.0", "1"]);
    expectAscending(maven, ["1-ga", "1-sp"]);
    expectAscending(maven, ["1-ga.1", "1-sp.1"]);
    expectAscending(maven, ["1-sp-1", "1-ga-1"]);
    expectEquivalent(maven, ["1-ga-1", "1-1"]);
    expectEquivalent(maven, ["1-a1", "1-alpha-1"]);
  });

  test("the specification's splitting and trimming examples", () => {
    expectEquivalent(maven, ["1-1.foo-bar1baz-.1", "1-1.foo-bar-1-baz-0.1"]);
    expectEquivalent(maven, ["1.0.0", "1.ga", "1.final", "1.0", "1.", "1-", "1"]);
    expectEquivalent(maven, ["1.0.0-foo.0.0", "1-foo"]);
    expectEquivalent(maven, ["1.0.0-0.0.0", "1"]);
  });

  test("ComparableVersionTest: qualifiers in order", () => {
    expectAscending(maven, VERSIONS_QUALIFIER);
  });

  test("ComparableVersionTest: numbers in order", () => {
    expectAscending(maven, VERSIONS_NUMBER);
  });

  test.each([
    [["1", "1.0", "1.0.0", "1-0", "1.0-0"]],
    [["1a", "1-a", "1.0-a", "1.0.0-a", "1.0a", "1.0.0a", "1A"]],
    [["1x", "1-x", "1.0-x", "1.0.0-x", "1.0x", "1.0.0x", "1X"]],
    [["1ga", "1release", "1final", "1", "1Ga", "1GA", "1RELEASE", "1RELeaSE", "1Final", "1FinaL", "1FINAL"]],
    [["1cr", "1rc", "1Cr", "1Rc", "1cR", "1rC"]],
    [["1a1", "1-alpha-1", "1ALPHA1", "1Alpha1"]],
    [["1b2", "1-beta-2"]],
    [["1m3", "1-milestone-3", "1Milestone3", "1MileStone3", "1MILESTONE3"]],
    [["1-abcdefghijklmnopqrstuvwxyz", "1-ABCDEFGHIJKLMNOPQRSTUVWXYZ"]],
    [["0000000000000000001", "000000001", "01", "1"]],
    [["0000000000000000000", "00", "0", "0.0.0", "0-final-ga", "0.0.0-0.0.0"]],
    [["1.1", "1.01", "1.001"]],
    [["1-1", "1-01", "1-001"]],
  ])("ComparableVersionTest: equal %j", (versions) => {
    expectEquivalent(maven, versions);
  });

  test.each([
    ["1", "2"], ["1.5", "2"], ["1", "2.5"], ["1.0", "1.1"], ["1.1", "1.2"], ["1.0.0", "1.1"], ["1.0.1", "1.1"], ["1.1", "1.2.0"],
    ["1.0-alpha-1", "1.0"], ["1.0-alpha-1", "1.0-alpha-2"], ["1.0-alpha-1", "1.0-beta-1"], ["1.0-beta-1", "1.0-SNAPSHOT"], ["1.0-SNAPSHOT", "1.0"],
    ["1.0-alpha-1-SNAPSHOT", "1.0-alpha-1"], ["1.0", "1.0-1"], ["1.0-1", "1.0-2"], ["1.0.0", "1.0-1"], ["2.0-1", "2.0.1"], ["2.0.1-klm", "2.0.1-lmn"],
    ["2.0.1", "2.0.1-xyz"], ["2.0.1", "2.0.1-123"], ["2.0.1-xyz", "2.0.1-123"], ["0.7", "2"], ["0.2", "1.0.7"],
  ])("ComparableVersionTest: %s < %s", (a, b) => {
    expectAscending(maven, [a, b]);
  });

  test("ComparableVersionTest: MNG-5568, MNG-6572 and MNG-6964", () => {
    expectAscending(maven, ["6.1.0rc3", "6.1.0", "6.1H.5-beta"]);
    expectAscending(maven, ["20190126.230843", "1234567890.12345", "123456789012345.1H.5-beta", "12345678901234567890.1H.5-beta"]);
    expectAscending(maven, ["1-0.alpha", "1-0.beta", "1"]);
  });

  test("qualifiers against numbers and the release; unknown qualifiers after the known ones, lexically", () => {
    expectAscending(maven, ["1.0-alpha", "1.0-beta", "1.0-milestone", "1.0-rc", "1.0-snapshot", "1.0", "1.0-sp", "1.0-aardvark", "1.0-zebra"]);
    expectAscending(maven, ["1.0-zebra", "1.0-0.1", "1.0-1", "1.0.1"]);
    expectAscending(maven, ["1.0.alpha", "1.0", "1.0.foo", "1.0.1"]);
    expectAscending(maven, ["0.0.0-2021-05-17T01-01-51-5ec03a8b", "20.0.0"]);
    expect(judged(maven, "2.13.4.2", "2.13.4")).toBe("2.13.4.2 > 2.13.4");
    expect(judged(maven, "1.2.3.RELEASE", "1.2.3")).toBe("1.2.3.RELEASE = 1.2.3");
    expect(judged(maven, "5.3.0.Final", "5.3.0.CR1")).toBe("5.3.0.Final > 5.3.0.CR1");
  });

  test("one total order over every version above", () => {
    expectTotalOrder(maven, [
      ...VERSIONS_QUALIFIER, ...VERSIONS_NUMBER, "1.foo", "1-foo", "1-foo2", "1-foo10", "1-sp.1", "1-ga.1", "1-sp-1", "1-ga-1", "1-0.alpha",
      "1.0.alpha", "1.0.foo", "6.1.0rc3", "6.1.0", "6.1H.5-beta", "1.2.3.RELEASE", "1.2.3", "2.13.4.2", "2.13.4", "0", "1.0-0.1", "1-a", "1-a1",
    ]);
  });

  test("one total order over 1,500 generated versions (numbers, qualifiers, aliases, both separators)", () => {
    const random = seededRandom(0x3a7e);
    const parts = [
      "0", "1", "2", "10", "01", "a", "b", "m", "alpha", "rc", "cr", "snapshot", "ga", "final", "sp", "foo", "x",
      ".", "-", ".", "-",
    ];
    const generated = (): string => Array.from({ length: 1 + Math.floor(random() * 6) }, () => pick(random, parts)).join("");
    for (let round = 0; round < 5; round++) {
      const versions = Array.from({ length: 300 }, generated);
      expectTotalOrder(maven, versions);
    }
  });

  test.each(["1", "1.0", "foo", "1.0-SNAPSHOT", "-", ".", "1..", "2.13.4.2", "1.0+build", "1_0"])("accepts %j", (version) => {
    expect(maven.isValid(version)).toBe(true);
  });

  test.each(["", " ", "1.0 ", " 1.0", "1. 0", "1.0\t"])("refuses %j", (version) => {
    expect(maven.isValid(version)).toBe(false);
    expect(() => maven.compare(version, "1.0")).toThrow(InvalidVersionError);
  });
});
