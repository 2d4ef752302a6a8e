import { type JsonObject, isJsonObject } from "./json";

export interface NpmPackageRef {
  name: string;
  version: string;
}

/**
 * npm's package-lock.json / npm-shrinkwrap.json. Version 2 and 3 list every
 * installed package in `packages`, keyed by its path (`node_modules/a/node_modules/b`);
 * version 1 nests `dependencies` objects instead.
 * https://docs.npmjs.com/cli/configuring-npm/package-lock-json
 */
export function parsePackageLock(lock: JsonObject): NpmPackageRef[] {
  if (isJsonObject(lock.packages)) return packagesMapEntries(lock.packages);
  if (isJsonObject(lock.dependencies)) return dependencyTreeEntries(lock.dependencies);
  return [];
}

const INSTALL_PATH = "node_modules/";

function packagesMapEntries(packages: JsonObject): NpmPackageRef[] {
  const found: NpmPackageRef[] = [];
  for (const [path, entry] of Object.entries(packages)) {
    // "" is the project itself; paths outside node_modules are its workspaces; links point at either.
    const at = path.lastIndexOf(INSTALL_PATH);
    if (at < 0 || !isJsonObject(entry) || entry.link === true) continue;
    // `name` is set when the install path is an alias (`"x": "npm:y@1"`).
    const name = typeof entry.name === "string" ? entry.name : path.slice(at + INSTALL_PATH.length);
    if (typeof entry.version === "string" && entry.version !== "") found.push({ name, version: entry.version });
  }
  return found;
}

/** Walks the nested v1 tree with an explicit stack: its depth comes from the file. */
function dependencyTreeEntries(root: JsonObject): NpmPackageRef[] {
  const found: NpmPackageRef[] = [];
  const pending: JsonObject[] = [root];
  for (let level = pending.pop(); level; level = pending.pop()) {
    for (const [name, entry] of Object.entries(level)) {
      if (!isJsonObject(entry)) continue;
      if (typeof entry.version === "string") {
        const resolved = registryVersion(name, entry.version);
        if (resolved) found.push(resolved);
      }
      if (isJsonObject(entry.dependencies)) pending.push(entry.dependencies);
    }
  }
  return found;
}

/**
 * A v1 `version` is a registry version, an alias (`npm:real-name@1.2.3`),
 * or where the package came from instead (`file:…`, `git+https://…`,
 * `github:user/repo#…`), which names no version.
 */
function registryVersion(name: string, version: string): NpmPackageRef | null {
  const alias = /^npm:(@?[^@]+)@(.+)$/.exec(version);
  if (alias) return { name: alias[1], version: alias[2] };
  return /[:/]/.test(version) ? null : { name, version };
}
