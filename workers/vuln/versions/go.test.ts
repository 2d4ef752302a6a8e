import { go } from "./go";
import { expectAscending, expectEquivalent } from "./test-support/ordering";
import { InvalidVersionError } from "./version-scheme";

describe("go", () => {
  test("module versions order as semver", () => {
    expectAscending(go, ["v0.0.1", "v0.1.0", "v0.9.0", "v0.10.0", "v1.0.0-rc.1", "v1.0.0", "v1.2.3", "v1.10.0"]);
    expectAscending(go, ["v1.10.0", "v2.0.0+incompatible", "v2.0.1+incompatible", "v10.0.0"]);
  });

  test("pseudo-versions sort by their prerelease: before the release they build towards, after the one they build on, by timestamp", () => {
    expectAscending(go, [
      "v0.0.0-20190101000000-aaaaaaaaaaaa",
      "v0.0.0-20230101000000-abcdef123456",
      "v0.0.0-20230101000001-000000000000",
      "v1.2.3",
      "v1.2.4-0.20230101000000-abcdef123456",
      "v1.2.4-0.20230102000000-abcdef123456",
      "v1.2.4-pre",
      "v1.2.4-pre.0.20230101000000-abcdef123456",
      "v1.2.4",
    ]);
  });

  test("+incompatible is build metadata: ignored", () => {
    expectEquivalent(go, ["v2.3.4+incompatible", "v2.3.4"]);
    expectEquivalent(go, ["v4.0.0-20230101000000-abcdef123456+incompatible", "v4.0.0-20230101000000-abcdef123456"]);
  });

  test("toolchain versions as OSV writes them for stdlib and toolchain: no v, and 1.20 is 1.20.0", () => {
    expectAscending(go, ["1.19.10", "1.20.0-rc.1", "1.20", "1.20.1", "1.20.5", "1.21.0-rc.2", "1.21.0", "1.21.13", "1.22.0"]);
    expectEquivalent(go, ["1.20", "1.20.0", "v1.20.0"]);
  });

  test.each([
    "v1.2.3", "v0.0.0-20230101000000-abcdef123456", "v1.2.4-0.20230101000000-abcdef123456", "v2.0.0+incompatible", "v1.0.0-rc.1",
    "1.20.5", "1.20", "1.21.0-rc.2", "0.0.0",
  ])("accepts %j", (version) => {
    expect(go.isValid(version)).toBe(true);
  });

  test.each([
    "", "v1", "v1.2", "V1.2.3", "v1.2.3.4", "v01.2.3", "v1.2.3+meta", "v1.2.3+incompatible.1", "1.2.3+incompatible", "vv1.2.3", " v1.2.3", "v1.2.3 ",
    "go1.20.5", "go1.20", "1.21rc2", "1", "1.20.", "latest", "v1.2.3-", "v1.2.3-01",
  ])("refuses %j", (version) => {
    expect(go.isValid(version)).toBe(false);
    expect(() => go.compare(version, "v1.0.0")).toThrow(InvalidVersionError);
  });
});
