import type { FileAnalysis, FoundPackage, OsRelease } from "../analyzers/analyzer";
import { isScanError } from "../errors";
import { analyzeLayer } from "../layers/analyze-layer";
import { DEFAULT_LAYER_LIMITS, type LayerResult } from "../layers/layer-result";
import {
  blobStream,
  byPath,
  fakeAnalyzer,
  file,
  gzipOf,
  hardlink,
  MediaTypes,
  opaque,
  symlink,
  tarOf,
  whiteout,
  type LayerEntry,
} from "../layers/test-support/layers";
import { type InventoryPackage, mergeLayers } from "./merge";

const HOPS = DEFAULT_LAYER_LIMITS.maxSymlinkHops;

// ------------------------------------------------------------ fakes reading real tar layers

/** `KEY=value` lines; enough os-release for these tests. */
function osRelease(text: string): OsRelease {
  const values = new Map(text.split("\n").map((line) => line.split("=") as [string, string]));
  return { id: values.get("ID") ?? "", versionId: values.get("VERSION_ID") ?? null, prettyName: null, versionCodename: null, idLike: [] };
}

/** A dpkg-like database: one `name version` per line. */
const listed = (type: FoundPackage["type"], origin: FoundPackage["origin"]) => async (_: unknown, content: Buffer | null) => ({
  packages: String(content)
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [name, version] = line.split(" ");
      return { type, name, version, origin };
    }),
});

const analyzers = [
  fakeAnalyzer("os-release", byPath("etc/os-release", "usr/lib/os-release"), { analyze: async (_, content) => ({ packages: [], os: osRelease(String(content)) }) }),
  fakeAnalyzer("dpkg", byPath("var/lib/dpkg/status"), { analyze: listed("deb", "installed") }),
  fakeAnalyzer("node", (info) => info.path.endsWith("/package.json"), { analyze: listed("npm", "installed") }),
  fakeAnalyzer("lockfile", (info) => info.path.endsWith("/package-lock.json"), { analyze: listed("npm", "lockfile") }),
];

async function imageOf(...layers: LayerEntry[][]) {
  const results = [];
  for (const [index, entries] of layers.entries()) {
    const result = await analyzeLayer(blobStream(gzipOf(await tarOf(entries))), MediaTypes.ociGzip, analyzers, DEFAULT_LAYER_LIMITS);
    results.push({ digest: `sha256:layer${index + 1}`, result });
  }
  return mergeLayers(results, HOPS);
}

const summary = (packages: InventoryPackage[]) => packages.map((found) => `${found.name}@${found.version} ${found.path} ${found.layerDigest}`);

describe("mergeLayers over real layers", () => {
  it("builds the final view: replaced files, whiteouts and opaque directories across layers", async () => {
    const inventory = await imageOf(
      [
        file("usr/lib/os-release", "ID=debian\nVERSION_ID=12"),
        symlink("etc/os-release", "../usr/lib/os-release"),
        file("var/lib/dpkg/status", "base-files 12.4\nopenssl 3.0.11-1"),
        file("srv/old/package.json", "left-pad 1.0.0"),
        file("srv/keep/package.json", "kept 1.0.0"),
        file("opt/app/node_modules/a/package.json", "under-opaque 1.0.0"),
      ],
      [file("var/lib/dpkg/status", "base-files 12.4\nopenssl 3.0.13-1\ncurl 7.88.1"), whiteout("srv/old"), opaque("opt/app")],
      [file("opt/app/node_modules/b/package.json", "after-opaque 2.0.0")],
    );
    expect(inventory.os).toMatchObject({ id: "debian", versionId: "12" });
    expect(summary(inventory.packages)).toEqual([
      "base-files@12.4 var/lib/dpkg/status sha256:layer1",
      "curl@7.88.1 var/lib/dpkg/status sha256:layer2",
      "openssl@3.0.13-1 var/lib/dpkg/status sha256:layer2",
      "after-opaque@2.0.0 opt/app/node_modules/b/package.json sha256:layer3",
      "kept@1.0.0 srv/keep/package.json sha256:layer1",
    ]);
    expect(inventory.packages[1].purl).toBe("pkg:deb/debian/curl@7.88.1?distro=debian-12");
  });

  it("keeps what the layer with the opaque directory puts in it", async () => {
    const inventory = await imageOf([file("app/x/package.json", "lower 1")], [opaque("app"), file("app/y/package.json", "same-layer 1")]);
    expect(summary(inventory.packages)).toEqual(["same-layer@1 app/y/package.json sha256:layer2"]);
  });

  it("follows a link to a file another layer provides, as that file is at the end", async () => {
    const inventory = await imageOf(
      [file("usr/lib/os-release", "ID=debian\nVERSION_ID=11")],
      [symlink("etc/os-release", "/usr/lib/os-release")],
      [file("usr/lib/os-release", "ID=debian\nVERSION_ID=12")],
    );
    expect(inventory.os).toMatchObject({ id: "debian", versionId: "12" });
  });

  it("follows hard links", async () => {
    const inventory = await imageOf([file("usr/lib/os-release", "ID=alpine\nVERSION_ID=3.19.1"), hardlink("etc/os-release", "usr/lib/os-release")]);
    expect(inventory.os).toMatchObject({ id: "alpine", versionId: "3.19.1" });
  });

  it("fails a symlink loop with SYMLINK_LOOP", async () => {
    const looping = imageOf([symlink("etc/os-release", "../usr/lib/os-release")], [symlink("usr/lib/os-release", "/etc/os-release")]);
    await expect(looping).rejects.toMatchObject({ code: "SYMLINK_LOOP" });
  });

  it("dates a package from the first layer it appears in, even in a file replaced since", async () => {
    const inventory = await imageOf(
      [file("var/lib/dpkg/status", "zlib1g 1.2.13")],
      [whiteout("var/lib/dpkg/status")],
      [file("var/lib/dpkg/status", "zlib1g 1.2.13\nnew 1")],
    );
    expect(summary(inventory.packages)).toEqual(["new@1 var/lib/dpkg/status sha256:layer3", "zlib1g@1.2.13 var/lib/dpkg/status sha256:layer1"]);
  });
});

// ------------------------------------------------------------ layer results written out

function layer(parts: Partial<LayerResult>): { digest: string; result: LayerResult } {
  layerCount++;
  return {
    digest: `sha256:l${layerCount}`,
    result: { files: [], links: [], whiteouts: [], opaqueDirs: [], stats: { entries: 0, uncompressedBytes: 0, confinedPaths: 0 }, ...parts },
  };
}
let layerCount = 0;
beforeEach(() => (layerCount = 0));

const declared = (path: string, ...packages: FoundPackage[]) => ({ path, analyzer: "fake", result: { packages } as FileAnalysis });
const npm = (name: string, version: string, origin: FoundPackage["origin"] = "installed"): FoundPackage => ({ type: "npm", name, version, origin });
const osFile = (path: string, id: string) => ({ path, analyzer: "os-release", result: { packages: [], os: osRelease(`ID=${id}`) } });

describe("mergeLayers", () => {
  it("gives an empty inventory for no layers", () => {
    expect(mergeLayers([], HOPS)).toEqual({ os: null, packages: [] });
  });

  it("lists a package once per declaring file", () => {
    const { packages } = mergeLayers(
      [layer({ files: [declared("a/package.json", npm("x", "1"), npm("x", "1")), declared("b/package.json", npm("x", "1"))] })],
      HOPS,
    );
    expect(summary(packages)).toEqual(["x@1 a/package.json sha256:l1", "x@1 b/package.json sha256:l1"]);
  });

  it("drops lockfile entries of a package that is installed, keeps the others", () => {
    const { packages } = mergeLayers(
      [
        layer({
          files: [
            declared("app/package-lock.json", npm("x", "1", "lockfile"), npm("y", "2", "lockfile"), npm("x", "2", "lockfile")),
            declared("app/node_modules/x/package.json", npm("x", "1")),
          ],
        }),
      ],
      HOPS,
    );
    expect(packages.map((found) => [found.name, found.version, found.origin, found.path])).toEqual([
      ["x", "1", "installed", "app/node_modules/x/package.json"],
      ["x", "2", "lockfile", "app/package-lock.json"],
      ["y", "2", "lockfile", "app/package-lock.json"],
    ]);
  });

  it("sorts by type, name, version and path", () => {
    const deb: FoundPackage = { type: "deb", name: "zlib1g", version: "1", origin: "installed" };
    const { packages } = mergeLayers(
      [layer({ files: [declared("z/package.json", npm("b", "1"), npm("a", "10"), npm("a", "9")), declared("a/package.json", npm("b", "1")), declared("var/lib/dpkg/status", deb)] })],
      HOPS,
    );
    expect(packages.map((found) => `${found.type}:${found.name}@${found.version} ${found.path}`)).toEqual([
      "deb:zlib1g@1 var/lib/dpkg/status",
      "npm:a@10 z/package.json",
      "npm:a@9 z/package.json",
      "npm:b@1 a/package.json",
      "npm:b@1 z/package.json",
    ]);
  });

  it("lets a file that declared nothing replace a lower layer's", () => {
    const { packages } = mergeLayers([layer({ files: [declared("bin/app", npm("x", "1"))] }), layer({ files: [declared("bin/app")] })], HOPS);
    expect(packages).toEqual([]);
  });

  it("keeps every analyzer's result for a path within one layer", () => {
    const { packages } = mergeLayers(
      [layer({ files: [declared("bin/app", npm("old", "1"))] }), layer({ files: [declared("bin/app", npm("x", "1")), declared("bin/app", npm("y", "1"))] })],
      HOPS,
    );
    expect(summary(packages)).toEqual(["x@1 bin/app sha256:l2", "y@1 bin/app sha256:l2"]);
  });

  it("removes everything below a whited-out directory, and nothing beside it", () => {
    const { packages } = mergeLayers(
      [
        layer({ files: [declared("usr/lib/node_modules/a/package.json", npm("a", "1")), declared("usr/lib64/b/package.json", npm("b", "1"))] }),
        layer({ whiteouts: ["usr/lib"] }),
      ],
      HOPS,
    );
    expect(summary(packages)).toEqual(["b@1 usr/lib64/b/package.json sha256:l1"]);
  });

  it("hides every lower layer below an opaque root", () => {
    const { packages } = mergeLayers([layer({ files: [declared("a/package.json", npm("a", "1"))] }), layer({ opaqueDirs: [""] })], HOPS);
    expect(packages).toEqual([]);
  });

  it("reads the OS from etc/os-release first, then usr/lib/os-release", () => {
    const both = layer({ files: [osFile("usr/lib/os-release", "fedora"), osFile("etc/os-release", "rhel")] });
    expect(mergeLayers([both], HOPS).os?.id).toBe("rhel");
    const fallback = layer({ files: [osFile("usr/lib/os-release", "fedora")], links: [{ path: "etc/os-release", target: "missing", kind: "symlink" }] });
    expect(mergeLayers([fallback], HOPS).os?.id).toBe("fedora");
    expect(mergeLayers([both, layer({ whiteouts: ["etc/os-release"] })], HOPS).os?.id).toBe("fedora");
  });

  it("follows at most maxSymlinkHops links", () => {
    const chain = (length: number) =>
      layer({
        files: [osFile("os/0", "debian")],
        links: Array.from({ length }, (_, index) => ({ path: index === length - 1 ? "etc/os-release" : `os/${index + 1}`, target: `/os/${index}`, kind: "symlink" as const })),
      });
    expect(mergeLayers([chain(3)], 3).os?.id).toBe("debian");
    let error: unknown;
    try {
      mergeLayers([chain(4)], 3);
    } catch (caught) {
      error = caught;
    }
    expect(isScanError(error, "SYMLINK_LOOP")).toBe(true);
  });

  it("confines a link target that climbs above the root", () => {
    const result = mergeLayers(
      [layer({ files: [osFile("usr/lib/os-release", "debian")], links: [{ path: "etc/os-release", target: "../../../../usr/lib/os-release", kind: "symlink" }] })],
      HOPS,
    );
    expect(result.os?.id).toBe("debian");
  });

  it("uses the image's OS for OS packages only", () => {
    const { packages } = mergeLayers(
      [
        layer({
          files: [
            osFile("etc/os-release", "ubuntu"),
            declared("var/lib/dpkg/status", { type: "deb", name: "bash", version: "5.1", origin: "installed" }),
            declared("app/package.json", npm("x", "1")),
          ],
        }),
      ],
      HOPS,
    );
    expect(packages.map((found) => found.purl)).toEqual(["pkg:deb/ubuntu/bash@5.1", "pkg:npm/x@1"]);
  });
});
