import { apk } from "./apk";
import { dpkg } from "./dpkg";
import { go } from "./go";
import { maven } from "./maven";
import { pep440 } from "./pep440";
import { rpm } from "./rpm";
import { semver } from "./semver";
import type { VersionScheme } from "./version-scheme";

export { InvalidVersionError, type VersionScheme } from "./version-scheme";

/**
 * OSV ecosystem names (https://ossf.github.io/osv-schema/#affectedpackage-field)
 * and their schemes. `takesSuffix`: the ecosystem may carry ":<something>",
 * a release ("Debian:12", "Alpine:v3.18", "Ubuntu:Pro:18.04:LTS",
 * "Rocky Linux:9") or, for Maven, a repository ("Maven:https://maven.google.com").
 */
const ECOSYSTEMS: ReadonlyMap<string, { scheme: VersionScheme; takesSuffix: boolean }> = new Map([
  ["Debian", { scheme: dpkg, takesSuffix: true }],
  ["Ubuntu", { scheme: dpkg, takesSuffix: true }],
  ["Alpine", { scheme: apk, takesSuffix: true }],
  ["AlmaLinux", { scheme: rpm, takesSuffix: true }],
  ["Rocky Linux", { scheme: rpm, takesSuffix: true }],
  ["Red Hat", { scheme: rpm, takesSuffix: true }],
  ["Maven", { scheme: maven, takesSuffix: true }],
  ["npm", { scheme: semver, takesSuffix: false }],
  ["PyPI", { scheme: pep440, takesSuffix: false }],
  ["Go", { scheme: go, takesSuffix: false }],
]);

/** The scheme that orders versions of an OSV ecosystem, or null for an ecosystem drydock has none for: never a guess. */
export function schemeForEcosystem(ecosystem: string): VersionScheme | null {
  const colon = ecosystem.indexOf(":");
  const entry = ECOSYSTEMS.get(colon < 0 ? ecosystem : ecosystem.slice(0, colon));
  if (!entry) return null;
  if (colon >= 0 && (!entry.takesSuffix || colon === ecosystem.length - 1)) return null;
  return entry.scheme;
}

/** The order of OSV's SEMVER range type: semver 2.0.0 whatever the ecosystem, no leading "v". */
export const SEMVER: VersionScheme = semver;
