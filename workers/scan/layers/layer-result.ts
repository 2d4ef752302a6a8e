import type { FileAnalysis } from "../analyzers/analyzer";

/**
 * What one layer contributes, computed from that layer alone so that it
 * can be cached by the layer's compressed digest and shared by every image
 * built on it. Whiteouts and symlinks are applied later, across layers.
 */
export interface LayerResult {
  /**
   * One entry per file and analyzer that analyzed it, in tar order. A file
   * that declared nothing or whose analyzer failed has an empty analysis:
   * it still replaces a lower layer's file at the same path.
   */
  files: Array<{ path: string; analyzer: string; result: FileAnalysis }>;
  /**
   * Symbolic and hard links whose own path an analyzer requires (e.g. etc/os-release → ../usr/lib/os-release).
   * A symlink's target is as written in the tar (relative to the link's directory, or absolute);
   * a hard link's is the normalised path of the file it shares content with.
   */
  links: Array<{ path: string; target: string; kind: "symlink" | "hardlink" }>;
  /** Paths removed by `.wh.<name>` entries. */
  whiteouts: string[];
  /** Directories whose lower-layer content is hidden by `.wh..wh..opq`. */
  opaqueDirs: string[];
  /** How much was read: for limits, logs and the benchmark. `confinedPaths` counts tar paths that were absolute or climbed out with `..`. */
  stats: { entries: number; uncompressedBytes: number; confinedPaths: number };
}

/** Absolute bounds on untrusted layer content (DESIGN §7). */
export interface LayerLimits {
  /** Uncompressed bytes in one layer (LAYER_TOO_LARGE). */
  maxLayerBytes: number;
  /** Tar entries in one layer (TOO_MANY_ENTRIES). */
  maxEntries: number;
  /** Any file handed to an analyzer, streamed (FILE_TOO_LARGE). */
  maxFileBytes: number;
  /** A file an analyzer reads into memory (FILE_TOO_LARGE). */
  maxBufferedFileBytes: number;
  /** Symbolic links followed to resolve one path (SYMLINK_LOOP). */
  maxSymlinkHops: number;
}

export const DEFAULT_LAYER_LIMITS: LayerLimits = {
  maxLayerBytes: 8 * 1024 ** 3,
  maxEntries: 1_000_000,
  maxFileBytes: 1024 ** 3,
  maxBufferedFileBytes: 64 * 1024 ** 2,
  maxSymlinkHops: 40,
};
