import { compareDigitStrings, digitRuns, isDigits } from "./digits";
import { NotAVersion, parsingScheme } from "./parsing-scheme";

/** One item of a Maven version: a number or a qualifier, with the separator before it. */
interface Item {
  separator: "." | "-";
  numeric: boolean;
  /** Digits without leading zeros ("0" for zero), or the qualifier in lower case with its aliases resolved. */
  text: string;
}

/** Known qualifiers in order; the release ("", also spelled ga, final, release) among them. Unknown ones sort after all of them. */
const QUALIFIER_RANKS: ReadonlyMap<string, number> = new Map([
  ["alpha", 0],
  ["beta", 1],
  ["milestone", 2],
  ["rc", 3],
  ["snapshot", 4],
  ["", 5],
  ["sp", 6],
]);
const ALIASES: ReadonlyMap<string, string> = new Map([
  ["cr", "rc"],
  ["ga", ""],
  ["final", ""],
  ["release", ""],
]);
/** Only when a number follows directly: "1-a1" is 1-alpha-1, "1-a" is the unknown qualifier "a". */
const SHORTHANDS: ReadonlyMap<string, string> = new Map([
  ["a", "alpha"],
  ["b", "beta"],
  ["m", "milestone"],
]);

function parseMavenVersion(version: string): Item[] | NotAVersion {
  if (version === "") return new NotAVersion("empty");
  if (/\s/.test(version)) return new NotAVersion("contains whitespace");
  const items: Item[] = [];
  // The specification's "1-1.foo-bar1baz-.1" is "1-1.foo-bar-1-baz-0.1": a digit/letter transition counts as a hyphen, an empty item as 0.
  const parts = version.toLowerCase().split(/([.-])/);
  for (let i = 0; i < parts.length; i += 2) {
    const separator = i === 0 ? "." : (parts[i - 1] as "." | "-");
    const runs = parts[i] === "" ? ["0"] : digitRuns(parts[i]);
    runs.forEach((run, n) => items.push(item(n === 0 ? separator : "-", run, n + 1 < runs.length)));
  }
  return trimNulls(items);
}

function item(separator: "." | "-", run: string, numberFollows: boolean): Item {
  if (isDigits(run)) return { separator, numeric: true, text: run.replace(/^0+(?=.)/, "") };
  const qualifier = (numberFollows ? SHORTHANDS.get(run) : undefined) ?? run;
  // Every qualifier counts as hyphen-separated. The specification orders
  // ".qualifier" = "-qualifier"; trimming null items before a dotted qualifier
  // too ("1.0.alpha" = "1-alpha", as Maven 4 does) is what keeps that order
  // transitive: otherwise 1 < 1-1 < 1.0.alpha < 1.
  return { separator: "-", numeric: false, text: ALIASES.get(qualifier) ?? qualifier };
}

function isNull(item: Item): boolean {
  return item.numeric ? item.text === "0" : item.text === "";
}

/** Drops the trailing null items (0, "", ga, final), then again before each remaining hyphen, from the end; the first item always stays. */
function trimNulls(items: Item[]): Item[] {
  const kept = [...items];
  let i = kept.length - 1;
  while (i > 0) {
    if (isNull(kept[i])) {
      kept.splice(i, 1);
      i--;
      continue;
    }
    while (i >= 0 && kept[i].separator !== "-") i--;
    i--;
  }
  return kept;
}

/** Item by item; where one version has run out, its missing item is null: 0 against a number, the release against a qualifier. */
function compareMavenVersions(a: Item[], b: Item[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const order = i >= a.length ? -compareWithNull(b[i]) : i >= b.length ? compareWithNull(a[i]) : compareItems(a[i], b[i]);
    if (order !== 0) return order;
  }
  return 0;
}

function compareWithNull(item: Item): number {
  return item.numeric ? (item.text === "0" ? 0 : 1) : compareQualifiers(item.text, "");
}

/** ".qualifier" = "-qualifier" < "-number" < ".number"; numbers with the same separator by value. */
function compareItems(x: Item, y: Item): number {
  if (!x.numeric && !y.numeric) return compareQualifiers(x.text, y.text);
  if (x.numeric !== y.numeric) return x.numeric ? 1 : -1;
  if (x.separator !== y.separator) return x.separator === "-" ? -1 : 1;
  return compareDigitStrings(x.text, y.text);
}

function compareQualifiers(x: string, y: string): number {
  const unknown = QUALIFIER_RANKS.size;
  const order = (QUALIFIER_RANKS.get(x) ?? unknown) - (QUALIFIER_RANKS.get(y) ?? unknown);
  if (order !== 0) return order;
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Maven versions, ordered by the POM reference's version order
 * specification (https://maven.apache.org/pom.html#version-order-specification),
 * Maven's ComparableVersion: items split at ".", "-" and digit/letter
 * transitions; qualifiers alpha < beta < milestone < rc = cr < snapshot <
 * "" = ga = final = release < sp, unknown qualifiers after them in lexical
 * order, case-insensitive; trailing null items trimmed at the end and before
 * each hyphen, where a qualifier counts as hyphen-separated wherever it
 * stands ("1.0.alpha" = "1-alpha"). "_" is no separator. Maven takes any
 * string; only the empty one and whitespace are refused here.
 */
export const maven = parsingScheme("maven", parseMavenVersion, compareMavenVersions);
