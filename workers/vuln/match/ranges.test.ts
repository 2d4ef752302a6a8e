import type { OsvRange } from "../osv/record";
import { InvalidVersionError, type VersionScheme } from "../versions/version-scheme";
import { type AffectedVerdict, affectedBy, affectedByAny } from "./ranges";
import { numericScheme } from "./test-support/numeric-scheme";
import { affectedEntry, ecosystemRange, gitRange, semverRange } from "./test-support/osv-builders";

/** A scheme that can read nothing: a range ordered by it can only be skipped. */
const unreadable: VersionScheme = {
  name: "unreadable",
  isValid: () => false,
  compare: (a) => {
    throw new InvalidVersionError("unreadable", a);
  },
};

const schemes = { ecosystem: numericScheme, semver: numericScheme };
const affected = (fixedVersion: string | null): AffectedVerdict => ({ affected: true, fixedVersion });
const unaffected: AffectedVerdict = { affected: false };

describe("affectedBy", () => {
  describe.each<[string, OsvRange[], Array<[string, AffectedVerdict]>]>([
    [
      "introduced 0, fixed 1.2",
      [ecosystemRange({ introduced: "0" }, { fixed: "1.2" })],
      [
        ["0", affected("1.2")],
        ["0.0.1", affected("1.2")],
        ["1.1.9", affected("1.2")],
        ["1.2", unaffected],
        ["1.2.0", unaffected],
        ["2", unaffected],
      ],
    ],
    [
      "introduced 1.0 (included), fixed 1.2 (excluded)",
      [ecosystemRange({ introduced: "1.0" }, { fixed: "1.2" })],
      [
        ["0.9", unaffected],
        ["1.0", affected("1.2")],
        ["1.1", affected("1.2")],
        ["1.2", unaffected],
      ],
    ],
    [
      "last_affected 1.5 (included, no fix known)",
      [ecosystemRange({ introduced: "1.0" }, { last_affected: "1.5" })],
      [
        ["0.9", unaffected],
        ["1.0", affected(null)],
        ["1.5", affected(null)],
        ["1.5.1", unaffected],
      ],
    ],
    ["introduced 0 alone: every version", [ecosystemRange({ introduced: "0" })], [["0", affected(null)], ["999.1", affected(null)]]],
    [
      "two intervals in one range, events out of order",
      [ecosystemRange({ fixed: "4.0" }, { introduced: "3.0" }, { fixed: "2.0" }, { introduced: "1.0" })],
      [
        ["0.5", unaffected],
        ["1.5", affected("2.0")],
        ["2.5", unaffected],
        ["3.0", affected("4.0")],
        ["4.0", unaffected],
      ],
    ],
    [
      "introduced twice before the fix: the fix closes both",
      [ecosystemRange({ introduced: "1.0" }, { introduced: "3.0" }, { fixed: "4.0" })],
      [
        ["2.0", affected("4.0")],
        ["3.5", affected("4.0")],
      ],
    ],
    [
      "limit 2.0 bounds an open range",
      [ecosystemRange({ introduced: "0" }, { limit: "2.0" })],
      [
        ["1.9", affected(null)],
        ["2.0", unaffected],
      ],
    ],
    [
      "limit * is infinity",
      [ecosystemRange({ introduced: "1.0" }, { limit: "*" })],
      [
        ["0.1", unaffected],
        ["50", affected(null)],
      ],
    ],
    [
      "below any one of several limits",
      [ecosystemRange({ introduced: "0" }, { limit: "1.0" }, { limit: "3.0" })],
      [
        ["2.5", affected(null)],
        ["3.0", unaffected],
      ],
    ],
    [
      "limit with a fix inside it",
      [ecosystemRange({ introduced: "0" }, { fixed: "1.5" }, { limit: "3.0" })],
      [
        ["1.0", affected("1.5")],
        ["2.0", unaffected],
      ],
    ],
    [
      "ranges are OR-ed, each with its own fix",
      [ecosystemRange({ introduced: "1.0" }, { fixed: "1.2" }), ecosystemRange({ introduced: "2.0" }, { fixed: "2.3" })],
      [
        ["1.1", affected("1.2")],
        ["1.5", unaffected],
        ["2.1", affected("2.3")],
      ],
    ],
    [
      "overlapping ranges: the fix that leaves both",
      [ecosystemRange({ introduced: "0" }, { fixed: "1.5" }), ecosystemRange({ introduced: "1.0" }, { fixed: "2.0" })],
      [
        ["0.5", affected("1.5")],
        ["1.2", affected("2.0")],
      ],
    ],
    [
      "overlapping ranges, one without a fix: no fix",
      [ecosystemRange({ introduced: "0" }, { fixed: "1.5" }), ecosystemRange({ introduced: "1.0" }, { last_affected: "1.8" })],
      [["1.2", affected(null)]],
    ],
    [
      "introduced and fixed at the same version: empty",
      [ecosystemRange({ introduced: "1.0" }, { fixed: "1.0" })],
      [["1.0", unaffected]],
    ],
    ["no ranges", [], [["1.0", unaffected]]],
    ["a GIT range never matches", [gitRange({ introduced: "0" }, { fixed: "a".repeat(40) })], [["1.0", unaffected]]],
  ])("%s", (_title, ranges, cases) => {
    it.each(cases)("%s", (version, verdict) => {
      expect(affectedBy(version, affectedEntry("Numeric", "pkg", ranges), schemes)).toEqual(verdict);
    });
  });

  it.each<[string, string, AffectedVerdict]>([
    ["listed, outside every range", "1.7", affected(null)],
    ["in a range and listed: the range's fix", "1.0", affected("1.2")],
    ["listed only as another spelling (exact strings compare)", "1.7.0", unaffected],
  ])("counts the versions list: %s", (_title, version, verdict) => {
    const entry = affectedEntry("Numeric", "pkg", [ecosystemRange({ introduced: "0" }, { fixed: "1.2" })], ["1.0", "1.7"]);
    expect(affectedBy(version, entry, schemes)).toEqual(verdict);
  });

  it("counts the versions list beside a GIT range it ignores", () => {
    const entry = affectedEntry("Numeric", "pkg", [gitRange({ introduced: "0" })], ["2.0"]);
    expect(affectedBy("2.0", entry, schemes)).toEqual(affected(null));
    expect(affectedBy("2.1", entry, schemes)).toEqual(unaffected);
  });

  it("orders SEMVER ranges by the SemVer scheme and ECOSYSTEM ranges by the ecosystem's", () => {
    const semverOnly = { ecosystem: unreadable, semver: numericScheme };
    expect(affectedBy("1.0", affectedEntry("Numeric", "pkg", [semverRange({ introduced: "0" }, { fixed: "2.0" })]), semverOnly)).toEqual(affected("2.0"));
    expect(affectedBy("1.0", affectedEntry("Numeric", "pkg", [ecosystemRange({ introduced: "0" }, { fixed: "2.0" })]), semverOnly)).toEqual({
      skipped: '"1.0" is not a unreadable version',
    });
  });

  it.each<[string, string, OsvRange[], string[], AffectedVerdict]>([
    ["an installed version the scheme cannot read", "1.x", [ecosystemRange({ introduced: "0" }, { fixed: "2.0" })], [], { skipped: '"1.x" is not a numeric version' }],
    ["an event version the scheme cannot read", "1.0", [ecosystemRange({ introduced: "0" }, { fixed: "2.0-beta" })], [], { skipped: '"2.0-beta" is not a numeric version' }],
    ["an unreadable version that the versions list names", "1.x", [ecosystemRange({ introduced: "0" }, { fixed: "2.0" })], ["1.x"], affected(null)],
    [
      "one range unreadable, another matching",
      "1.0",
      [ecosystemRange({ introduced: "0" }, { fixed: "x" }), ecosystemRange({ introduced: "0" }, { fixed: "3.0" })],
      [],
      affected("3.0"),
    ],
    ["introduced 0 needs no comparison, so nothing is unreadable", "1.x", [ecosystemRange({ introduced: "0" })], [], affected(null)],
  ])("never falls back to another ordering: %s", (_title, version, ranges, versions, verdict) => {
    expect(affectedBy(version, affectedEntry("Numeric", "pkg", ranges, versions), schemes)).toEqual(verdict);
  });

  it("skips ECOSYSTEM ranges of an ecosystem without a scheme, and says which", () => {
    const entry = affectedEntry("Hackage", "aeson", [ecosystemRange({ introduced: "0" }, { fixed: "2.0" }), gitRange({ introduced: "0" })]);
    expect(affectedBy("1.0", entry, { ecosystem: null, semver: numericScheme })).toEqual({ skipped: "no version ordering for Hackage" });
  });
});

describe("affectedByAny", () => {
  // GHSA records give each interval of a package its own affected entry.
  const entries = [
    affectedEntry("Numeric", "semver", [ecosystemRange({ introduced: "7.0.0" }, { fixed: "7.5.2" })]),
    affectedEntry("Numeric", "semver", [ecosystemRange({ introduced: "6.0.0" }, { fixed: "6.3.1" })]),
    affectedEntry("Numeric", "semver", [ecosystemRange({ introduced: "0" }, { fixed: "5.7.2" })]),
  ];

  it.each<[string, AffectedVerdict]>([
    ["4.3.6", affected("5.7.2")],
    ["5.7.2", unaffected],
    ["6.3.0", affected("6.3.1")],
    ["7.5.1", affected("7.5.2")],
    ["7.5.2", unaffected],
  ])("%s", (version, verdict) => {
    expect(affectedByAny(version, entries, schemes)).toEqual(verdict);
  });

  it("is affected when no entry is undecided but one lists the version", () => {
    const listed = [affectedEntry("Numeric", "p", [ecosystemRange({ introduced: "5" })]), affectedEntry("Numeric", "p", [], ["1.0"])];
    expect(affectedByAny("1.0", listed, schemes)).toEqual(affected(null));
  });
});
