import { compareDigitStrings } from "./digits";
import { NotAVersion, parsingScheme } from "./parsing-scheme";

/** Token kinds in apk-tools' order, which also decides between two versions that agree up to where one of them goes on differently. */
enum Kind {
  InitialDigit,
  Digit,
  Letter,
  Suffix,
  SuffixNumber,
  CommitHash,
  Revision,
  End,
}

interface Token {
  kind: Kind;
  text: string;
}

/** Suffixes before the release (`_alpha` … `_rc`) rank below RELEASE, those after it (`_cvs` … `_p`) above. */
const SUFFIX_RANKS: ReadonlyMap<string, number> = new Map([
  ["alpha", 0],
  ["beta", 1],
  ["pre", 2],
  ["rc", 3],
  ["cvs", 5],
  ["svn", 6],
  ["git", 7],
  ["hg", 8],
  ["p", 9],
]);
const RELEASE = 4;

/** Each token after the first: its text (group 1) and the kinds it may follow. */
const GRAMMAR: ReadonlyArray<{ kind: Kind; pattern: RegExp; follows: (last: Kind) => boolean }> = [
  { kind: Kind.Letter, pattern: /^([a-z])/, follows: (last) => last <= Kind.Digit },
  { kind: Kind.Digit, pattern: /^\.([0-9]+)/, follows: (last) => last <= Kind.Digit },
  { kind: Kind.Suffix, pattern: /^_([a-z]+)/, follows: (last) => last <= Kind.SuffixNumber },
  { kind: Kind.SuffixNumber, pattern: /^([0-9]+)/, follows: (last) => last === Kind.Suffix },
  { kind: Kind.CommitHash, pattern: /^~([0-9a-f]+)/, follows: (last) => last < Kind.CommitHash },
  { kind: Kind.Revision, pattern: /^-r([0-9]+)/, follows: (last) => last < Kind.Revision },
];

const END: Token = { kind: Kind.End, text: "" };

function tokenize(version: string): Token[] | NotAVersion {
  const initial = /^[0-9]+/.exec(version);
  if (!initial) return new NotAVersion("does not start with a digit");
  const tokens: Token[] = [{ kind: Kind.InitialDigit, text: initial[0] }];
  for (let at = initial[0].length; at < version.length; ) {
    const rest = version.slice(at);
    const last = tokens[tokens.length - 1].kind;
    const rule = GRAMMAR.find(({ pattern, follows }) => follows(last) && pattern.test(rest));
    const match = rule?.pattern.exec(rest);
    if (!rule || !match) return new NotAVersion(`unexpected ${JSON.stringify(rest)}`);
    if (rule.kind === Kind.Suffix && !SUFFIX_RANKS.has(match[1])) return new NotAVersion(`unknown suffix _${match[1]}`);
    tokens.push({ kind: rule.kind, text: match[1] });
    at += match[0].length;
  }
  return tokens;
}

function compareTokenLists(a: Token[], b: Token[]): number {
  for (let i = 0; ; i++) {
    const x = a[i] ?? END;
    const y = b[i] ?? END;
    if (x.kind !== y.kind) return compareDiverging(x, y);
    if (x.kind === Kind.End) return 0;
    const order = compareTokens(x, y);
    if (order !== 0) return order;
  }
}

/** Where the versions go on differently, a pre-release suffix is older; otherwise the one that ends, or goes on with a later kind of token, is. */
function compareDiverging(x: Token, y: Token): number {
  if (isPreRelease(x)) return -1;
  if (isPreRelease(y)) return 1;
  return x.kind > y.kind ? -1 : 1;
}

function isPreRelease(token: Token): boolean {
  return token.kind === Kind.Suffix && suffixRank(token) < RELEASE;
}

function suffixRank(token: Token): number {
  return SUFFIX_RANKS.get(token.text) ?? RELEASE;
}

function compareTokens(x: Token, y: Token): number {
  switch (x.kind) {
    case Kind.Digit:
      // A component after the first with a leading zero is a decimal fraction: "1.02" < "1.1", "1.0" < "1.00".
      return x.text.startsWith("0") || y.text.startsWith("0")
        ? compareBytes(x.text, y.text)
        : compareDigitStrings(x.text, y.text);
    case Kind.InitialDigit:
    case Kind.SuffixNumber:
    case Kind.Revision:
      return compareDigitStrings(x.text, y.text);
    case Kind.Suffix:
      return suffixRank(x) - suffixRank(y);
    default:
      return compareBytes(x.text, y.text);
  }
}

function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Alpine package versions, `digit{.digit}...{letter}{_suf{#}}...{~hash}{-r#}`,
 * read and ordered as apk-tools' current src/version.c does (what
 * `apk version -t` answers). A version apk-tools would not validate
 * (`apk version -c`) is refused, where apk itself would still compare it up
 * to the first bad character. Numbers compare by value however long, where
 * apk-tools holds them in 64 bits.
 */
export const apk = parsingScheme("apk", tokenize, compareTokenLists);
