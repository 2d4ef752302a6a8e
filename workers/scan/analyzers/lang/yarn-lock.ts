import type { NpmPackageRef } from "./package-lock";

/**
 * Yarn 1's yarn.lock: unindented lines list the specifiers an entry
 * satisfies (`"@babel/core@^7.0.0", "@babel/core@^7.1.0":`), and the
 * entry's indented `version "7.1.2"` line what was installed. Yarn 2+
 * lockfiles (YAML, with `__metadata`) are not read: null.
 */
export function parseYarnLock(text: string): NpmPackageRef[] | null {
  if (!text.includes("# yarn lockfile v1")) return null;
  const found: NpmPackageRef[] = [];
  let names: Set<string> = new Set();
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith("#") || line.trim() === "") continue;
    if (!/^\s/.test(line)) {
      names = new Set(line.replace(/:$/, "").split(",").map(specifierName).filter((name) => name !== null));
      continue;
    }
    const version = /^ {2}version "?([^"\s]+)"?$/.exec(line);
    if (version) for (const name of names) found.push({ name, version: version[1] });
  }
  return found;
}

/**
 * The package a specifier names: `name@range`, `@scope/name@range`, or
 * `alias@npm:name@range`; null for local sources (`file:`, `link:`).
 */
function specifierName(specifier: string): string | null {
  const unquoted = specifier.trim().replace(/^"|"$/g, "");
  const at = unquoted.indexOf("@", 1);
  if (at < 0) return null;
  const range = unquoted.slice(at + 1);
  if (range.startsWith("npm:")) return specifierName(range.slice("npm:".length));
  return /^(file|link):/.test(range) ? null : unquoted.slice(0, at);
}
