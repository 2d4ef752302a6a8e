import { readdirSync, readFileSync } from "node:fs";
import { fixturePath } from "../../../test/helpers/fixtures";
import { InvalidVersionError, SEMVER, schemeForEcosystem } from "./index";

describe("schemeForEcosystem", () => {
  test.each([
    ["Debian", "dpkg"], ["Debian:11", "dpkg"], ["Debian:12", "dpkg"],
    ["Ubuntu", "dpkg"], ["Ubuntu:20.04", "dpkg"], ["Ubuntu:22.04:LTS", "dpkg"], ["Ubuntu:Pro:18.04:LTS", "dpkg"],
    ["Alpine", "apk"], ["Alpine:v3.16", "apk"], ["Alpine:v3.18", "apk"],
    ["AlmaLinux", "rpm"], ["AlmaLinux:9", "rpm"], ["Rocky Linux", "rpm"], ["Rocky Linux:9", "rpm"],
    ["Red Hat", "rpm"], ["Red Hat:enterprise_linux:9::appstream", "rpm"],
    ["npm", "semver"], ["PyPI", "pep440"], ["Maven", "maven"], ["Maven:https://maven.google.com", "maven"], ["Go", "go"],
  ])("%j → %s", (ecosystem, scheme) => {
    expect(schemeForEcosystem(ecosystem)?.name).toBe(scheme);
  });

  test.each([
    "", "debian", "DEBIAN", "Debian:", "Debian ", " Debian", "alpine", "Alpine Linux", "Rocky", "RedHat", "Red Hat Lightwell",
    "NPM", "npm:registry", "pypi", "PyPI:foo", "maven", "go", "Go:stdlib",
    "crates.io", "RubyGems", "NuGet", "Packagist", "Hex", "Pub", "SUSE", "openSUSE", "Wolfi", "Chainguard", "Bitnami", "Linux", "GIT", "OSS-Fuzz", "Android", "Photon OS", "Mageia", "Azure Linux", "openEuler",
  ])("%j → null: no scheme, and no fallback to another one", (ecosystem) => {
    expect(schemeForEcosystem(ecosystem)).toBeNull();
  });

  test("SEMVER is semver 2.0.0 without a leading v", () => {
    expect(SEMVER.compare("1.0.0-rc.1", "1.0.0")).toBeLessThan(0);
    expect(SEMVER.isValid("v1.0.0")).toBe(false);
    expect(() => SEMVER.compare("v1.0.0", "1.0.0")).toThrow(InvalidVersionError);
  });

  /** Every OSV record among the fixtures: each version it names reads in the scheme of its ecosystem, or of SEMVER for SEMVER ranges. */
  test("every version in the fixtures' OSV records is valid in its scheme, but semver's introduced \"0\"", () => {
    type Range = { type: string; events: Array<{ [kind: string]: string }> };
    type Record = { affected: Array<{ package: { ecosystem: string }; versions?: string[]; ranges?: Range[] }> };
    const dir = fixturePath("osv");
    const refused: string[] = [];
    let checked = 0;
    for (const ecosystemDir of readdirSync(dir)) {
      for (const file of readdirSync(`${dir}/${ecosystemDir}`)) {
        const record = JSON.parse(readFileSync(`${dir}/${ecosystemDir}/${file}`, "utf8")) as Record;
        for (const affected of record.affected) {
          const ecosystemScheme = schemeForEcosystem(affected.package.ecosystem);
          expect(ecosystemScheme).not.toBeNull();
          const named = [
            ...(affected.versions ?? []).map((version) => ({ version, scheme: ecosystemScheme })),
            ...(affected.ranges ?? [])
              .filter((range) => range.type !== "GIT")
              .flatMap((range) => {
                const scheme = range.type === "SEMVER" ? SEMVER : ecosystemScheme;
                return range.events.flatMap((event) => Object.values(event).map((version) => ({ version, scheme })));
              }),
          ];
          for (const { version, scheme } of named) {
            checked++;
            const sentinel = version === "0" && scheme?.name === "semver";
            if (!scheme?.isValid(version) && !sentinel) refused.push(`${file}: ${affected.package.ecosystem} ${version}`);
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(500);
    expect(refused).toEqual([]);
  });
});
