import { readdirSync, readFileSync } from "node:fs";
import { fixturePath } from "../../../test/helpers/fixtures";
import { pep440 } from "./pep440";
import { expectAscending, expectEquivalent, expectTotalOrder } from "./test-support/ordering";
import { InvalidVersionError } from "./version-scheme";

/** PEP 440's summary of permitted suffixes and relative ordering, in order. */
const PEP_440_EXAMPLE = [
  "1.0.dev456", "1.0a1", "1.0a2.dev456", "1.0a12.dev456", "1.0a12", "1.0b1.dev456", "1.0b2", "1.0b2.post345.dev456", "1.0b2.post345",
  "1.0rc1.dev456", "1.0rc1", "1.0", "1.0+abc.5", "1.0+abc.7", "1.0+5", "1.0.post456.dev34", "1.0.post456", "1.0.15", "1.1.dev1",
];

/** Every version in the PyPI OSV records among the fixtures: range events and affected version lists. */
function osvVersions(): string[] {
  const dir = fixturePath("osv", "PyPI");
  return readdirSync(dir).flatMap((file) => {
    const record = JSON.parse(readFileSync(`${dir}/${file}`, "utf8")) as {
      affected: Array<{ versions?: string[]; ranges?: Array<{ type: string; events: Array<Record<string, string>> }> }>;
    };
    return record.affected.flatMap((affected) => [
      ...(affected.versions ?? []),
      ...(affected.ranges ?? [])
        .filter((range) => range.type === "ECOSYSTEM")
        .flatMap((range) => range.events.flatMap((event) => Object.values(event))),
    ]);
  });
}

describe("pep440", () => {
  test("PEP 440's ordering example", () => {
    expectAscending(pep440, PEP_440_EXAMPLE);
  });

  test("epochs come first; release segments compare padded with zeros", () => {
    expectAscending(pep440, ["0.9", "1.0", "1.0.1", "1.1", "1.10", "2.0", "2013.10", "2014.04", "1!0.1", "1!1.0", "2!0.0.1"]);
    expectEquivalent(pep440, ["1.0", "1.0.0", "1.0.0.0", "1", "0!1.0", "v1.0", "V1.0.0"]);
  });

  test.each([
    [["1.0-RC1", "1.0rc1", "1.0.rc1", "1.0_rc_1", "1.0c1", "1.0pre1", "1.0preview1", "1.0-rc.1", "1.0RC1"]],
    [["1.0a1", "1.0alpha1", "1.0.alpha.1", "1.0-a-1", "1.0A1"]],
    [["1.0b0", "1.0b", "1.0beta", "1.0-beta"]],
    [["1.0.post1", "1.0post1", "1.0-1", "1.0-post1", "1.0.rev1", "1.0r1", "1.0_post_1"]],
    [["1.0.post0", "1.0.post", "1.0-post"]],
    [["1.0.dev1", "1.0dev1", "1.0-dev1", "1.0_dev_1", "1.0.DEV1"]],
    [["1.0+ubuntu-1", "1.0+ubuntu.1", "1.0+Ubuntu_1", "1.0+UBUNTU.01"]],
  ])("normalisation: %j are equal", (versions) => {
    expectEquivalent(pep440, versions);
  });

  test("local versions: after their public version, segment by segment, numbers above letters, longer above its prefix", () => {
    expectAscending(pep440, ["1.0", "1.0+0abc", "1.0+abc", "1.0+abc.1", "1.0+abc.2", "1.0+abc.10", "1.0+abd", "1.0+1"]);
    expectAscending(pep440, ["1.0+1", "1.0+1.abc", "1.0+1.1", "1.0+2", "1.0.post1"]);
    expectAscending(pep440, ["2.0.1", "2.0.1+cpu", "2.0.1+cu117", "2.0.1+cu118", "2.0.2"]);
  });

  test("local segments JavaScript would read as numbers stay letters: 1e5, 0x1f, infinity", () => {
    expectAscending(pep440, ["1.0+0x1f", "1.0+1e5", "1.0+infinity", "1.0+0", "1.0+2"]);
  });

  test("big numbers, up to what a JavaScript number holds exactly", () => {
    expectAscending(pep440, ["1.0", "1.9007199254740990", "1.9007199254740991", "20230101123456"]);
    expectAscending(pep440, ["1.0+9007199254740991", "1.0+9007199254740992", "1.0+99999999999999999999"]);
  });

  test.each(["1.0", "1.0.0.0.0", "1!2.0", "1.0a1", "1.0.post1.dev2", "1.0+local.1", "v1.0", "2023.10.31", "0", "1.0-1", "1.0RC1"])(
    "accepts %j",
    (version) => {
      expect(pep440.isValid(version)).toBe(true);
    },
  );

  test.each([
    "", " 1.0", "1.0 ", "a1.0", "1.0.", "1..0", ".1", "1.0+", "1.0+abc..1", "1.0+abc-", "1.0.dev1.post1", "1.0-foo", "1.0a1b1", "1.0+é",
    "!1.0", "1.0!", "1.9007199254740992", "99999999999999999999.0",
  ])("refuses %j", (version) => {
    expect(pep440.isValid(version)).toBe(false);
    expect(() => pep440.compare(version, "1.0")).toThrow(InvalidVersionError);
  });

  test("the versions of the fixtures' PyPI OSV records are valid and, with the examples, totally ordered", () => {
    const versions = osvVersions();
    expect(versions.length).toBeGreaterThan(300);
    expect(versions.filter((version) => !pep440.isValid(version))).toEqual([]);
    expectTotalOrder(pep440, [...versions, ...PEP_440_EXAMPLE]);
  });
});
