/**
 * Whether a version is affected by a record's `affected` entries, by the
 * OSV schema's evaluation algorithm (https://ossf.github.io/osv-schema/#evaluation):
 * affected when listed in `versions` or inside any range, a range's events
 * read in version order from `introduced` (`"0"`: before every version) up
 * to `fixed` (excluded) or `last_affected` (included), within its `limit`s.
 *
 * ECOSYSTEM ranges are ordered by the ecosystem's scheme and SEMVER ranges
 * by SemVer 2.0, never by another ordering: when a version cannot be read,
 * the answer is "skipped", with the reason. GIT ranges never match: an
 * image's packages carry versions, not commits.
 */
import { type OsvAffected, type OsvEventKind, type OsvRange, eventParts } from "../osv/record";
import { InvalidVersionError, type VersionScheme } from "../versions/version-scheme";

export interface RangeSchemes {
  /** The ordering of the entries' ecosystem, for ECOSYSTEM ranges; null when drydock has none. */
  ecosystem: VersionScheme | null;
  semver: VersionScheme;
}

/**
 * `fixedVersion` is the `fixed` event closing the interval the version lies
 * in (the highest one when it lies in several); null when that interval has
 * no fix (open, or closed by `last_affected`) or only `versions` listed it.
 * `skipped` says why it could not be decided; there is no `affected` to read
 * then, so a caller cannot take it for "not affected" by accident.
 */
export type AffectedVerdict = { affected: true; fixedVersion: string | null } | { affected: false } | { skipped: string };

interface Interval {
  fixedVersion: string | null;
  scheme: VersionScheme;
}

interface EventParts {
  kind: OsvEventKind;
  version: string;
}

/** Whether `version` is affected by one `affected` entry (its package is the caller's to check). */
export function affectedBy(version: string, affected: OsvAffected, schemes: RangeSchemes): AffectedVerdict {
  return affectedByAny(version, [affected], schemes);
}

/** Whether `version` is affected by any of `entries`: a record may list one package in several entries. */
export function affectedByAny(version: string, entries: readonly OsvAffected[], schemes: RangeSchemes): AffectedVerdict {
  const intervals: Interval[] = [];
  const undecided: string[] = [];
  for (const entry of entries) {
    for (const range of entry.ranges) {
      if (range.type === "GIT") continue;
      const scheme = schemeOf(range, schemes);
      if (!scheme) {
        undecided.push(`no version ordering for ${entry.package?.ecosystem ?? "an entry without a package"}`);
        continue;
      }
      try {
        const interval = intervalContaining(version, range, scheme);
        if (interval) intervals.push(interval);
      } catch (error) {
        if (!(error instanceof InvalidVersionError)) throw error;
        undecided.push(error.message);
      }
    }
  }
  if (intervals.length > 0) return { affected: true, fixedVersion: highestFix(intervals) };
  if (entries.some((entry) => entry.versions.includes(version))) return { affected: true, fixedVersion: null };
  if (undecided.length > 0) return { skipped: [...new Set(undecided)].join("; ") };
  return { affected: false };
}

function schemeOf(range: OsvRange, schemes: RangeSchemes): VersionScheme | null {
  return range.type === "SEMVER" ? schemes.semver : schemes.ecosystem;
}

/** The interval of `range` that holds `version`, or null; throws InvalidVersionError for a version `scheme` cannot read. */
function intervalContaining(version: string, range: OsvRange, scheme: VersionScheme): Interval | null {
  const events = range.events.map(eventParts);
  if (!beforeLimits(version, events, scheme)) return null;
  const sorted = events.filter((event) => event.kind !== "limit").sort((a, b) => compareEvents(a, b, scheme));
  let openedAt = -1;
  sorted.forEach((event, index) => {
    if (event.kind === "introduced" && (event.version === "0" || scheme.compare(version, event.version) >= 0)) openedAt = index;
    else if (event.kind === "fixed" && scheme.compare(version, event.version) >= 0) openedAt = -1;
    else if (event.kind === "last_affected" && scheme.compare(version, event.version) > 0) openedAt = -1;
  });
  if (openedAt < 0) return null;
  const closing = sorted.slice(openedAt + 1).find((event) => event.kind === "fixed" || event.kind === "last_affected");
  return { fixedVersion: closing?.kind === "fixed" ? closing.version : null, scheme };
}

/** Without `limit` events a range is unbounded; with them, `version` must sort below one (`*` is infinity). */
function beforeLimits(version: string, events: readonly EventParts[], scheme: VersionScheme): boolean {
  const limits = events.filter((event) => event.kind === "limit");
  return limits.length === 0 || limits.some((limit) => limit.version === "*" || scheme.compare(version, limit.version) < 0);
}

/** Version order, `introduced: "0"` first; events at the same version keep the record's order. */
function compareEvents(a: EventParts, b: EventParts, scheme: VersionScheme): number {
  const aFirst = a.kind === "introduced" && a.version === "0";
  const bFirst = b.kind === "introduced" && b.version === "0";
  if (aFirst || bFirst) return Number(bFirst) - Number(aFirst);
  return scheme.compare(a.version, b.version);
}

/** The fix that leaves every interval the version lies in: none when one of them has none. */
function highestFix(intervals: readonly Interval[]): string | null {
  let highest: Interval | null = null;
  for (const interval of intervals) {
    if (interval.fixedVersion === null) return null;
    if (!highest || (interval.scheme === highest.scheme && interval.scheme.compare(interval.fixedVersion, highest.fixedVersion as string) > 0)) {
      highest = interval;
    }
  }
  return highest?.fixedVersion ?? null;
}
