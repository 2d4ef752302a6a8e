import { Readable } from "node:stream";
import { RegistryError } from "../../registry/errors";
import type { FileInfo } from "../analyzers/analyzer";
import { isScanError, type ScanErrorCode } from "../errors";
import { analyzeLayer, type AnalyzeLayerOptions } from "./analyze-layer";
import { DEFAULT_LAYER_LIMITS, type LayerLimits } from "./layer-result";
import {
  blobStream,
  byPath,
  directory,
  fakeAnalyzer,
  file,
  gzipOf,
  gzipStream,
  hardlink,
  MediaTypes,
  opaque,
  symlink,
  tarOf,
  whiteout,
  zeroFileTar,
  zstdOf,
  type LayerEntry,
} from "./test-support/layers";

const MiB = 1024 * 1024;
const everything = () => true;

async function layerOf(entries: LayerEntry[], compression: "none" | "gzip" | "zstd" = "gzip"): Promise<Buffer> {
  const tar = await tarOf(entries);
  if (compression === "none") return tar;
  return compression === "gzip" ? gzipOf(tar) : zstdOf(tar);
}

function analyze(bytes: Buffer, analyzers = [fakeAnalyzer("fake", everything)], limits: Partial<LayerLimits> = {}, options: AnalyzeLayerOptions = {}) {
  return analyzeLayer(blobStream(bytes), MediaTypes.ociGzip, analyzers, { ...DEFAULT_LAYER_LIMITS, ...limits }, options);
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected a failure");
    },
    (error: unknown) => error,
  );
}

async function expectScanError(promise: Promise<unknown>, code: ScanErrorCode): Promise<void> {
  const error = await failure(promise);
  expect(isScanError(error) ? error.code : error).toBe(code);
}

const packagesOf = (result: Awaited<ReturnType<typeof analyzeLayer>>) =>
  result.files.flatMap(({ path, result }) => result.packages.map((found) => `${path}=${found.version}`));

describe("analyzeLayer: media types", () => {
  const entries = [directory("etc"), file("etc/app.conf", "1.0"), file("usr/bin/tool", "2.0", 0o755)];

  it.each([
    ["application/vnd.oci.image.layer.v1.tar", "none"],
    ["application/vnd.oci.image.layer.nondistributable.v1.tar", "none"],
    ["application/vnd.docker.image.rootfs.diff.tar", "none"],
    ["application/vnd.oci.image.layer.v1.tar+gzip", "gzip"],
    ["application/vnd.oci.image.layer.nondistributable.v1.tar+gzip", "gzip"],
    ["application/vnd.docker.image.rootfs.diff.tar.gzip", "gzip"],
    ["application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", "gzip"],
    ["application/vnd.oci.image.layer.v1.tar+zstd", "zstd"],
    ["application/vnd.oci.image.layer.nondistributable.v1.tar+zstd", "zstd"],
  ] as const)("reads %s", async (mediaType, compression) => {
    const tar = await tarOf(entries);
    const bytes = await layerOf(entries, compression);
    const result = await analyzeLayer(blobStream(bytes, 1000), mediaType, [fakeAnalyzer("fake", everything)], DEFAULT_LAYER_LIMITS);
    expect(packagesOf(result)).toEqual(["etc/app.conf=1.0", "usr/bin/tool=2.0"]);
    expect(result.stats).toEqual({ entries: 3, uncompressedBytes: tar.length, confinedPaths: 0 });
  });

  it("hands analyzers the header's size and permission bits", async () => {
    const infos: FileInfo[] = [];
    const recording = fakeAnalyzer("recording", (info) => {
      infos.push(info);
      return false;
    });
    await analyze(await layerOf([file("usr/bin/tool", "12345", 0o4755)]), [recording]);
    expect(infos).toEqual([{ path: "usr/bin/tool", size: 5, mode: 0o4755 }]);
  });

  it("refuses an unknown media type without reading the blob, and destroys it", async () => {
    const blob = blobStream(await layerOf([file("a", "1")]));
    const result = analyzeLayer(blob, "application/vnd.oci.image.layer.v1.tar+bzip2", [], DEFAULT_LAYER_LIMITS);
    await expectScanError(result, "UNSUPPORTED_MEDIA_TYPE");
    expect(blob.destroyed).toBe(true);
  });

  it.each([
    ["gzip", MediaTypes.ociGzip],
    ["zstd", MediaTypes.ociZstd],
  ] as const)("fails a corrupt %s layer with INVALID_LAYER", async (compression, mediaType) => {
    const bytes = await layerOf([file("a", "x".repeat(10_000))], compression);
    const corrupt = Buffer.from(bytes);
    corrupt.fill(0x55, 20, 60);
    await expectScanError(analyzeLayer(blobStream(corrupt), mediaType, [], DEFAULT_LAYER_LIMITS), "INVALID_LAYER");
  });

  it.each([
    ["gzip", MediaTypes.ociGzip],
    ["zstd", MediaTypes.ociZstd],
  ] as const)("fails a truncated %s layer with INVALID_LAYER", async (compression, mediaType) => {
    const bytes = await layerOf([file("a", "x".repeat(10_000))], compression);
    await expectScanError(analyzeLayer(blobStream(bytes.subarray(0, bytes.length - 10)), mediaType, [], DEFAULT_LAYER_LIMITS), "INVALID_LAYER");
  });

  it("fails data that is not gzip with INVALID_LAYER", async () => {
    await expectScanError(analyze(Buffer.from("this is no gzip stream")), "INVALID_LAYER");
  });

  it("fails a corrupt tar with INVALID_LAYER", async () => {
    const garbage = Buffer.alloc(2048, 0x41);
    await expectScanError(analyzeLayer(blobStream(garbage), MediaTypes.ociTar, [], DEFAULT_LAYER_LIMITS), "INVALID_LAYER");
  });

  it("fails a tar cut off inside a file with INVALID_LAYER", async () => {
    const tar = await tarOf([file("a", "x".repeat(4000))]);
    await expectScanError(analyzeLayer(blobStream(tar.subarray(0, 2048)), MediaTypes.ociTar, [], DEFAULT_LAYER_LIMITS), "INVALID_LAYER");
  });
});

describe("analyzeLayer: entries", () => {
  it("records whiteouts and opaque directories, which are not files", async () => {
    const analyzer = fakeAnalyzer("fake", everything);
    const result = await analyze(
      await layerOf([whiteout("etc/old.conf"), whiteout("gone"), opaque("var/lib/dpkg"), file("etc/new.conf", "1")]),
      [analyzer],
    );
    expect(result.whiteouts).toEqual(["etc/old.conf", "gone"]);
    expect(result.opaqueDirs).toEqual(["var/lib/dpkg"]);
    expect(analyzer.seen).toEqual(["etc/new.conf"]);
  });

  it("ignores a whiteout that names no file", async () => {
    const result = await analyze(await layerOf([file(".wh.", ""), file("etc/.wh..", "")]), []);
    expect(result.whiteouts).toEqual([]);
  });

  it("confines paths outside the root and reports them", async () => {
    const confined: Array<[string, string]> = [];
    const analyzer = fakeAnalyzer("fake", everything);
    const result = await analyze(
      await layerOf([file("../../etc/passwd", "1"), file("/abs/file", "2"), file("./usr/../etc/group", "3"), file("a/b/../../../c", "4")]),
      [analyzer],
      {},
      { onConfinedPath: (original, normalised) => confined.push([original, normalised]) },
    );
    expect(analyzer.seen).toEqual(["etc/passwd", "abs/file", "etc/group", "c"]);
    expect(confined).toEqual([
      ["../../etc/passwd", "etc/passwd"],
      ["/abs/file", "abs/file"],
      ["a/b/../../../c", "c"],
    ]);
    expect(result.stats.confinedPaths).toBe(3);
  });

  it("records the links whose own path an analyzer requires", async () => {
    const result = await analyze(
      await layerOf([
        file("usr/lib/os-release", "ID=debian"),
        symlink("etc/os-release", "../usr/lib/os-release"),
        hardlink("etc/os-release.copy", "./usr/lib/os-release"),
        symlink("etc/unwanted", "elsewhere"),
      ]),
      [fakeAnalyzer("fake", byPath("usr/lib/os-release", "etc/os-release", "etc/os-release.copy"))],
    );
    expect(result.links).toEqual([
      { path: "etc/os-release", target: "../usr/lib/os-release", kind: "symlink" },
      { path: "etc/os-release.copy", target: "usr/lib/os-release", kind: "hardlink" },
    ]);
  });

  it("asks about a link with its own path and size 0", async () => {
    const asked: FileInfo[] = [];
    await analyze(await layerOf([symlink("etc/os-release", "../usr/lib/os-release")]), [
      fakeAnalyzer("fake", (info) => {
        asked.push(info);
        return false;
      }),
    ]);
    expect(asked).toEqual([expect.objectContaining({ path: "etc/os-release", size: 0 })]);
  });

  it("records a file whose analyzer found nothing, so that it replaces a lower layer's", async () => {
    const result = await analyze(await layerOf([file("bin/app", "x")]), [fakeAnalyzer("fake", everything, { analyze: async () => null })]);
    expect(result.files).toEqual([{ path: "bin/app", analyzer: "fake", result: { packages: [] } }]);
  });

  it("drains content nobody wants without handing it over", async () => {
    const analyzer = fakeAnalyzer("fake", (info) => info.path !== "big");
    const result = await analyze(await layerOf([file("one", "1"), file("big", Buffer.alloc(8 * MiB, 1)), file("two", "2")]), [analyzer]);
    expect(analyzer.seen).toEqual(["one", "two"]);
    expect(packagesOf(result)).toEqual(["one=1", "two=2"]);
  });

  it("drains what an analyzer left unread", async () => {
    const partial = fakeAnalyzer("partial", byPath("big"), {
      consume: "none",
      analyze: async (content) => {
        for await (const chunk of content.stream()) return { packages: [{ type: "npm", name: "big", version: String(chunk.length > 0), origin: "installed" }] };
        return null;
      },
    });
    const result = await analyze(await layerOf([file("big", Buffer.alloc(4 * MiB, 1)), file("after", "1")]), [partial, fakeAnalyzer("fake", byPath("after"))]);
    expect(packagesOf(result)).toEqual(["big=true", "after=1"]);
  });

  it("gives a file two analyzers want to both, whatever way each reads it", async () => {
    const content = Buffer.alloc(3 * MiB + 17);
    for (let at = 0; at < content.length; at++) content[at] = at % 251;
    const reader = fakeAnalyzer("reader", byPath("shared"), { consume: "read", analyze: async (_, bytes) => digestOf(bytes) });
    const streamer = fakeAnalyzer("streamer", byPath("shared"), { consume: "stream", analyze: async (_, bytes) => digestOf(bytes) });
    const idle = fakeAnalyzer("idle", byPath("shared"), { consume: "none", analyze: async () => null });
    const result = await analyze(await layerOf([file("shared", content), file("next", "1")]), [reader, idle, streamer, fakeAnalyzer("fake", byPath("next"))]);
    expect(result.files.map(({ analyzer, result }) => [analyzer, result.packages[0]?.version])).toEqual([
      ["reader", checksum(content)],
      ["idle", undefined],
      ["streamer", checksum(content)],
      ["fake", "1"],
    ]);
  });

  it("goes on with the layer when an analyzer throws, and reports it", async () => {
    const failures: unknown[] = [];
    const broken = fakeAnalyzer("broken", byPath("etc/bad"), {
      analyze: async () => {
        throw new Error("cannot parse");
      },
    });
    const result = await analyze(
      await layerOf([file("etc/bad", "x"), file("etc/good", "1")]),
      [broken, fakeAnalyzer("fake", byPath("etc/good", "etc/bad"))],
      {},
      { onAnalyzerError: (failure) => failures.push(failure) },
    );
    expect(failures).toEqual([{ path: "etc/bad", analyzer: "broken", error: new Error("cannot parse") }]);
    expect(result.files).toEqual([
      { path: "etc/bad", analyzer: "broken", result: { packages: [] } },
      { path: "etc/bad", analyzer: "fake", result: { packages: [{ type: "npm", name: "bad", version: "x", origin: "installed" }] } },
      { path: "etc/good", analyzer: "fake", result: { packages: [{ type: "npm", name: "good", version: "1", origin: "installed" }] } },
    ]);
  });
});

describe("analyzeLayer: limits", () => {
  it("fails with TOO_MANY_ENTRIES past the entry bound", async () => {
    const entries = Array.from({ length: 11 }, (_, index) => file(`f${index}`, ""));
    await expect(analyze(await layerOf(entries.slice(0, 10)), [], { maxEntries: 10 })).resolves.toBeDefined();
    await expectScanError(analyze(await layerOf(entries), [], { maxEntries: 10 }), "TOO_MANY_ENTRIES");
  });

  it("fails with LAYER_TOO_LARGE past the uncompressed size bound", async () => {
    const tar = await tarOf([file("a", Buffer.alloc(64 * 1024))]);
    await expect(analyze(gzipOf(tar), [], { maxLayerBytes: tar.length })).resolves.toBeDefined();
    await expectScanError(analyze(gzipOf(tar), [], { maxLayerBytes: tar.length - 1 }), "LAYER_TOO_LARGE");
  });

  it.each([
    ["gzip", MediaTypes.ociGzip, gzipStream],
    ["zstd", MediaTypes.ociZstd, zstdOf],
  ] as const)("stops a %s bomb as soon as it passes the size bound", async (_, mediaType, compress) => {
    const bomb = await compress(zeroFileTar(128 * MiB));
    expect(bomb.length).toBeLessThan(128 * 1024);
    const limits = { ...DEFAULT_LAYER_LIMITS, maxLayerBytes: 4 * MiB };
    const before = process.memoryUsage();
    const started = Date.now();
    await expectScanError(analyzeLayer(blobStream(bomb), mediaType, [fakeAnalyzer("fake", everything)], limits), "LAYER_TOO_LARGE");
    expect(Date.now() - started).toBeLessThan(2000);
    const after = process.memoryUsage();
    expect(after.arrayBuffers + after.heapUsed - before.arrayBuffers - before.heapUsed).toBeLessThan(32 * MiB);
  });

  it("refuses a wanted file above the file bound before handing it over", async () => {
    const analyzer = fakeAnalyzer("fake", everything, { consume: "stream" });
    const bytes = await layerOf([file("small", "1"), file("big", Buffer.alloc(2000))]);
    await expectScanError(analyze(bytes, [analyzer], { maxFileBytes: 1999 }), "FILE_TOO_LARGE");
    expect(analyzer.seen).toEqual(["small"]);
  });

  it("skips an unwanted file above the file bound", async () => {
    const bytes = await layerOf([file("big", Buffer.alloc(2000)), file("small", "1")]);
    const result = await analyze(bytes, [fakeAnalyzer("fake", byPath("small"))], { maxFileBytes: 1000 });
    expect(packagesOf(result)).toEqual(["small=1"]);
  });

  it("streams a file above the buffered bound but refuses to read it into memory", async () => {
    const bytes = await layerOf([file("big", Buffer.alloc(2000, 0x31))]);
    const streamed = await analyze(bytes, [fakeAnalyzer("fake", everything, { consume: "stream" })], { maxBufferedFileBytes: 1000 });
    expect(packagesOf(streamed)).toEqual([`big=${"1".repeat(2000)}`]);
    await expectScanError(analyze(bytes, [fakeAnalyzer("fake", everything, { consume: "read" })], { maxBufferedFileBytes: 1000 }), "FILE_TOO_LARGE");
  });

  it("fails the scan on a refused read even when the analyzer swallows the error", async () => {
    const swallowing = fakeAnalyzer("swallowing", everything, {
      consume: "none",
      analyze: async (content) => {
        await content.read().catch(() => undefined);
        return null;
      },
    });
    await expectScanError(analyze(await layerOf([file("big", Buffer.alloc(2000))]), [swallowing], { maxBufferedFileBytes: 1000 }), "FILE_TOO_LARGE");
  });
});

describe("analyzeLayer: the source stream", () => {
  it("passes the source's own error on unchanged", async () => {
    const bytes = await layerOf([file("a", Buffer.alloc(256 * 1024, 1))]);
    const digestError = new RegistryError("DIGEST_MISMATCH", "blob digest mismatch");
    const source = Readable.from(
      (async function* () {
        yield bytes.subarray(0, 1000);
        throw digestError;
      })(),
    );
    await expect(analyzeLayer(source, MediaTypes.ociGzip, [fakeAnalyzer("fake", everything)], DEFAULT_LAYER_LIMITS)).rejects.toBe(digestError);
  });

  it("stops on abort mid-stream, destroying the source with the reason", async () => {
    const controller = new AbortController();
    const reason = new Error("scan cancelled");
    let chunks = 0;
    const endless = zeroFileTar(1000 * MiB);
    const source = Readable.from(
      (async function* () {
        for await (const chunk of endless) {
          yield chunk;
          if (++chunks === 20) controller.abort(reason);
        }
      })(),
    );
    const result = analyzeLayer(source, MediaTypes.ociTar, [fakeAnalyzer("fake", everything, { consume: "stream" })], DEFAULT_LAYER_LIMITS, {
      signal: controller.signal,
    });
    await expect(result).rejects.toBe(reason);
    expect(source.destroyed).toBe(true);
    expect(source.errored).toBe(reason);
    expect(chunks).toBeLessThan(40);
    endless.destroy();
  });

  it("stops on abort even while an analyzer never returns", async () => {
    const controller = new AbortController();
    const stuck = fakeAnalyzer("stuck", everything, { consume: "none", analyze: () => new Promise(() => undefined) });
    const running = analyzeLayer(blobStream(await layerOf([file("a", Buffer.alloc(MiB))])), MediaTypes.ociGzip, [stuck], DEFAULT_LAYER_LIMITS, {
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error("timeout")), 50);
    await expect(running).rejects.toThrow("timeout");
    expect(stuck.seen).toEqual(["a"]);
  });

  it("rejects at once when the signal is already aborted", async () => {
    const reason = new Error("already stopped");
    const source = blobStream(await layerOf([file("a", "1")]));
    await expect(analyzeLayer(source, MediaTypes.ociGzip, [], DEFAULT_LAYER_LIMITS, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(source.destroyed).toBe(true);
  });
});

function checksum(bytes: Buffer | null): string {
  let sum = 0;
  for (const byte of bytes ?? []) sum = (sum * 31 + byte) >>> 0;
  return `${bytes?.length}:${sum}`;
}

async function digestOf(bytes: Buffer | null) {
  return { packages: [{ type: "npm" as const, name: "shared", version: checksum(bytes), origin: "installed" as const }] };
}
