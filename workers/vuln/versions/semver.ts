import { SemVer } from "semver";
import { NotAVersion, parsingScheme } from "./parsing-scheme";

/**
 * The grammar of semver.org 2.0.0, exactly: no leading "v" or "=", no
 * whitespace, no leading zeros in numeric identifiers. The `semver` package
 * alone is laxer (it takes "v1.2.3" and trims spaces even when not loose).
 */
const SEMVER_2_0 =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

function parseSemver(version: string): SemVer | NotAVersion {
  const match = SEMVER_2_0.exec(version);
  if (!match) return new NotAVersion("not semver 2.0.0 (MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD])");
  // The package compares numbers as JavaScript numbers: past 2^53 it refuses
  // the version core and would round prerelease numbers, so refuse those too.
  const numbers = [match[1], match[2], match[3], ...(match[4]?.split(".") ?? []).filter((id) => /^\d+$/.test(id))];
  if (numbers.some((number) => !Number.isSafeInteger(Number(number)))) {
    return new NotAVersion("a number is too big to order exactly");
  }
  try {
    return new SemVer(version);
  } catch {
    return new NotAVersion("refused by the semver package");
  }
}

/**
 * Semantic Versioning 2.0.0 precedence (build metadata ignored), through the
 * `semver` package npm itself uses. npm versions are semver: anything else is
 * refused rather than coerced. Also what OSV's SEMVER range type orders by.
 */
export const semver = parsingScheme("semver", parseSemver, (a, b) => a.compare(b));
