/**
 * Which OSV ecosystem, name and version an inventory package is looked up
 * under (DESIGN §4, Matching). OS packages take their ecosystem from the
 * image's os-release; distributions publish advisories per release and by
 * source package, so a Debian binary `libssl3` is looked up as `openssl`.
 */
import type { PackageType } from "../../scan/analyzers/analyzer";

/** What matching needs of an image's os-release. */
export interface OsIdentity {
  /** `ID`, lower case. */
  id: string;
  /** `VERSION_ID`. */
  versionId: string | null;
  prettyName?: string | null;
}

/** What matching needs of an inventory package. */
export interface MatchPackage {
  type: PackageType;
  name: string;
  version: string;
  sourceName?: string | null;
  sourceVersion?: string | null;
}

export type EcosystemResolution = { ecosystem: string } | { ecosystem: null; reason: string };

type OsPackageType = "apk" | "deb" | "rpm";

interface Distribution {
  packageType: OsPackageType;
  /** Null when `VERSION_ID` does not say which release it is. */
  ecosystem(versionId: string): string | null;
}

const LANGUAGE_ECOSYSTEMS: Record<Exclude<PackageType, OsPackageType>, string> = {
  npm: "npm",
  pypi: "PyPI",
  maven: "Maven",
  golang: "Go",
};

const DISTRIBUTIONS: Readonly<Record<string, Distribution>> = {
  debian: { packageType: "deb", ecosystem: (versionId) => withMajor(versionId, (major) => `Debian:${major}`) },
  ubuntu: { packageType: "deb", ecosystem: ubuntuEcosystem },
  alpine: { packageType: "apk", ecosystem: alpineEcosystem },
  almalinux: { packageType: "rpm", ecosystem: (versionId) => withMajor(versionId, (major) => `AlmaLinux:${major}`) },
  rocky: { packageType: "rpm", ecosystem: (versionId) => withMajor(versionId, (major) => `Rocky Linux:${major}`) },
};

/**
 * The OSV ecosystem of a package of type `type` in an image whose
 * os-release is `os`, or the reason it has none, worded for the scan's
 * notes ("rpm packages of Fedora Linux 40 are inventory only: …").
 */
export function ecosystemOf(os: OsIdentity | null, type: PackageType): EcosystemResolution {
  if (!isOsPackageType(type)) return { ecosystem: LANGUAGE_ECOSYSTEMS[type] };
  if (!os) return { ecosystem: null, reason: `${type} packages are inventory only: the image has no os-release` };
  const label = os.prettyName || os.id;
  const distribution = Object.hasOwn(DISTRIBUTIONS, os.id) ? DISTRIBUTIONS[os.id] : undefined;
  if (!distribution) return { ecosystem: null, reason: `${type} packages of ${label} are inventory only: no OSV ecosystem` };
  if (distribution.packageType !== type) {
    return { ecosystem: null, reason: `${type} packages of ${label} are inventory only: its advisories cover ${distribution.packageType} packages` };
  }
  const ecosystem = os.versionId === null ? null : distribution.ecosystem(os.versionId);
  if (!ecosystem) {
    return { ecosystem: null, reason: `${type} packages of ${label} are inventory only: no OSV ecosystem for VERSION_ID ${JSON.stringify(os.versionId)}` };
  }
  return { ecosystem };
}

/**
 * The name and version advisories use for `pkg`: Debian, Ubuntu and the rpm
 * distributions name source packages; Alpine names origin packages, which
 * share their binaries' version.
 */
export function advisoryCoordinates(pkg: MatchPackage): { name: string; version: string } {
  switch (pkg.type) {
    case "deb":
    case "rpm":
      return { name: pkg.sourceName ?? pkg.name, version: pkg.sourceVersion ?? pkg.version };
    case "apk":
      return { name: pkg.sourceName ?? pkg.name, version: pkg.version };
    default:
      return { name: pkg.name, version: pkg.version };
  }
}

export function isOsPackageType(type: PackageType): type is OsPackageType {
  return type === "apk" || type === "deb" || type === "rpm";
}

/** Ubuntu's LTS releases are the April releases of even years (22.04, 24.04). */
function ubuntuEcosystem(versionId: string): string | null {
  const release = /^(\d+)\.(\d+)$/.exec(versionId);
  if (!release) return null;
  const lts = Number(release[1]) % 2 === 0 && release[2] === "04";
  return lts ? `Ubuntu:${versionId}:LTS` : `Ubuntu:${versionId}`;
}

/** Alpine's advisories are per release branch: 3.18.1 is on v3.18. */
function alpineEcosystem(versionId: string): string | null {
  const branch = /^(\d+)\.(\d+)/.exec(versionId);
  return branch && `Alpine:v${branch[1]}.${branch[2]}`;
}

/** Debian, AlmaLinux and Rocky Linux publish per major release (Rocky 9.3 is on 9). */
function withMajor(versionId: string, ecosystem: (major: string) => string): string | null {
  const major = /^\d+/.exec(versionId);
  return major && ecosystem(major[0]);
}
