/**
 * Terminology: a *version scheme* orders the versions of one ecosystem
 * (dpkg, apk, rpm, semver, PEP 440, Maven, Go). OSV ranges are evaluated
 * with the scheme of the record's ecosystem and with no other: a version a
 * scheme cannot read is an error, never a guess in another ordering.
 */
export interface VersionScheme {
  /** Stable name: "dpkg", "apk", "rpm", "semver", "pep440", "maven", "go". */
  readonly name: string;
  /** Whether `version` is a version this scheme can order. */
  isValid(version: string): boolean;
  /** Negative, zero or positive as `a` sorts before, equal to or after `b`. Throws InvalidVersionError for a version it cannot read. */
  compare(a: string, b: string): number;
}

export class InvalidVersionError extends Error {
  constructor(
    readonly scheme: string,
    readonly version: string,
    reason?: string,
  ) {
    super(`${JSON.stringify(version)} is not a ${scheme} version${reason ? `: ${reason}` : ""}`);
    this.name = "InvalidVersionError";
  }
}
