/**
 * Layers for tests: tar archives written with tar-stream's pack(), gzip by
 * zlib, zstd by the real `zstd` tool; and a fake analyzer.
 */
import { spawn } from "node:child_process";
import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { createGzip, gzipSync } from "node:zlib";
import { pack } from "tar-stream";
import type { Analyzer, FileAnalysis, FileContent, FileInfo, PackageType } from "../../analyzers/analyzer";

export const MediaTypes = {
  ociTar: "application/vnd.oci.image.layer.v1.tar",
  ociGzip: "application/vnd.oci.image.layer.v1.tar+gzip",
  ociZstd: "application/vnd.oci.image.layer.v1.tar+zstd",
  dockerGzip: "application/vnd.docker.image.rootfs.diff.tar.gzip",
} as const;

/** Paths are written as given, `..` and leading `/` included. */
export type LayerEntry =
  | { path: string; content: string | Buffer; mode?: number }
  | { path: string; symlink: string }
  | { path: string; hardlink: string }
  | { path: string; directory: true };

export const file = (path: string, content: string | Buffer, mode?: number): LayerEntry => ({ path, content, mode });
export const symlink = (path: string, target: string): LayerEntry => ({ path, symlink: target });
export const hardlink = (path: string, target: string): LayerEntry => ({ path, hardlink: target });
export const directory = (path: string): LayerEntry => ({ path, directory: true });
/** `dir/.wh.name`, deleting `dir/name` from lower layers. */
export const whiteout = (path: string): LayerEntry => file(path.replace(/([^/]+)$/, ".wh.$1"), "");
/** `dir/.wh..wh..opq`, hiding what lower layers put in `dir`. */
export const opaque = (dir: string): LayerEntry => file(`${dir}/.wh..wh..opq`, "");

export async function tarOf(entries: LayerEntry[]): Promise<Buffer> {
  const archive = pack();
  for (const entry of entries) {
    if ("content" in entry) archive.entry({ name: entry.path, mode: entry.mode ?? 0o644 }, entry.content);
    else if ("symlink" in entry) archive.entry({ name: entry.path, type: "symlink", linkname: entry.symlink });
    else if ("hardlink" in entry) archive.entry({ name: entry.path, type: "link", linkname: entry.hardlink });
    else archive.entry({ name: entry.path, type: "directory", mode: 0o755 });
  }
  archive.finalize();
  return buffer(archive);
}

/** A tar holding one file of `size` zero bytes, streamed: nothing that large is ever in memory. */
export function zeroFileTar(size: number): Readable {
  const archive = pack();
  Readable.from(zeroChunks(size)).pipe(archive.entry({ name: "zeros", size }, () => archive.finalize()));
  return Readable.from(archive);
}

function* zeroChunks(size: number): Generator<Buffer> {
  const chunk = Buffer.alloc(1024 * 1024);
  for (let left = size; left > 0; left -= chunk.length) yield chunk.subarray(0, Math.min(left, chunk.length));
}

export const gzipOf = (tar: Buffer): Buffer => gzipSync(tar);

export const gzipStream = (tar: Readable): Promise<Buffer> => buffer(tar.pipe(createGzip()));

/** Compresses with Debian's zstd CLI, as image builders do. */
export async function zstdOf(tar: Buffer | Readable): Promise<Buffer> {
  const zstd = spawn("/usr/bin/zstd", ["-q", "-c"], { stdio: ["pipe", "pipe", "inherit"] });
  const exited = new Promise<number | null>((resolve, reject) => zstd.on("error", reject).on("close", resolve));
  (Buffer.isBuffer(tar) ? Readable.from([tar]) : tar).pipe(zstd.stdin);
  const compressed = await buffer(zstd.stdout);
  if ((await exited) !== 0) throw new Error("zstd failed");
  return compressed;
}

/** A blob as the registry client would stream it, in chunks of `chunkBytes`. */
export function blobStream(bytes: Buffer, chunkBytes = 16 * 1024): Readable {
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += chunkBytes) chunks.push(bytes.subarray(at, at + chunkBytes));
  return Readable.from(chunks);
}

export interface FakeAnalyzer extends Analyzer {
  /** Paths handed to `analyze`, in order. */
  readonly seen: string[];
}

export interface FakeAnalyzerOptions {
  /** How to consume the content; `none` does not touch it. */
  consume?: "read" | "stream" | "none";
  type?: PackageType;
  /** Replaces the default analysis: one package named after the file, its content as the version. */
  analyze?: (file: FileContent, content: Buffer | null) => Promise<FileAnalysis | null>;
}

/** An analyzer for the files `wants` picks, declaring `<type>:<basename>@<content>` for each. */
export function fakeAnalyzer(name: string, wants: (file: FileInfo) => boolean, options: FakeAnalyzerOptions = {}): FakeAnalyzer {
  const seen: string[] = [];
  return {
    name,
    version: 1,
    seen,
    required: wants,
    async analyze(file) {
      seen.push(file.path);
      const content = await consume(file, options.consume ?? "read");
      if (options.analyze) return options.analyze(file, content);
      const packageName = file.path.slice(file.path.lastIndexOf("/") + 1);
      return { packages: [{ type: options.type ?? "npm", name: packageName, version: String(content).trim(), origin: "installed" }] };
    },
  };
}

async function consume(file: FileContent, how: "read" | "stream" | "none"): Promise<Buffer | null> {
  if (how === "none") return null;
  if (how === "read") return file.read();
  const chunks: Buffer[] = [];
  for await (const chunk of file.stream()) chunks.push(chunk);
  return Buffer.concat(chunks);
}

export const byPath =
  (...paths: string[]) =>
  (file: FileInfo): boolean =>
    paths.includes(file.path);
