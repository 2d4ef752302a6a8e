import type { Header } from "tar-stream";
import type { Analyzer, FileInfo } from "../analyzers/analyzer";
import { ScanError } from "../errors";
import { type AnalyzerFailure, analyzeFile } from "./analyze-file";
import type { LayerLimits, LayerResult } from "./layer-result";
import { normalisePath } from "./paths";
import { whiteoutOf } from "./whiteouts";

export interface WalkHooks {
  /** A tar path that was absolute or climbed out with `..`, and the path inside the image it was confined to. */
  onConfinedPath?(original: string, normalised: string): void;
  /** An analyzer threw on a file; the layer goes on without that file's result. */
  onAnalyzerError?(failure: AnalyzerFailure): void;
}

/** What the walker needs of a tar-stream entry. */
export interface TarEntry extends AsyncIterable<Buffer> {
  header: Header;
  /** Lets the content flow away unread. */
  resume(): unknown;
}

/** A layer result but for the uncompressed size, which the decompressing side counts. */
export type WalkedLayer = Omit<LayerResult, "stats"> & { stats: Omit<LayerResult["stats"], "uncompressedBytes"> };

/**
 * Reads a layer's tar entries one by one: records whiteouts, hands the
 * regular files some analyzer requires to those analyzers, records the links
 * whose own path is required, and drains everything else unread.
 */
export async function walkTar(
  entries: AsyncIterable<TarEntry>,
  analyzers: readonly Analyzer[],
  limits: LayerLimits,
  hooks: WalkHooks = {},
): Promise<WalkedLayer> {
  const walker = new TarWalker(analyzers, limits, hooks);
  for await (const entry of entries) await walker.visit(entry);
  return walker.layer;
}

class TarWalker {
  readonly layer: WalkedLayer = { files: [], links: [], whiteouts: [], opaqueDirs: [], stats: { entries: 0, confinedPaths: 0 } };

  constructor(
    private readonly analyzers: readonly Analyzer[],
    private readonly limits: LayerLimits,
    private readonly hooks: WalkHooks,
  ) {}

  async visit(entry: TarEntry): Promise<void> {
    if (++this.layer.stats.entries > this.limits.maxEntries) {
      throw new ScanError("TOO_MANY_ENTRIES", `the layer has more than ${this.limits.maxEntries} entries`);
    }
    const { header } = entry;
    const path = this.normalise(header.name);
    const whiteout = whiteoutOf(path);
    if (whiteout?.kind === "whiteout") this.layer.whiteouts.push(whiteout.path);
    else if (whiteout?.kind === "opaque") this.layer.opaqueDirs.push(whiteout.dir);
    else if (path !== "" && (header.type === "file" || header.type === "contiguous-file")) return this.visitFile(entry, path);
    else if (path !== "" && (header.type === "symlink" || header.type === "link")) this.visitLink(header, path);
    entry.resume();
  }

  private async visitFile(entry: TarEntry, path: string): Promise<void> {
    const info: FileInfo = { path, size: entry.header.size, mode: permissions(entry.header) };
    const wanting = this.analyzers.filter((analyzer) => analyzer.required(info));
    if (wanting.length === 0) {
      entry.resume();
      return;
    }
    if (info.size > this.limits.maxFileBytes) {
      throw new ScanError("FILE_TOO_LARGE", `${path} is ${info.size} bytes, more than the ${this.limits.maxFileBytes} an analyzer may be handed`);
    }
    const analyzed = await analyzeFile(entry, info, wanting, this.limits.maxBufferedFileBytes, (failure) =>
      this.hooks.onAnalyzerError?.(failure),
    );
    for (const { analyzer, result } of analyzed) this.layer.files.push({ path, analyzer, result });
  }

  private visitLink(header: Header, path: string): void {
    const info: FileInfo = { path, size: 0, mode: permissions(header) };
    if (!this.analyzers.some((analyzer) => analyzer.required(info))) return;
    if (header.type === "symlink") this.layer.links.push({ path, target: header.linkname, kind: "symlink" });
    else this.layer.links.push({ path, target: this.normalise(header.linkname), kind: "hardlink" });
  }

  private normalise(raw: string): string {
    const { path, confined } = normalisePath(raw);
    if (confined) {
      this.layer.stats.confinedPaths++;
      this.hooks.onConfinedPath?.(raw, path);
    }
    return path;
  }
}

/** The mode field of some archivers carries the file type bits too. */
function permissions(header: Header): number {
  return header.mode & 0o7777;
}
