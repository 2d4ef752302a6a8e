import { semver } from "./semver";
import { expectAscending, expectEquivalent, expectTotalOrder } from "./test-support/ordering";
import { InvalidVersionError } from "./version-scheme";

describe("semver", () => {
  test("semver.org 2.0.0 §11's precedence example", () => {
    expectAscending(semver, [
      "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0",
    ]);
  });

  test("§11: major, minor, patch numerically; a prerelease below its release", () => {
    expectAscending(semver, ["0.0.0", "0.0.1", "0.1.0", "0.9.0", "0.10.0", "1.0.0-0", "1.0.0", "1.9.0", "1.10.0", "1.11.0"]);
    expectAscending(semver, ["1.11.0", "2.0.0", "2.1.0", "2.1.1", "10.0.0"]);
  });

  test("prerelease identifiers: numbers numerically and below alphanumerics, which compare in ASCII order; more fields is higher", () => {
    expectAscending(semver, ["1.0.0-0", "1.0.0-1", "1.0.0-2", "1.0.0-10", "1.0.0-A", "1.0.0-Z", "1.0.0-a", "1.0.0-a.0", "1.0.0-a.0.0"]);
    expectAscending(semver, ["1.0.0-a.0.0", "1.0.0-a-b", "1.0.0-z"]);
    expectAscending(semver, ["1.0.0-rc.9", "1.0.0-rc.10", "1.0.0-rc.9007199254740991"]);
    expectAscending(semver, ["5.0.0-alpha.1", "5.0.0-beta.3", "5.0.0"]);
  });

  test("§10: build metadata is ignored", () => {
    expectEquivalent(semver, ["1.0.0", "1.0.0+build", "1.0.0+20130313144700", "1.0.0+exp.sha.5114f85", "1.0.0+21AF26D3---117B3"]);
    expectEquivalent(semver, ["1.0.0-beta+exp.sha.5114f85", "1.0.0-beta"]);
  });

  test.each([
    "0.0.0", "1.2.3", "10.20.30", "1.1.2-prerelease+meta", "1.0.0-alpha.1", "1.0.0-0A.is.legal", "1.0.0-x-y-z.--", "2.0.0+build.1848",
    "1.2.3----RC-SNAPSHOT.12.9.1--.12+788", "9007199254740991.0.0",
  ])("accepts %j", (version) => {
    expect(semver.isValid(version)).toBe(true);
  });

  test.each([
    "", "0", "1", "1.2", "1.2.3.4", "v1.2.3", "=1.2.3", " 1.2.3", "1.2.3 ", "01.2.3", "1.02.3", "1.2.03", "1.2.3-01", "1.2.3-", "1.2.3+",
    "1.2.3-a..b", "1.2.3+a..b", "1.2.3-é", "1.2.3.DEV", "1.2-SNAPSHOT", "1.2.31.2.3----RC-SNAPSHOT.12.09.1--..12+788", "latest", "^1.2.3", "1.x",
    "9007199254740992.0.0", "1.0.0-9007199254740992", `1.0.0-${"9".repeat(30)}`,
  ])("refuses %j rather than coerce it", (version) => {
    expect(semver.isValid(version)).toBe(false);
    expect(() => semver.compare(version, "1.0.0")).toThrow(InvalidVersionError);
  });

  test("one total order over all the versions above", () => {
    expectTotalOrder(semver, [
      "0.0.0", "0.0.1", "1.0.0-0", "1.0.0-1", "1.0.0-10", "1.0.0-A", "1.0.0-a", "1.0.0-a.0", "1.0.0-a-b", "1.0.0-alpha", "1.0.0-alpha.1",
      "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.11", "1.0.0-beta.2", "1.0.0-rc.1", "1.0.0", "1.0.0+build", "1.0.0+exp.sha.5114f85", "1.10.0", "1.9.0", "2.0.0",
    ]);
  });
});
