import { InvalidVersionError, type VersionScheme } from "./version-scheme";

/** Why a text is not a version of a scheme. Parsers return it rather than throw, so that `isValid` costs no exception. */
export class NotAVersion {
  constructor(readonly reason: string) {}
}

/** Parsed versions a scheme remembers; past it the memory starts afresh (a re-match meets the same few thousand versions again and again). */
const MEMO_SIZE = 50_000;

/**
 * A scheme made of a parser and an order on what it parses; `compare` throws
 * InvalidVersionError for either side the parser refuses. Parses are
 * remembered: matching compares one installed version with every event of
 * every candidate record, and the events repeat across packages.
 */
export function parsingScheme<Parsed>(
  name: string,
  parse: (version: string) => Parsed | NotAVersion,
  compareParsed: (a: Parsed, b: Parsed) => number,
): VersionScheme {
  const memo = new Map<string, Parsed | NotAVersion>();
  // Versions come out of JSON and package databases: guard the type at run time too.
  const parseAny = (version: string): Parsed | NotAVersion => {
    if (typeof version !== "string") return new NotAVersion(`not a string but ${typeof version}`);
    let parsed = memo.get(version);
    if (parsed === undefined) {
      parsed = parse(version);
      if (memo.size >= MEMO_SIZE) memo.clear();
      memo.set(version, parsed);
    }
    return parsed;
  };
  const read = (version: string): Parsed => {
    const parsed = parseAny(version);
    if (parsed instanceof NotAVersion) throw new InvalidVersionError(name, version, parsed.reason);
    return parsed;
  };
  return {
    name,
    isValid: (version) => !(parseAny(version) instanceof NotAVersion),
    compare: (a, b) => compareParsed(read(a), read(b)),
  };
}
