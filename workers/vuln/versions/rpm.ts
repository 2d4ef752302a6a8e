import { compareDigitStrings } from "./digits";
import { NotAVersion, parsingScheme } from "./parsing-scheme";

interface RpmVersion {
  epoch: string;
  version: string;
  release: string | undefined;
}

/** What rpmbuild allows in a Version or Release tag. */
const FIELD = /^[A-Za-z0-9._+~^]+$/;

function parseRpmVersion(text: string): RpmVersion | NotAVersion {
  const epochMatch = /^([0-9]+):/.exec(text);
  const rest = epochMatch ? text.slice(epochMatch[0].length) : text;
  const hyphen = rest.lastIndexOf("-");
  const version = hyphen < 0 ? rest : rest.slice(0, hyphen);
  const release = hyphen < 0 ? undefined : rest.slice(hyphen + 1);
  if (!FIELD.test(version)) return new NotAVersion("the version is empty or has a character rpm does not allow");
  if (release !== undefined && !FIELD.test(release)) {
    return new NotAVersion("the release is empty or has a character rpm does not allow");
  }
  return { epoch: epochMatch?.[1] ?? "0", version, release };
}

/**
 * rpm's EVR order (rpmverCmp, what `rpm.vercmp` answers): epoch as a number
 * (missing is 0), then version, then release with rpmvercmp, where a
 * version without a release sorts before the same version with any release.
 */
function compareRpmVersions(a: RpmVersion, b: RpmVersion): number {
  return compareDigitStrings(a.epoch, b.epoch) || rpmvercmp(a.version, b.version) || compareReleases(a.release, b.release);
}

function compareReleases(a: string | undefined, b: string | undefined): number {
  if (a === undefined || b === undefined) return (a === undefined ? 0 : 1) - (b === undefined ? 0 : 1);
  return rpmvercmp(a, b);
}

const isSeparator = (char: string): boolean => !/[A-Za-z0-9~^]/.test(char);
const DIGITS = /[0-9]+/y;
const LETTERS = /[A-Za-z]+/y;

function runAt(text: string, at: number, run: RegExp): string {
  run.lastIndex = at;
  return run.exec(text)?.[0] ?? "";
}

/**
 * rpm's rpmvercmp (rpm ≥ 4.15): separators are skipped; `~` sorts before
 * everything, the end included; `^` sorts after the end but before any other
 * segment; then alternately runs of digits (as numbers, and above letters)
 * and runs of letters (byte order).
 */
function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (i < a.length && isSeparator(a[i])) i++;
    while (j < b.length && isSeparator(b[j])) j++;
    const x: string | undefined = a[i];
    const y: string | undefined = b[j];
    if (x === "~" || y === "~") {
      if (x !== "~") return 1;
      if (y !== "~") return -1;
      i++;
      j++;
      continue;
    }
    if (x === "^" || y === "^") {
      if (x === undefined) return -1;
      if (y === undefined) return 1;
      if (x !== "^") return 1;
      if (y !== "^") return -1;
      i++;
      j++;
      continue;
    }
    if (x === undefined || y === undefined) break;
    const numeric = /[0-9]/.test(x);
    const left = runAt(a, i, numeric ? DIGITS : LETTERS);
    const right = runAt(b, j, numeric ? DIGITS : LETTERS);
    if (right === "") return numeric ? 1 : -1;
    const order = numeric ? compareDigitStrings(left, right) : left < right ? -1 : left > right ? 1 : 0;
    if (order !== 0) return Math.sign(order);
    i += left.length;
    j += right.length;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

/**
 * RPM versions, `[epoch:]version[-release]` as rpm databases and OSV's Red
 * Hat, AlmaLinux and Rocky Linux records write them, ordered as rpm 4.15 and
 * later order EVRs (tilde and caret included). The epoch takes digits only;
 * version and release what rpmbuild allows (A-Za-z0-9 and . _ + ~ ^).
 */
export const rpm = parsingScheme("rpm", parseRpmVersion, compareRpmVersions);
