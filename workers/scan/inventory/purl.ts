import { PackageURL } from "packageurl-js";
import type { FoundPackage, OsRelease, PackageType } from "../analyzers/analyzer";

/** The vendor of an OS package type's purl when the image's os-release is unknown. */
const USUAL_VENDOR: Partial<Record<PackageType, string>> = { deb: "debian", apk: "alpine" };

interface Coordinates {
  namespace: string | undefined;
  name: string;
  version: string;
  /** Qualifiers that tell the package apart: the rpm epoch. */
  identifying: Record<string, string>;
  /** Qualifiers that only say what it was built for: arch, distro. */
  describing: Record<string, string>;
}

/**
 * The package URL (https://github.com/package-url/purl-spec) of a package
 * found in an image whose os-release is `os`. packageurl-js applies each
 * type's normalisation (pypi names lower-cased with `-` for `_`, …).
 */
export function purlOf(found: FoundPackage, os: OsRelease | null): string {
  const coordinates = coordinatesOf(found, os);
  return format(found.type, coordinates, { ...coordinates.identifying, ...coordinates.describing });
}

/**
 * What makes two found packages the same one: their purl without the
 * qualifiers that only describe the build. Name spellings the purl
 * normalises (`group:artifact` or a namespace, pypi case) compare equal.
 */
export function packageIdentity(found: FoundPackage, os: OsRelease | null): string {
  const coordinates = coordinatesOf(found, os);
  return format(found.type, coordinates, coordinates.identifying);
}

function coordinatesOf(found: FoundPackage, os: OsRelease | null): Coordinates {
  switch (found.type) {
    case "deb":
    case "apk":
    case "rpm":
      return osPackage(found, os);
    case "npm":
      return languagePackage(found, found.name.startsWith("@") ? found.name.indexOf("/") : -1);
    case "golang":
      return languagePackage(found, found.name.lastIndexOf("/"));
    case "maven":
      return languagePackage(found, found.name.indexOf(":"));
    case "pypi":
      return languagePackage(found, -1);
  }
}

/** `split` is where `name` divides into namespace and name (-1: it does not), unless the analyzer gave the namespace apart. */
function languagePackage(found: FoundPackage, split: number): Coordinates {
  const [namespace, name] =
    found.namespace !== undefined || split <= 0 ? [found.namespace, found.name] : [found.name.slice(0, split), found.name.slice(split + 1)];
  return { namespace, name, version: found.version, identifying: {}, describing: {} };
}

const RPM_EPOCH = /^(\d+):(.+)$/;

function osPackage(found: FoundPackage, os: OsRelease | null): Coordinates {
  const describing: Record<string, string> = {};
  if (found.arch) describing.arch = found.arch;
  const release = os && (os.versionId ?? os.versionCodename);
  if (os && release) describing.distro = `${os.id}-${release}`;
  // purl-spec: an rpm's epoch is a qualifier, not part of its version.
  const epoch = found.type === "rpm" ? RPM_EPOCH.exec(found.version) : null;
  return {
    namespace: os?.id ?? USUAL_VENDOR[found.type],
    name: found.name,
    version: epoch ? epoch[2] : found.version,
    identifying: epoch ? { epoch: epoch[1] } : {},
    describing,
  };
}

function format(type: PackageType, coordinates: Coordinates, qualifiers: Record<string, string>): string {
  const { namespace, name, version } = coordinates;
  try {
    return new PackageURL(type, namespace, name, version, qualifiers).toString();
  } catch {
    // packageurl-js refuses a golang version `v…` that is no semver; a crafted binary must not fail the scan, so such a version is kept as declared.
    const purl = new PackageURL(type, namespace, name, undefined, qualifiers);
    purl.version = version;
    return purl.toString();
  }
}
