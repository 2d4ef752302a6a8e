import type { FoundPackage } from "../analyzer";

/** Drops repeats: a lockfile or a fat jar can name the same package at several places. */
export function uniquePackages(packages: readonly FoundPackage[]): FoundPackage[] {
  const byKey = new Map<string, FoundPackage>();
  for (const found of packages) {
    const key = JSON.stringify([found.type, found.namespace, found.name, found.version, found.origin]);
    if (!byKey.has(key)) byKey.set(key, found);
  }
  return [...byKey.values()];
}
