import type { Analyzer, FoundPackage } from "../analyzer";
import type { RpmHeader } from "./rpm-header";
import { readRpmdbHeaders } from "./rpmdb-sqlite";

/** rpm ≥ 4.16 keeps its database in sqlite; Fedora ≥ 36 moved it under /usr. */
const RPMDB_PATHS: ReadonlySet<string> = new Set(["var/lib/rpm/rpmdb.sqlite", "usr/lib/sysimage/rpm/rpmdb.sqlite"]);

/** The name rpm gives the headers of imported signing keys: not packages. */
const GPG_PUBKEY = "gpg-pubkey";

export const rpmAnalyzer: Analyzer = {
  name: "rpm",
  version: 1,
  required: (file) => RPMDB_PATHS.has(file.path),
  async analyze(file) {
    const headers = await readRpmdbHeaders(await file.read());
    return { packages: headers.filter((header) => header.name !== GPG_PUBKEY).map(toPackage) };
  },
};

function toPackage(header: RpmHeader): FoundPackage {
  const versionRelease = `${header.version}-${header.release}`;
  const source = header.sourceRpm ? parseSourceRpm(header.sourceRpm) : null;
  return {
    type: "rpm",
    name: header.name,
    // rpm's EVR: the epoch is printed whenever the header has one, even 0.
    version: header.epoch === null ? versionRelease : `${header.epoch}:${versionRelease}`,
    sourceName: source?.name,
    // A source rpm's file name has no epoch; the binary shares its spec's, so compare without it.
    sourceVersion: source && source.versionRelease !== versionRelease ? source.versionRelease : undefined,
    arch: header.arch ?? undefined,
    origin: "installed",
  };
}

const SOURCE_RPM_SUFFIX = /\.(?:no)?src\.rpm$/;

/** `name-version-release.src.rpm`; null when the file name has another shape. */
export function parseSourceRpm(fileName: string): { name: string; versionRelease: string } | null {
  if (!SOURCE_RPM_SUFFIX.test(fileName)) return null;
  const nvr = fileName.replace(SOURCE_RPM_SUFFIX, "");
  const releaseDash = nvr.lastIndexOf("-");
  const versionDash = nvr.lastIndexOf("-", releaseDash - 1);
  if (versionDash <= 0) return null;
  return { name: nvr.slice(0, versionDash), versionRelease: nvr.slice(versionDash + 1) };
}
