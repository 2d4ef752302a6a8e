import { InvalidVersionError, type VersionScheme } from "./version-scheme";

/** Why a text is not a version of a scheme. Parsers return it rather than throw, so that `isValid` costs no exception. */
export class NotAVersion {
  constructor(readonly reason: string) {}
}

/** A scheme made of a parser and an order on what it parses; `compare` throws InvalidVersionError for either side the parser refuses. */
export function parsingScheme<Parsed>(
  name: string,
  parse: (version: string) => Parsed | NotAVersion,
  compareParsed: (a: Parsed, b: Parsed) => number,
): VersionScheme {
  // Versions come out of JSON and package databases: guard the type at run time too.
  const parseAny = (version: string): Parsed | NotAVersion =>
    typeof version === "string" ? parse(version) : new NotAVersion(`not a string but ${typeof version}`);
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
