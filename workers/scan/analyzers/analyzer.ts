/**
 * Terminology: an *analyzer* reads one kind of file found in an image layer
 * (a package database, a manifest, a binary) and reports what it declares;
 * the layer walker decides which files reach it by asking `required`.
 * Analyzers never see a whole layer and never touch the network.
 */

export type PackageType = "apk" | "deb" | "rpm" | "npm" | "pypi" | "golang" | "maven";

export interface FoundPackage {
  type: PackageType;
  name: string;
  version: string;
  /** Maven groupId, Go module path prefix, npm scope: only where the purl needs it apart from `name`. */
  namespace?: string;
  /** OS packages: dpkg `Source:`, apk origin (`o:`), rpm source package; the version is set only when it differs. */
  sourceName?: string;
  sourceVersion?: string;
  arch?: string;
  /** `installed` when the image holds the package itself; `lockfile` when a lockfile only names it. */
  origin: "installed" | "lockfile";
}

/** The parsed os-release of an image (https://www.freedesktop.org/software/systemd/man/os-release.html). */
export interface OsRelease {
  /** `ID`, lower case: debian, ubuntu, alpine, almalinux, rocky, fedora, rhel, … */
  id: string;
  /** `VERSION_ID`, e.g. 12, 22.04, 3.18.1; null when absent (Debian testing). */
  versionId: string | null;
  prettyName: string | null;
  versionCodename: string | null;
  /** `ID_LIKE`, split on spaces. */
  idLike: string[];
}

/** What one file declared. The walker records the file's path and layer next to it. */
export interface FileAnalysis {
  packages: FoundPackage[];
  os?: OsRelease;
}

export interface FileInfo {
  /** Relative to the image root, normalised: no leading `/`, no `.` or `..` segments. */
  path: string;
  /** Bytes, from the tar header. */
  size: number;
  /** Permission bits from the tar header (0o755 …). */
  mode: number;
}

/** A file handed to an analyzer. Its content can be consumed once, either way. */
export interface FileContent extends FileInfo {
  /** The whole content in memory; refused (FILE_TOO_LARGE) above the buffered-file limit. */
  read(): Promise<Buffer>;
  /**
   * The content as it streams out of the layer, for files too large to hold
   * (binaries, jars). An analyzer may stop early (break out of the loop): the
   * walker skips the rest.
   */
  stream(): AsyncIterable<Buffer>;
}

export interface Analyzer {
  /** Stable, unique; part of the layer cache key with `version`. */
  readonly name: string;
  /** Bump whenever the output for the same input changes: cached layer results are then recomputed. */
  readonly version: number;
  /** Called for every regular file header; cheap, no I/O. */
  required(file: FileInfo): boolean;
  /**
   * Parses one file. Returns null when the file is not what it looked like
   * (e.g. an executable that is not a Go binary). Throwing reports a broken
   * file: the walker logs it and goes on with the layer.
   */
  analyze(file: FileContent): Promise<FileAnalysis | null>;
}
