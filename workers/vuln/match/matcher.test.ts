import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fixturePath } from "../../../test/helpers/fixtures";
import type { PackageType } from "../../scan/analyzers/analyzer";
import { parsePackageLock } from "../../scan/analyzers/lang/package-lock";
import { parseApkInstalled } from "../../scan/analyzers/os/apk";
import { parseDpkgStatus } from "../../scan/analyzers/os/dpkg";
import { parseOsRelease } from "../../scan/analyzers/os/os-release";
import { type OsvRecord, parseOsvRecord } from "../osv/record";
import { type Finding, type MatchPackage, type OsIdentity, lookupKeys, matchInventory } from "./matcher";
import type { Severity } from "./severity";
import { authoredRecord, realRecord } from "./test-support/osv-builders";

const readJson = (file: string): unknown => JSON.parse(readFileSync(file, "utf8"));
const jsonFiles = (dir: string): string[] => readdirSync(dir).filter((file) => file.endsWith(".json")).map((file) => path.join(dir, file));

const FIXTURE_RECORDS = ["Alpine", "Debian", "PyPI", "npm"].flatMap((dir) => jsonFiles(fixturePath("osv", dir)).map((file) => parseOsvRecord(readJson(file))));
const AUTHORED_RECORDS = jsonFiles(path.join(__dirname, "test-support", "authored")).map((file) => parseOsvRecord(readJson(file)));
const GHSA_J8R2 = parseOsvRecord(readJson(path.join(__dirname, "test-support", "real", "GHSA-j8r2-6x86-q33q.json")));
/** Every record: the matcher is handed candidates for other packages too, and must pick its own. */
const ALL_RECORDS = [...FIXTURE_RECORDS, ...AUTHORED_RECORDS, GHSA_J8R2];

const fixtureOs = (image: string): OsIdentity => parseOsRelease(readFileSync(fixturePath("pkgdb", image, "etc/os-release"), "utf8")) as OsIdentity;
const apkDatabase = (image: string) => parseApkInstalled(readFileSync(fixturePath("pkgdb", image, "lib/apk/db/installed"), "utf8"));
const dpkgStatus = (image: string) => parseDpkgStatus(readFileSync(fixturePath("pkgdb", image, "var/lib/dpkg/status"), "utf8"));
const npmLockfile = (): MatchPackage[] =>
  parsePackageLock(readJson(fixturePath("pkgdb", "npm", "in-place-npm", "package-lock.json")) as Record<string, unknown>).map(({ name, version }) => ({
    type: "npm",
    name,
    version,
  }));

const pkg = (type: PackageType, name: string, version: string, sourceName?: string, sourceVersion?: string): MatchPackage => ({ type, name, version, sourceName, sourceVersion });

/** [advisoryId, packageName, installedVersion, fixedVersion, severity, cvssScore]: a finding in one line. */
type FindingLine = [string, string, string, string | null, Severity, number | null];
const lines = (findings: Finding[]): FindingLine[] =>
  findings.map((f) => [f.advisoryId, f.packageName, f.installedVersion, f.fixedVersion, f.severity, f.cvssScore]);

describe("matchInventory", () => {
  describe("the fixture images", () => {
    it("finds ALPINE-CVE-2025-26519 in musl 1.2.4-r0 of the alpine 3.18 image, for each binary of the musl origin", () => {
      const os = fixtureOs("alpine-3.18");
      expect(os).toMatchObject({ id: "alpine", versionId: "3.18.1" });
      const musl = { advisoryId: "ALPINE-CVE-2025-26519", aliases: ["CVE-2025-26519"], packageType: "apk", installedVersion: "1.2.4-r0" };
      expect(matchInventory(os, apkDatabase("alpine-3.18"), ALL_RECORDS)).toEqual({
        findings: [
          { ...musl, packageName: "musl", sourceName: null, fixedVersion: "1.2.4-r3", severity: "HIGH", cvssScore: 7, summary: null },
          { ...musl, packageName: "musl-utils", sourceName: "musl", fixedVersion: "1.2.4-r3", severity: "HIGH", cvssScore: 7, summary: null },
        ],
        notes: [],
      });
    });

    it("finds it in musl 1.2.3-r0 of the alpine 3.16 database, fixed there in 1.2.3-r4", () => {
      const os = { id: "alpine", versionId: "3.16.2" }; // the fixture came without its os-release
      expect(lines(matchInventory(os, apkDatabase("alpine-3.16"), ALL_RECORDS).findings)).toEqual([
        ["ALPINE-CVE-2025-26519", "musl", "1.2.3-r0", "1.2.3-r4", "HIGH", 7],
        ["ALPINE-CVE-2025-26519", "musl-utils", "1.2.3-r0", "1.2.3-r4", "HIGH", 7],
      ]);
    });

    it.each<[string, string, string | null]>([
      ["3.18.4", "1.2.4-r2", "1.2.4-r3"],
      ["3.18.4", "1.2.4-r3", null],
      ["3.18.4", "1.2.4-r4", null],
      ["3.19.1", "1.2.4_git20230717-r4", "1.2.4_git20230717-r5"],
      ["3.22.0", "1.2.5-r10", null],
      ["3.15.11", "1.2.2-r9", null], // the record has no Alpine:v3.15 entry
    ])("on alpine %s, musl %s: fixed in %s", (versionId, version, fixedVersion) => {
      const { findings } = matchInventory({ id: "alpine", versionId }, [pkg("apk", "musl", version, "musl")], ALL_RECORDS);
      expect(findings.map((finding) => finding.fixedVersion)).toEqual(fixedVersion ? [fixedVersion] : []);
    });

    it("matches none of the Debian:9 records in the debian 12 image, though tzdata, dpkg and openssl share their names", () => {
      const debianNine = FIXTURE_RECORDS.filter((record) => record.id.startsWith("DLA-"));
      expect(debianNine).toHaveLength(4);
      expect(matchInventory(fixtureOs("debian-12"), dpkgStatus("debian-12"), debianNine)).toEqual({ findings: [], notes: [] });
    });

    it("finds the authored Debian:12 advisories in the debian 12 image by source package", () => {
      const { findings, notes } = matchInventory(fixtureOs("debian-12"), dpkgStatus("debian-12"), ALL_RECORDS);
      const openssl = {
        advisoryId: "DSA-9001-1",
        aliases: ["CVE-2099-0001", "DEBIAN-CVE-2099-0001", "DSA-9001-2"],
        packageType: "deb",
        installedVersion: "3.0.15-1~deb12u1",
        fixedVersion: "3.0.16-1~deb12u2",
        severity: "CRITICAL",
        cvssScore: 9.3,
        summary: "openssl - security update",
      };
      const glibcBash = { advisoryId: "DSA-9002-1", aliases: ["CVE-2099-0002", "CVE-2099-0003"], packageType: "deb", severity: "UNKNOWN", cvssScore: null, summary: "glibc, bash - security update" };
      expect(findings).toEqual([
        { ...openssl, packageName: "libssl3", sourceName: "openssl" },
        { ...openssl, packageName: "openssl", sourceName: null },
        // The binNMU bash 5.2.15-2+b7 is looked up at its source version 5.2.15-2.
        { ...glibcBash, packageName: "bash", sourceName: null, installedVersion: "5.2.15-2+b7", fixedVersion: "5.2.15-2+deb12u1" },
        // last_affected: no fix known.
        { ...glibcBash, packageName: "libc-bin", sourceName: "glibc", installedVersion: "2.36-9+deb12u9", fixedVersion: null },
        { ...glibcBash, packageName: "libc6", sourceName: "glibc", installedVersion: "2.36-9+deb12u9", fixedVersion: null },
      ]);
      expect(notes).toEqual([]);
    });

    it("finds semver 4.3.6 of the npm lockfile, and neither qs 6.5.3 nor minimist 1.2.8", () => {
      const packages = npmLockfile();
      expect(packages).toEqual(expect.arrayContaining([pkg("npm", "semver", "4.3.6"), pkg("npm", "qs", "6.5.3"), pkg("npm", "minimist", "1.2.8")]));
      expect(matchInventory(null, packages, ALL_RECORDS)).toEqual({
        findings: [
          {
            advisoryId: "GHSA-c2qf-rxjj-qqgw",
            aliases: ["CVE-2022-25883"],
            packageType: "npm",
            packageName: "semver",
            sourceName: null,
            installedVersion: "4.3.6",
            fixedVersion: "5.7.2",
            severity: "MEDIUM",
            cvssScore: 5.3,
            summary: "semver vulnerable to Regular Expression Denial of Service",
          },
        ],
        notes: [],
      });
    });
  });

  it("matches npm packages by their exact names, through ECOSYSTEM and SEMVER ranges", () => {
    const packages = [
      pkg("npm", "lodash", "4.17.11"),
      pkg("npm", "lodash-es", "4.17.13"),
      pkg("npm", "axios", "1.5.0"),
      pkg("npm", "Axios", "1.7.0"),
      pkg("npm", "ansi-html", "0.0.7"),
      pkg("npm", "jsonwebtoken", "8.5.1"),
      pkg("npm", "express", "5.0.0-beta.1"),
      pkg("npm", "ws", "8.17.0"),
      pkg("npm", "accepts", "1.3.8"),
      pkg("npm", "minimist", "1.2.8"),
      pkg("npm", "qs", "6.5.3"),
    ];
    expect(lines(matchInventory(null, packages, ALL_RECORDS).findings)).toEqual<FindingLine[]>([
      ["GHSA-jf85-cpcp-j695", "lodash", "4.17.11", "4.17.12", "CRITICAL", 9.1],
      ["GHSA-jf85-cpcp-j695", "lodash-es", "4.17.13", "4.17.14", "CRITICAL", 9.1],
      ["DRYDOCK-2099-0006", "accepts", "1.3.8", null, "HIGH", 7.5], // a SEMVER range bounded by a limit
      ["GHSA-27h2-hvpr-p74q", "jsonwebtoken", "8.5.1", "9.0.0", "HIGH", 7.6],
      ["GHSA-35jh-r3h4-6jhm", "lodash", "4.17.11", "4.17.21", "HIGH", 7.2],
      ["GHSA-35jh-r3h4-6jhm", "lodash-es", "4.17.13", "4.17.21", "HIGH", 7.2],
      ["GHSA-3h5v-q93c-6h6q", "ws", "8.17.0", "8.17.1", "HIGH", 7.5],
      // The fixture's GHSA-8hc4-vh64-cxmj names `Axios`: it reaches no `axios` (npm names are case-sensitive).
      ["GHSA-8hc4-vh64-cxmj", "Axios", "1.7.0", "1.7.4", "HIGH", null],
      ["GHSA-p6mc-m468-83gw", "lodash", "4.17.11", "4.17.20", "HIGH", 7.4],
      ["GHSA-p6mc-m468-83gw", "lodash-es", "4.17.13", "4.17.20", "HIGH", 7.4],
      ["GHSA-whgm-jr23-g3j9", "ansi-html", "0.0.7", "0.0.8", "HIGH", 7.5],
      ["GHSA-rv95-896h-c2vc", "express", "5.0.0-beta.1", "5.0.0-beta.3", "MEDIUM", 6.1],
      // An empty severity list: GHSA's own MODERATE.
      ["GHSA-wf5p-g6vw-rhxx", "axios", "1.5.0", "1.6.0", "MEDIUM", null],
    ]);
  });

  it("matches PyPI packages by PEP 503 names, merging PYSEC-2023-74 with GHSA-j8r2-6x86-q33q", () => {
    const packages = [
      pkg("pypi", "Jinja2", "3.1.2"),
      pkg("pypi", "pyyaml", "5.3.1"),
      pkg("pypi", "requests", "2.28.0"),
      pkg("pypi", "requests", "2.2.1"),
      pkg("pypi", "urllib3", "1.25.8"),
      pkg("pypi", "Django", "3.1.5"),
    ];
    const { findings, notes } = matchInventory(null, packages, ALL_RECORDS);
    expect(lines(findings)).toEqual<FindingLine[]>([
      ["GHSA-8q59-q68h-6hv4", "pyyaml", "5.3.1", "5.4", "CRITICAL", 9.8],
      ["GHSA-34jh-p97f-mpxf", "urllib3", "1.25.8", "1.26.19", "MEDIUM", 4.4],
      // 2.2.1 is below PYSEC-2023-74's ECOSYSTEM range: its GIT range (from "0") does not count.
      ["GHSA-9wx4-h78v-vm56", "requests", "2.2.1", "2.32.2", "MEDIUM", 5.6],
      ["GHSA-9wx4-h78v-vm56", "requests", "2.28.0", "2.32.2", "MEDIUM", 5.6],
      ["GHSA-h5c8-rqwp-cp95", "Jinja2", "3.1.2", "3.1.3", "MEDIUM", 5.4], // names `jinja2`
      ["GHSA-h75v-3vvj-5mfj", "Jinja2", "3.1.2", "3.1.4", "MEDIUM", 5.4], // names `Jinja2`
      ["GHSA-j8r2-6x86-q33q", "requests", "2.28.0", "2.31.0", "MEDIUM", 6.1],
      ["GHSA-v845-jxx5-vc9f", "urllib3", "1.25.8", "1.26.17", "MEDIUM", 5.9],
      ["PYSEC-2020-148", "urllib3", "1.25.8", "1.25.9", "UNKNOWN", null],
      ["PYSEC-2021-98", "Django", "3.1.5", "3.1.12", "UNKNOWN", null],
    ]);
    expect(findings.find((finding) => finding.advisoryId === "GHSA-j8r2-6x86-q33q")).toMatchObject({
      aliases: ["CVE-2023-32681", "PYSEC-2023-74"],
      summary: "Unintended leak of Proxy-Authorization header in requests",
    });
    expect(findings.find((finding) => finding.advisoryId === "PYSEC-2021-98")?.aliases).toEqual(["BIT-django-2021-33203", "CVE-2021-33203", "GHSA-68w8-qjq3-2gfm"]);
    expect(notes).toEqual([]);
  });

  it("reports PYSEC-2023-74 alone under its own id when its GHSA alias is not among the records", () => {
    const { findings } = matchInventory(null, [pkg("pypi", "requests", "2.28.0")], [realRecord("PyPI", "PYSEC-2023-74")]);
    expect(findings).toEqual([
      {
        advisoryId: "PYSEC-2023-74",
        aliases: ["CVE-2023-32681", "GHSA-j8r2-6x86-q33q"],
        packageType: "pypi",
        packageName: "requests",
        sourceName: null,
        installedVersion: "2.28.0",
        fixedVersion: "2.31.0",
        severity: "UNKNOWN",
        cvssScore: null,
        summary: null,
      },
    ]);
  });

  it("merges a regression update through the record both name upstream, reporting the later fix", () => {
    const os = { id: "debian", versionId: "12" };
    const libssl3 = [pkg("deb", "libssl3", "3.0.15-1~deb12u1", "openssl")];
    const [dsa1, dsa2, debianCve] = ["DSA-9001-1", "DSA-9001-2", "DEBIAN-CVE-2099-0001"].map(authoredRecord);
    const summary = (records: OsvRecord[]) => lines(matchInventory(os, libssl3, records).findings);
    expect(summary([dsa1, dsa2, debianCve])).toEqual([["DSA-9001-1", "libssl3", "3.0.15-1~deb12u1", "3.0.16-1~deb12u2", "CRITICAL", 9.3]]);
    // Sharing an upstream CVE id alone is no reason to merge.
    expect(summary([dsa2, dsa1])).toEqual([
      ["DSA-9001-1", "libssl3", "3.0.15-1~deb12u1", "3.0.16-1~deb12u1", "UNKNOWN", null],
      ["DSA-9001-2", "libssl3", "3.0.15-1~deb12u1", "3.0.16-1~deb12u2", "UNKNOWN", null],
    ]);
  });

  it.each<[string, OsIdentity, MatchPackage[], FindingLine[]]>([
    [
      "Ubuntu 20.04 LTS, not its Pro entries",
      { id: "ubuntu", versionId: "20.04" },
      [pkg("deb", "libssl1.1", "1.1.1f-1ubuntu2.23", "openssl"), pkg("deb", "openssl", "1.1.1f-1ubuntu2.23")],
      [
        ["UBUNTU-CVE-2099-0004", "libssl1.1", "1.1.1f-1ubuntu2.23", "1.1.1f-1ubuntu2.24", "HIGH", null],
        ["UBUNTU-CVE-2099-0004", "openssl", "1.1.1f-1ubuntu2.23", "1.1.1f-1ubuntu2.24", "HIGH", null],
      ],
    ],
    ["Ubuntu 22.04 LTS, which the record does not name", { id: "ubuntu", versionId: "22.04" }, [pkg("deb", "openssl", "1.1.1f-1ubuntu2.23")], []],
    [
      "AlmaLinux 9 by source rpm, with epochs",
      { id: "almalinux", versionId: "9.4" },
      [pkg("rpm", "openssl-libs", "1:3.0.7-27.el9", "openssl"), pkg("rpm", "openssl", "1:3.0.7-28.el9_4")],
      [["ALSA-2099:0005", "openssl-libs", "1:3.0.7-27.el9", "1:3.0.7-28.el9_4", "HIGH", null]],
    ],
    ["Rocky Linux 9, which the record does not name", { id: "rocky", versionId: "9.4" }, [pkg("rpm", "openssl-libs", "1:3.0.7-27.el9", "openssl")], []],
    [
      "Maven coordinates of Maven Central only",
      { id: "debian", versionId: "12" },
      [pkg("maven", "org.apache.logging.log4j:log4j-core", "2.14.1"), pkg("maven", "org.apache.logging.log4j:log4j-core", "2.15.0")],
      [["DRYDOCK-2099-0008", "org.apache.logging.log4j:log4j-core", "2.14.1", "2.15.0", "CRITICAL", 10]],
    ],
    [
      "never a withdrawn record (DRYDOCK-2099-0007 would affect every minimist)",
      { id: "alpine", versionId: "3.18.1" },
      [pkg("npm", "minimist", "0.0.1")],
      [
        ["GHSA-xvch-5gv4-984h", "minimist", "0.0.1", "0.2.4", "CRITICAL", 9.8],
        ["GHSA-vh95-rmgr-6w4m", "minimist", "0.0.1", "0.2.1", "MEDIUM", 5.6],
      ],
    ],
  ])("matches %s", (_title, os, packages, expected) => {
    expect(lines(matchInventory(os, packages, ALL_RECORDS).findings)).toEqual(expected);
  });

  it("says once per kind which packages have no ecosystem", () => {
    const { findings, notes } = matchInventory(
      { id: "fedora", versionId: "40", prettyName: "Fedora Linux 40 (Container Image)" },
      [pkg("rpm", "openssl-libs", "1:3.2.2-9.fc40", "openssl"), pkg("rpm", "bash", "5.2.26-3.fc40"), pkg("deb", "musl", "1.2.4-r0"), pkg("npm", "semver", "4.3.6")],
      ALL_RECORDS,
    );
    expect(lines(findings)).toEqual([["GHSA-c2qf-rxjj-qqgw", "semver", "4.3.6", "5.7.2", "MEDIUM", 5.3]]);
    expect(notes).toEqual([
      "deb packages of Fedora Linux 40 (Container Image) are inventory only: no OSV ecosystem",
      "rpm packages of Fedora Linux 40 (Container Image) are inventory only: no OSV ecosystem",
    ]);
  });

  it("says which records it could not evaluate for a version the ecosystem cannot read", () => {
    const { findings, notes } = matchInventory(null, [pkg("pypi", "requests", "latest!")], ALL_RECORDS);
    expect(findings).toEqual([]);
    expect(notes).toEqual(
      ["GHSA-9wx4-h78v-vm56", "GHSA-j8r2-6x86-q33q", "PYSEC-2023-74"].map((id) =>
        expect.stringMatching(new RegExp(`^${id} not evaluated for pypi requests latest!: "latest!" is not a pep440 version`)),
      ),
    );
  });

  it("reports a package listed twice once", () => {
    const semver = pkg("npm", "semver", "4.3.6");
    expect(matchInventory(null, [semver, { ...semver }], ALL_RECORDS).findings).toHaveLength(1);
  });

  it("gives the same output whatever the order of packages and records", () => {
    const packages = [...dpkgStatus("debian-12"), pkg("npm", "lodash", "4.17.11"), pkg("pypi", "requests", "2.28.0")];
    const os = fixtureOs("debian-12");
    expect(matchInventory(os, [...packages].reverse(), [...ALL_RECORDS].reverse())).toEqual(matchInventory(os, packages, ALL_RECORDS));
  });
});

describe("lookupKeys", () => {
  it("lists each ecosystem and normalised advisory name once, sorted", () => {
    const packages = [
      pkg("deb", "libssl3", "3.0.15-1~deb12u1", "openssl"),
      pkg("deb", "openssl", "3.0.15-1~deb12u1"),
      pkg("deb", "libc6", "2.36-9+deb12u9", "glibc"),
      pkg("deb", "bash", "5.2.15-2+b7", "bash", "5.2.15-2"),
      pkg("pypi", "Jinja2", "3.1.2"),
      pkg("pypi", "jinja2", "3.1.4"),
      pkg("npm", "lodash", "4.17.11"),
      pkg("rpm", "bash", "5.2.26-3.fc40"),
      pkg("apk", "musl", "1.2.4-r0"),
    ];
    expect(lookupKeys({ id: "debian", versionId: "12" }, packages)).toEqual([
      { ecosystem: "Debian:12", name: "bash" },
      { ecosystem: "Debian:12", name: "glibc" },
      { ecosystem: "Debian:12", name: "openssl" },
      { ecosystem: "PyPI", name: "jinja2" },
      { ecosystem: "npm", name: "lodash" },
    ]);
  });

  it("gives the keys under which the fixture records are found for the fixture images", () => {
    expect(lookupKeys(fixtureOs("alpine-3.18"), apkDatabase("alpine-3.18"))).toContainEqual({ ecosystem: "Alpine:v3.18", name: "musl" });
    expect(lookupKeys(fixtureOs("alpine-3.18"), apkDatabase("alpine-3.18"))).toContainEqual({ ecosystem: "Alpine:v3.18", name: "openssl" });
    expect(lookupKeys(null, npmLockfile())).toContainEqual({ ecosystem: "npm", name: "semver" });
  });
});
