/**
 * Step 3 of a discovery run (DESIGN §3): the condition, judged per repository on the
 * candidate tags, with the date rules of §2.
 */
import { DateTime } from "luxon";
import type { PeriodUnit, PolicyRules, TagRecord } from "./types";

/** `reason` is the condition's own phrase: why the tag passed ("" for NONE) or failed. */
export interface Verdict {
  passed: boolean;
  reason: string;
}

export interface Condition {
  /** One verdict per candidate, in the order given. */
  judge(repository: string, candidates: readonly TagRecord[]): Verdict[];
}

/** The condition of validated rules, with what depends on `now` computed once for the run. */
export function conditionFor(rules: PolicyRules, now: Date): Condition {
  switch (rules.condition) {
    case "NONE":
      return { judge: (_, candidates) => candidates.map(() => PASS) };
    case "CREATED_WITHIN":
      return new CreatedWithin(rules.createdWithin, rules.timezone, now);
    case "LATEST":
      return new Latest(rules.latestTags as number);
  }
}

const PASS: Verdict = { passed: true, reason: "" };

type DateSource = "created" | "pushed";

/** DESIGN §2: a creation date before 1980 (reproducible builds) counts as missing. */
const EARLIEST_CREATED_AT = Date.UTC(1980, 0, 1);

/** The date the condition uses: createdAt from 1980 on, else pushedAt, else none. */
export function effectiveDate(tag: TagRecord): { source: DateSource; time: number } | null {
  const created = tag.createdAt?.getTime();
  if (created !== undefined && created >= EARLIEST_CREATED_AT) return { source: "created", time: created };
  // Adapters parse vendor date strings: an unparsable one is an Invalid Date, i.e. no date.
  const pushed = tag.pushedAt?.getTime();
  return pushed === undefined || Number.isNaN(pushed) ? null : { source: "pushed", time: pushed };
}

const LUXON_UNITS = { DAYS: "days", MONTHS: "months", YEARS: "years" } as const;
const UNIT_WORDS = { DAYS: ["day", "days"], MONTHS: ["month", "months"], YEARS: ["year", "years"] } as const;

/**
 * Date ≥ now − period, inclusive; the period in calendar units of the policy's zone
 * (luxon clamps to month end: Mar 31 − 1 month = Feb 28/29). Reasons name the start
 * rather than each tag's own date: the decision carries the tag's dates, and formatting
 * 100k dates in a zone would dominate the run.
 */
class CreatedWithin implements Condition {
  private readonly start: number;
  private readonly within: Record<DateSource, Verdict>;
  private readonly outside: Record<DateSource, Verdict>;
  private readonly dateless: Verdict;

  constructor({ amount, unit }: { amount: number; unit: PeriodUnit }, timezone: string, now: Date) {
    const start = DateTime.fromJSDate(now, { zone: timezone }).minus({ [LUXON_UNITS[unit]]: amount });
    const period = `the last ${amount} ${UNIT_WORDS[unit][amount === 1 ? 0 : 1]}`;
    const startText = `${start.toFormat("yyyy-MM-dd HH:mm:ss")} ${timezone}`;
    this.start = start.toMillis();
    this.within = perSource((source) => ({ passed: true, reason: `${source} within ${period} (since ${startText})` }));
    this.outside = perSource((source) => ({ passed: false, reason: `${source} before ${startText}, outside ${period}` }));
    this.dateless = { passed: false, reason: `no creation or push date, so not within ${period}` };
  }

  judge(_: string, candidates: readonly TagRecord[]): Verdict[] {
    return candidates.map((tag) => {
      const date = effectiveDate(tag);
      if (date === null) return this.dateless;
      return date.time >= this.start ? this.within[date.source] : this.outside[date.source];
    });
  }
}

function perSource(make: (source: DateSource) => Verdict): Record<DateSource, Verdict> {
  return { created: make("created"), pushed: make("pushed") };
}

/** Time of a tag without a usable date: sorts after every real date. */
const DATELESS = -Infinity;

/** The n newest candidates by date, ties by tag name descending, dateless last; every tag counts. */
class Latest implements Condition {
  constructor(private readonly count: number) {}

  judge(repository: string, candidates: readonly TagRecord[]): Verdict[] {
    const times = candidates.map((tag) => effectiveDate(tag)?.time ?? DATELESS);
    const newestFirst = candidates.map((_, i) => i);
    newestFirst.sort((a, b) => times[b] - times[a] || compareDescending(candidates[a].tag, candidates[b].tag));

    const among: Verdict = { passed: true, reason: `one of the ${this.count} latest of ${repository}` };
    const notAmong = `not among the ${this.count} latest of ${repository}`;
    const verdicts = new Array<Verdict>(candidates.length);
    newestFirst.forEach((candidate, rank) => {
      verdicts[candidate] =
        rank < this.count
          ? among
          : {
              passed: false,
              reason: times[candidate] === DATELESS ? `${notAmong} (no creation or push date: ranked last)` : notAmong,
            };
    });
    return verdicts;
  }
}

/** Plain code-unit order: deterministic whatever the locale ("latest" > "1.9" > "1.10"). */
function compareDescending(a: string, b: string): number {
  return a < b ? 1 : a > b ? -1 : 0;
}
