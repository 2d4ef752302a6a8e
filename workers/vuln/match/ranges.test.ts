import type { OsvRange } from "../osv/record";
import { SEMVER, schemeForEcosystem } from "../versions";
import { InvalidVersionError, type VersionScheme } from "../versions/version-scheme";
import { type AffectedVerdict, affectedBy, affectedByAny } from "./ranges";
import { numericScheme } from "./test-support/numeric-scheme";
import { affectedEntry, ecosystemRange, gitRange, realRecord, semverRange } from "./test-support/osv-builders";

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

  it("counts one entry's versions list when another entry's ranges miss", () => {
    const listed = [affectedEntry("Numeric", "p", [ecosystemRange({ introduced: "5" })]), affectedEntry("Numeric", "p", [], ["1.0"])];
    expect(affectedByAny("1.0", listed, schemes)).toEqual(affected(null));
  });
});

describe("affectedByAny with the real records and version schemes", () => {
  /** The verdict of a real record's entries for one package, ordered as the matcher orders them. */
  function verdict(dir: string, id: string, ecosystem: string, name: string, version: string): AffectedVerdict {
    const entries = realRecord(dir, id).affected.filter(({ package: pkg }) => pkg?.ecosystem === ecosystem && pkg.name === name);
    expect(entries).not.toHaveLength(0);
    return affectedByAny(version, entries, { ecosystem: schemeForEcosystem(ecosystem), semver: SEMVER });
  }

  it.each<[string, string, AffectedVerdict]>([
    ["Alpine:v3.18", "1.2.4-r0", affected("1.2.4-r3")],
    ["Alpine:v3.18", "1.2.4-r2", affected("1.2.4-r3")],
    ["Alpine:v3.18", "1.2.4-r3", unaffected],
    ["Alpine:v3.18", "1.2.4-r10", unaffected],
    ["Alpine:v3.18", "0.9.12-r0", unaffected],
    ["Alpine:v3.16", "1.2.3-r0", affected("1.2.3-r4")],
    ["Alpine:v3.17", "1.2.3-r5", affected("1.2.3-r6")],
    ["Alpine:v3.19", "1.2.4_git20230717-r4", affected("1.2.4_git20230717-r5")],
    ["Alpine:v3.19", "1.2.4-r0", affected("1.2.4_git20230717-r5")],
    ["Alpine:v3.22", "1.2.5-r9", affected("1.2.5-r10")],
    ["Alpine:v3.24", "1.2.5-r10", unaffected],
  ])("ALPINE-CVE-2025-26519: musl on %s at %s", (ecosystem, version, expected) => {
    expect(verdict("Alpine", "ALPINE-CVE-2025-26519", ecosystem, "musl", version)).toEqual(expected);
  });

  it.each<[string, string, string, AffectedVerdict]>([
    ["DLA-3008-1", "openssl", "1.1.0l-1~deb9u5", affected("1.1.0l-1~deb9u6")],
    ["DLA-3008-1", "openssl", "1.1.0l-1~deb9u6", unaffected],
    ["DLA-3008-1", "openssl", "1.1.0l-1", unaffected], // ~ sorts before the end: the fix is older than 1.1.0l-1
    ["DLA-3012-1", "libxml2", "2.9.4+dfsg1-2.2+deb9u6", affected("2.9.4+dfsg1-2.2+deb9u7")],
    ["DLA-3022-1", "dpkg", "1.18.25", affected("1.18.26")],
    ["DLA-3022-1", "dpkg", "1.21.22", unaffected],
    ["DLA-3051-1", "tzdata", "2021a-0+deb9u3", affected("2021a-0+deb9u4")],
    ["DLA-3051-1", "tzdata", "2024b-0+deb12u1", unaffected],
  ])("%s: %s %s on Debian:9", (id, name, version, expected) => {
    expect(verdict("Debian", id, "Debian:9", name, version)).toEqual(expected);
  });

  it.each<[string, string, string, AffectedVerdict]>([
    ["GHSA-c2qf-rxjj-qqgw", "semver", "4.3.6", affected("5.7.2")],
    ["GHSA-c2qf-rxjj-qqgw", "semver", "6.3.0", affected("6.3.1")],
    ["GHSA-c2qf-rxjj-qqgw", "semver", "7.5.1", affected("7.5.2")],
    ["GHSA-c2qf-rxjj-qqgw", "semver", "5.7.2", unaffected],
    ["GHSA-hrpp-h998-j3pp", "qs", "6.5.3", unaffected], // exactly the fix of the 6.5 range
    ["GHSA-hrpp-h998-j3pp", "qs", "6.5.2", affected("6.5.3")],
    ["GHSA-hrpp-h998-j3pp", "qs", "6.2.3", affected("6.2.4")],
    ["GHSA-hrpp-h998-j3pp", "qs", "6.10.2", affected("6.10.3")],
    ["GHSA-hrpp-h998-j3pp", "qs", "6.11.0", unaffected],
    ["GHSA-xvch-5gv4-984h", "minimist", "1.2.8", unaffected],
    ["GHSA-xvch-5gv4-984h", "minimist", "1.2.5", affected("1.2.6")],
    ["GHSA-xvch-5gv4-984h", "minimist", "0.2.3", affected("0.2.4")],
    ["GHSA-vh95-rmgr-6w4m", "minimist", "1.2.8", unaffected],
    ["GHSA-vh95-rmgr-6w4m", "minimist", "1.2.2", affected("1.2.3")],
    ["GHSA-rv95-896h-c2vc", "express", "5.0.0-alpha.1", affected("5.0.0-beta.3")],
    ["GHSA-rv95-896h-c2vc", "express", "5.0.0-beta.2", affected("5.0.0-beta.3")],
    ["GHSA-rv95-896h-c2vc", "express", "5.0.0", unaffected],
    ["GHSA-rv95-896h-c2vc", "express", "4.19.1", affected("4.19.2")],
    ["GHSA-3h5v-q93c-6h6q", "ws", "8.17.0", affected("8.17.1")],
    ["GHSA-3h5v-q93c-6h6q", "ws", "2.0.0", unaffected],
    ["GHSA-jf85-cpcp-j695", "lodash.defaultsdeep", "4.6.0", affected("4.6.1")],
    ["GHSA-whgm-jr23-g3j9", "ansi-html", "0.0.7", affected("0.0.8")], // a SEMVER range
    ["GHSA-27h2-hvpr-p74q", "jsonwebtoken", "8.5.1", affected("9.0.0")],
    // database_specific.last_known_affected_version_range ("<= 8.5.1") is no range: only the events count.
    ["GHSA-27h2-hvpr-p74q", "jsonwebtoken", "8.5.2", affected("9.0.0")],
  ])("%s: npm %s %s", (id, name, version, expected) => {
    expect(verdict("npm", id, "npm", name, version)).toEqual(expected);
  });

  it.each<[string, string, string, AffectedVerdict]>([
    ["PYSEC-2023-74", "requests", "2.30.0", affected("2.31.0")],
    ["PYSEC-2023-74", "requests", "2.3", affected("2.31.0")], // PEP 440: 2.3 is 2.3.0
    ["PYSEC-2023-74", "requests", "2.31.0", unaffected],
    // Its GIT range starts at "0": were it read, 2.2.1 would be affected.
    ["PYSEC-2023-74", "requests", "2.2.1", unaffected],
    ["PYSEC-2020-148", "urllib3", "1.25.8", affected("1.25.9")],
    ["PYSEC-2020-148", "urllib3", "0.3", affected("1.25.9")],
    ["PYSEC-2021-98", "django", "3.0", affected("3.1.12")],
    ["PYSEC-2021-98", "django", "3.2.3", affected("3.2.4")],
    ["PYSEC-2021-98", "django", "2.2.24", unaffected],
    ["GHSA-9wx4-h78v-vm56", "requests", "2.32.0", affected("2.32.2")], // last_known_affected "< 2.32.0" ignored
    ["GHSA-34jh-p97f-mpxf", "urllib3", "2.0.0", affected("2.2.2")],
    ["GHSA-v845-jxx5-vc9f", "urllib3", "1.26.17", unaffected],
  ])("%s: PyPI %s %s", (id, name, version, expected) => {
    expect(verdict("PyPI", id, "PyPI", name, version)).toEqual(expected);
  });

  it.each([
    ["PyPI", "PYSEC-2023-74", "PyPI", "requests", "latest!", "not a pep440 version"],
    ["npm", "GHSA-c2qf-rxjj-qqgw", "npm", "semver", "4.3", "not a semver version"],
    ["Alpine", "ALPINE-CVE-2025-26519", "Alpine:v3.18", "musl", "1.2.4-r0-r1", "not a apk version"],
  ])("skips a version its ecosystem cannot read (%s %s %s)", (dir, id, ecosystem, name, version, reason) => {
    expect(verdict(dir, id, ecosystem, name, version)).toEqual({ skipped: expect.stringContaining(`${JSON.stringify(version)} is ${reason}`) });
  });
});
