/**
 * Pull-policy patterns (DESIGN §3): `name`, `name:tag` or `:tag`.
 * `name` is matched against the canonical repository name, `tag` against the tag;
 * `*` matches zero or more characters (`/` included), everything else is literal
 * and case-sensitive.
 */

export const MAX_PATTERN_LENGTH = 255;
export const MAX_PATTERNS_PER_LIST = 100;

/** `index` is the pattern's position in the list, or -1 for a problem of the list itself. */
export interface PatternError {
  index: number;
  pattern: string;
  reason: string;
}

export interface CompiledPatternList {
  /** The first pattern (in list order) matching `repository:tag`, or null. */
  matches(repository: string, tag: string): string | null;
  /** The list narrowed to one repository, for matching its many tags without re-testing the name. */
  forRepository(repository: string): RepositoryPatternList;
}

export interface RepositoryPatternList {
  /** As CompiledPatternList.matches for this repository. */
  matches(tag: string): string | null;
}

export class InvalidPatternListError extends Error {
  constructor(readonly errors: readonly PatternError[]) {
    super(`invalid pattern list: ${errors.map(describePatternError).join("; ")}`);
    this.name = "InvalidPatternListError";
  }
}

export function describePatternError(error: PatternError): string {
  return error.index < 0 ? error.reason : `${JSON.stringify(error.pattern)}: ${error.reason}`;
}

const NAME_CHARACTER = /[a-z0-9._/*-]/;
const TAG_CHARACTER = /[A-Za-z0-9_.*-]/;
const NAME_ALPHABET = 'a-z, 0-9, ".", "_", "/", "-" and "*"';
const TAG_ALPHABET = 'A-Z, a-z, 0-9, "_", ".", "-" and "*"';

export function validatePatternList(patterns: readonly string[]): PatternError[] {
  const errors: PatternError[] = [];
  if (patterns.length > MAX_PATTERNS_PER_LIST) {
    errors.push({
      index: -1,
      pattern: "",
      reason: `${patterns.length} patterns; at most ${MAX_PATTERNS_PER_LIST} are allowed`,
    });
  }
  patterns.forEach((pattern, index) => {
    const reason = patternProblem(pattern);
    if (reason !== null) errors.push({ index, pattern, reason });
  });
  return errors;
}

export function compilePatternList(patterns: readonly string[]): CompiledPatternList {
  const errors = validatePatternList(patterns);
  if (errors.length > 0) throw new InvalidPatternListError(errors);
  return new PatternList(patterns.map(compilePattern));
}

function patternProblem(pattern: string): string | null {
  if (pattern === "") return "empty pattern";
  if (pattern.length > MAX_PATTERN_LENGTH) {
    return `${pattern.length} characters; at most ${MAX_PATTERN_LENGTH} are allowed`;
  }
  const parts = pattern.split(":");
  if (parts.length > 2) return 'more than one ":"; a pattern is name, name:tag or :tag';
  const [name, tag] = parts;
  if (tag === undefined) return partProblem("name", name, NAME_CHARACTER, NAME_ALPHABET);
  if (name === "" && tag === "") return 'empty name and tag; a pattern is name, name:tag or :tag';
  if (tag === "") return `empty tag after ":"; write "${name}" to match every tag`;
  if (name !== "") {
    const nameProblem = partProblem("name", name, NAME_CHARACTER, NAME_ALPHABET);
    if (nameProblem !== null) return nameProblem;
  }
  return partProblem("tag", tag, TAG_CHARACTER, TAG_ALPHABET);
}

function partProblem(part: string, text: string, allowed: RegExp, alphabet: string): string | null {
  for (const character of text) {
    if (!allowed.test(character)) {
      const hint = part === "name" && /[A-Z]/.test(character) ? " (names are lower-case)" : "";
      return `invalid character ${JSON.stringify(character)} in ${part} ${JSON.stringify(text)}${hint}; ${part}s use ${alphabet}`;
    }
  }
  return null;
}

interface CompiledPattern {
  source: string;
  /** null: any repository (`:tag`) or any tag (`name`). */
  name: Glob | null;
  tag: Glob | null;
}

function compilePattern(source: string): CompiledPattern {
  const separator = source.indexOf(":");
  if (separator < 0) return { source, name: new Glob(source), tag: null };
  const name = source.slice(0, separator);
  return { source, name: name === "" ? null : new Glob(name), tag: new Glob(source.slice(separator + 1)) };
}

class PatternList implements CompiledPatternList {
  constructor(private readonly patterns: readonly CompiledPattern[]) {}

  matches(repository: string, tag: string): string | null {
    for (const pattern of this.patterns) {
      if ((pattern.name === null || pattern.name.test(repository)) && (pattern.tag === null || pattern.tag.test(tag))) {
        return pattern.source;
      }
    }
    return null;
  }

  forRepository(repository: string): RepositoryPatternList {
    return new RepositoryPatterns(this.patterns.filter((pattern) => pattern.name === null || pattern.name.test(repository)));
  }
}

class RepositoryPatterns implements RepositoryPatternList {
  constructor(private readonly patterns: readonly CompiledPattern[]) {}

  matches(tag: string): string | null {
    for (const pattern of this.patterns) {
      if (pattern.tag === null || pattern.tag.test(tag)) return pattern.source;
    }
    return null;
  }
}

/**
 * A `*`-only glob as literal pieces: `head*middle1*…*tail`. The text must start with
 * `head`, end with `tail`, and contain the middles in order in between; taking each
 * middle at its leftmost position is always optimal, so one pass decides (no regex,
 * no backtracking).
 */
class Glob {
  private readonly exact: boolean;
  private readonly head: string;
  private readonly middles: readonly string[];
  private readonly tail: string;
  private readonly minLength: number;

  constructor(private readonly pattern: string) {
    const pieces = pattern.split("*");
    this.exact = pieces.length === 1;
    this.head = pieces[0];
    this.tail = pieces.length > 1 ? pieces[pieces.length - 1] : "";
    this.middles = pieces.slice(1, -1).filter((piece) => piece !== "");
    this.minLength = pieces.reduce((length, piece) => length + piece.length, 0);
  }

  test(text: string): boolean {
    if (this.exact) return text === this.pattern;
    if (text.length < this.minLength || !text.startsWith(this.head) || !text.endsWith(this.tail)) return false;
    const end = text.length - this.tail.length;
    let position = this.head.length;
    for (const middle of this.middles) {
      const found = text.indexOf(middle, position);
      if (found < 0 || found + middle.length > end) return false;
      position = found + middle.length;
    }
    return true;
  }
}
