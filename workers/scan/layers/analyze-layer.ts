import type { Readable } from "node:stream";
import type { Analyzer } from "../analyzers/analyzer";
import type { LayerLimits, LayerResult } from "./layer-result";
import { LayerStream } from "./layer-stream";
import { type WalkHooks, walkTar } from "./tar-walker";

export interface AnalyzeLayerOptions extends WalkHooks {
  /** Stops the work: the source is destroyed with the abort reason, which is what the call rejects with. */
  signal?: AbortSignal;
}

/**
 * Streams one layer blob (compressed, as the registry serves it; the
 * caller's stream verifies its digest) through decompression and a tar
 * reader, handing the files `analyzers` require to them. Nothing is written
 * to disk and the layer is never held whole in memory. Fails with the
 * source's own error, with a ScanError for an unsupported media type, a
 * corrupt layer or a limit passed, or with the abort reason.
 */
export async function analyzeLayer(
  blob: Readable,
  mediaType: string,
  analyzers: readonly Analyzer[],
  limits: LayerLimits,
  options: AnalyzeLayerOptions = {},
): Promise<LayerResult> {
  const { signal, ...hooks } = options;
  const layer = new LayerStream(blob, mediaType, limits.maxLayerBytes);
  const abort = () => layer.fail(signal?.reason);
  if (signal?.aborted) abort();
  signal?.addEventListener("abort", abort, { once: true });
  const walking = walkTar(layer.entries, analyzers, limits, hooks);
  walking.catch(() => undefined); // when a failure ends the race first, an analyzer may still be running
  try {
    // Racing the failure lets an abort or a stream error end the call even while an analyzer is busy.
    const walked = await Promise.race([walking, layer.failed]);
    return { ...walked, stats: { ...walked.stats, uncompressedBytes: layer.uncompressedBytes } };
  } catch (error) {
    throw layer.fail(error);
  } finally {
    signal?.removeEventListener("abort", abort);
  }
}
