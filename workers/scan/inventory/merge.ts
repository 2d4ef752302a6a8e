import type { FoundPackage, OsRelease } from "../analyzers/analyzer";
import type { LayerResult } from "../layers/layer-result";
import { ImageView } from "./image-view";
import { packageIdentity, purlOf } from "./purl";

export type InventoryPackage = FoundPackage & {
  /** The file that declared it. */
  path: string;
  /** The first layer, bottom-up, in which a package of this identity appears at all (DESIGN). */
  layerDigest: string;
  purl: string;
};

export interface Inventory {
  os: OsRelease | null;
  packages: InventoryPackage[];
}

const OS_RELEASE_PATHS = ["etc/os-release", "usr/lib/os-release"];

/**
 * What an image holds, from its layers' results in manifest order (bottom
 * first): the os-release and every package of every file still visible in
 * the final filesystem, once per identity and declaring file, an installed
 * package hiding lockfile entries of the same identity, sorted by type,
 * name, version and path.
 */
export function mergeLayers(layers: ReadonlyArray<{ digest: string; result: LayerResult }>, maxSymlinkHops: number): Inventory {
  const view = new ImageView(layers.map(({ result }) => result));
  const os = osOf(view, maxSymlinkHops);
  const firstLayers = firstLayerOfEachPackage(layers, os);
  const byIdentityAndPath = new Map<string, { identity: string; found: InventoryPackage }>();
  for (const { path, analyses } of view.files()) {
    for (const found of analyses.flatMap((analysis) => analysis.packages)) {
      const identity = packageIdentity(found, os);
      const key = `${identity}\0${path}`;
      if (byIdentityAndPath.has(key)) continue;
      const layerDigest = firstLayers.get(identity) as string;
      byIdentityAndPath.set(key, { identity, found: { ...found, path, layerDigest, purl: purlOf(found, os) } });
    }
  }
  const candidates = [...byIdentityAndPath.values()];
  const installed = new Set(candidates.filter(({ found }) => found.origin === "installed").map(({ identity }) => identity));
  const packages = candidates
    .filter(({ identity, found }) => found.origin === "installed" || !installed.has(identity))
    .map(({ found }) => found)
    .sort(byTypeNameVersionPath);
  return { os, packages };
}

function osOf(view: ImageView, maxSymlinkHops: number): OsRelease | null {
  for (const path of OS_RELEASE_PATHS) {
    const os = view.resolve(path, maxSymlinkHops)?.find((analysis) => analysis.os)?.os;
    if (os) return os;
  }
  return null;
}

/** Counted over every file of every layer, hidden or replaced ones included. */
function firstLayerOfEachPackage(layers: ReadonlyArray<{ digest: string; result: LayerResult }>, os: OsRelease | null): Map<string, string> {
  const first = new Map<string, string>();
  for (const { digest, result } of layers) {
    for (const { result: analysis } of result.files) {
      for (const found of analysis.packages) {
        const identity = packageIdentity(found, os);
        if (!first.has(identity)) first.set(identity, digest);
      }
    }
  }
  return first;
}

function byTypeNameVersionPath(a: InventoryPackage, b: InventoryPackage): number {
  return compare(a.type, b.type) || compare(a.name, b.name) || compare(a.version, b.version) || compare(a.path, b.path) || compare(a.purl, b.purl);
}

/** By UTF-16 code units, the same on every machine (unlike localeCompare). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
