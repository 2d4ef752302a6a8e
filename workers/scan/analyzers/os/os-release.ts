import type { Analyzer, OsRelease } from "../analyzer";

const OS_RELEASE_PATHS: ReadonlySet<string> = new Set(["etc/os-release", "usr/lib/os-release"]);

export const osReleaseAnalyzer: Analyzer = {
  name: "os-release",
  version: 1,
  required: (file) => OS_RELEASE_PATHS.has(file.path),
  async analyze(file) {
    const os = parseOsRelease((await file.read()).toString("utf8"));
    return os ? { packages: [], os } : null;
  },
};

/** Null when the file names no `ID`. */
export function parseOsRelease(text: string): OsRelease | null {
  const variables = parseAssignments(text);
  const id = variables.get("ID")?.toLowerCase();
  if (!id) return null;
  return {
    id,
    versionId: variables.get("VERSION_ID") || null,
    prettyName: variables.get("PRETTY_NAME") || null,
    versionCodename: variables.get("VERSION_CODENAME") || null,
    idLike: (variables.get("ID_LIKE") ?? "").toLowerCase().split(/\s+/).filter(Boolean),
  };
}

const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$/;

/** `KEY=value` lines; the last assignment of a key wins, as in a shell. Lines that are no assignment are ignored. */
function parseAssignments(text: string): Map<string, string> {
  const variables = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed.startsWith("#")) continue;
    const match = ASSIGNMENT.exec(trimmed);
    if (match) variables.set(match[1], shellWord(match[2].trim()));
  }
  return variables;
}

/** Inside double quotes a backslash escapes only these, as in a shell; elsewhere it is kept. */
const ESCAPABLE_IN_DOUBLE_QUOTES = new Set(['"', "\\", "$", "`"]);

/**
 * The value of a shell word: quotes removed, backslash escapes resolved.
 * Lenient like systemd's reader: an unterminated quote runs to the end of
 * the line and unquoted spaces are kept.
 */
function shellWord(raw: string): string {
  let value = "";
  let quote: '"' | "'" | null = null;
  for (let at = 0; at < raw.length; at++) {
    const char = raw[at];
    if (quote === "'") {
      if (char === "'") quote = null;
      else value += char;
    } else if (char === "\\" && at + 1 < raw.length) {
      const next = raw[at + 1];
      if (quote === null || ESCAPABLE_IN_DOUBLE_QUOTES.has(next)) {
        value += next;
        at++;
      } else {
        value += char;
      }
    } else if (char === quote) {
      quote = null;
    } else if (quote === null && (char === '"' || char === "'")) {
      quote = char;
    } else {
      value += char;
    }
  }
  return value;
}
