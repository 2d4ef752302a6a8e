import { compareDigitStrings, digitRuns, isDigits } from "./digits";
import { NotAVersion, parsingScheme } from "./parsing-scheme";

interface DebianVersion {
  epoch: number;
  upstream: string;
  revision: string;
}

const MAX_EPOCH = 2 ** 31 - 1;
const UPSTREAM = /^[A-Za-z0-9.+~:-]+$/;
const REVISION = /^[A-Za-z0-9.+~]*$/;

function parseDebianVersion(version: string): DebianVersion | NotAVersion {
  if (version === "") return new NotAVersion("empty");
  if (/\s/.test(version)) return new NotAVersion("contains whitespace");
  const colon = version.indexOf(":");
  const epochText = colon < 0 ? "0" : version.slice(0, colon);
  if (!isDigits(epochText)) return new NotAVersion("the epoch before ':' is not a number");
  const epoch = Number(epochText);
  if (epoch > MAX_EPOCH) return new NotAVersion("the epoch is too big");
  const rest = version.slice(colon + 1);
  if (rest === "") return new NotAVersion("nothing after the epoch");
  const hyphen = rest.lastIndexOf("-");
  const upstream = hyphen < 0 ? rest : rest.slice(0, hyphen);
  const revision = hyphen < 0 ? "" : rest.slice(hyphen + 1);
  if (upstream === "") return new NotAVersion("the upstream version is empty");
  if (hyphen >= 0 && revision === "") return new NotAVersion("the revision after the last '-' is empty");
  if (!UPSTREAM.test(upstream)) return new NotAVersion("invalid character in the upstream version");
  if (!REVISION.test(revision)) return new NotAVersion("invalid character in the revision");
  return { epoch, upstream, revision };
}

function compareDebianVersions(a: DebianVersion, b: DebianVersion): number {
  return a.epoch - b.epoch || compareFragments(a.upstream, b.upstream) || compareFragments(a.revision, b.revision);
}

/**
 * dpkg's verrevcmp: alternately the leading non-digit part, compared
 * character by character (see `weight`), and the leading digit part,
 * compared as a number; a missing part is "" or 0.
 */
function compareFragments(a: string, b: string): number {
  const left = textNumberPairs(a);
  const right = textNumberPairs(b);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const [leftText, leftNumber] = left[i] ?? ["", ""];
    const [rightText, rightNumber] = right[i] ?? ["", ""];
    const order = compareText(leftText, rightText) || compareDigitStrings(leftNumber, rightNumber);
    if (order !== 0) return order;
  }
  return 0;
}

/** "1.2~rc3" → [["", "1"], [".", "2"], ["~rc", "3"]]. */
function textNumberPairs(fragment: string): Array<[string, string]> {
  const runs = digitRuns(fragment);
  if (runs.length > 0 && isDigits(runs[0])) runs.unshift("");
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i < runs.length; i += 2) pairs.push([runs[i], runs[i + 1] ?? ""]);
  return pairs;
}

function compareText(a: string, b: string): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const order = weight(a[i]) - weight(b[i]);
    if (order !== 0) return order;
  }
  return 0;
}

/** `~` before the end of the text, the end before letters, letters before every other character. */
function weight(char: string | undefined): number {
  if (char === undefined) return 0;
  if (char === "~") return -1;
  const code = char.charCodeAt(0);
  return /[A-Za-z]/.test(char) ? code : code + 256;
}

/**
 * Debian versions, `[epoch:]upstream_version[-debian_revision]`, ordered as
 * Debian Policy §5.6.12 and `dpkg --compare-versions` order them.
 *
 * Validity is dpkg's parseversion(). What dpkg refuses is refused: an empty
 * version, an epoch that is not a number or is above INT_MAX, nothing after
 * the epoch's colon, an empty upstream version or revision. Of what dpkg only
 * warns about, characters outside Policy's sets (upstream `A-Za-z0-9.+~:-`,
 * revision `A-Za-z0-9.+~`) are refused, while an upstream version that does
 * not start with a digit is accepted: Policy says it "should" start with one,
 * dpkg installs and orders such versions, and refusing them would lose the
 * package. Whitespace is refused anywhere (dpkg trims it at the ends).
 */
export const dpkg = parsingScheme("dpkg", parseDebianVersion, compareDebianVersions);
