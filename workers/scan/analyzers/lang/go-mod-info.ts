import type { FoundPackage } from "../analyzer";
import type { BuildInfo } from "./go-build-info";

interface ModuleLine {
  path: string;
  version: string;
  replacement?: { path: string; version: string };
}

/**
 * The modules a Go binary was built from: its main module when it has a
 * real version (not `(devel)`), its dependencies, and the standard library
 * as the pseudo-module `stdlib`, which is how OSV names it.
 */
export function goModulePackages({ goVersion, modInfo }: BuildInfo): FoundPackage[] {
  const modules: ModuleLine[] = [];
  let last: ModuleLine | undefined;
  for (const line of modInfo.split("\n")) {
    const [kind, path, version = ""] = line.split("\t");
    if (kind === "mod" || kind === "dep") {
      last = { path, version };
      modules.push(last);
    } else if (kind === "=>" && last) {
      last.replacement = { path, version };
    }
  }

  const packages: FoundPackage[] = [];
  const stdlibVersion = /^go(\d\S*)/.exec(goVersion)?.[1];
  if (stdlibVersion) packages.push(goPackage("stdlib", stdlibVersion));
  for (const module of modules) {
    // A replacement by a local directory has no version: the module keeps the identity its go.mod requires.
    const used = module.replacement && isModuleVersion(module.replacement.version) ? module.replacement : module;
    if (isModuleVersion(used.version)) packages.push(goPackage(used.path, used.version));
  }
  return packages;
}

function isModuleVersion(version: string): boolean {
  return /^v\d/.test(version);
}

function goPackage(name: string, version: string): FoundPackage {
  return { type: "golang", name, version, origin: "installed" };
}
