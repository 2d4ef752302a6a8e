import type { Analyzer, FileContent, FileAnalysis, FoundPackage } from "../analyzer";
import { parseJsonObject } from "./json";
import { type NpmPackageRef, parsePackageLock } from "./package-lock";
import { uniquePackages } from "./unique-packages";
import { parseYarnLock } from "./yarn-lock";

/** The manifest at the root of an installed package: `node_modules/[@scope/]<name>/package.json`. */
const INSTALLED_MANIFEST = /(^|\/)node_modules\/(@[^/]+\/)?[^/.@][^/]*\/package\.json$/;
const LOCKFILE = /(^|\/)(package-lock\.json|npm-shrinkwrap\.json|yarn\.lock)$/;
/** npm keeps a lockfile of its own in node_modules (`.package-lock.json`), and packages there may ship theirs. */
const INSIDE_NODE_MODULES = /(^|\/)node_modules\//;

/**
 * npm packages: installed ones from their package.json in node_modules,
 * and those a project's lockfile names. Names keep their scope
 * (`@types/node`), as npm and OSV write them.
 */
export const npmAnalyzer: Analyzer = {
  name: "npm",
  version: 1,
  required: (file) =>
    INSTALLED_MANIFEST.test(file.path) || (LOCKFILE.test(file.path) && !INSIDE_NODE_MODULES.test(file.path)),
  analyze: (file) => (INSTALLED_MANIFEST.test(file.path) ? installedPackage(file) : lockfilePackages(file)),
};

async function installedPackage(file: FileContent): Promise<FileAnalysis | null> {
  const { name, version } = parseJsonObject(await file.read(), file.path);
  if (typeof name !== "string" || typeof version !== "string" || name === "" || version === "") return null;
  return { packages: [{ type: "npm", name, version, origin: "installed" }] };
}

async function lockfilePackages(file: FileContent): Promise<FileAnalysis | null> {
  const content = await file.read();
  const refs = file.path.endsWith("yarn.lock")
    ? parseYarnLock(content.toString("utf8"))
    : parsePackageLock(parseJsonObject(content, file.path));
  return refs && { packages: uniquePackages(refs.map(lockfilePackage)) };
}

function lockfilePackage({ name, version }: NpmPackageRef): FoundPackage {
  return { type: "npm", name, version, origin: "lockfile" };
}
