import type { Logger } from "../../lib/logger";
import type { DistributionApi } from "../registry/adapter";
import { forEachBounded } from "../discovery/bounded";
import type { Analyzer } from "./analyzers/analyzer";
import { ScanError } from "./errors";
import { type Inventory, mergeLayers } from "./inventory/merge";
import { analyzeLayer } from "./layers/analyze-layer";
import type { LayerLimits, LayerResult } from "./layers/layer-result";
import type { LayerCache } from "./layer-cache";

export interface ScannerOptions {
  analyzers: readonly Analyzer[];
  cache: LayerCache;
  limits: LayerLimits;
  logger: Logger;
  /** Layers of one image downloaded at once. */
  layerConcurrency: number;
}

export interface ScanOutput {
  inventory: Inventory;
  layerCount: number;
  /** Layers downloaded and read by this scan (the rest came from the layer cache). */
  layersRead: number;
}

/**
 * Pulls one platform manifest and inventories it: each layer not in the
 * layer cache is streamed through `analyzeLayer` and cached, then the layers
 * are merged bottom-up. Layers shared by scans running at once in this
 * process are read once.
 */
export class ImageScanner {
  private readonly inFlight = new Map<string, Promise<LayerResult>>();

  constructor(private readonly options: ScannerOptions) {}

  async scan(api: DistributionApi, repository: string, digest: string, signal: AbortSignal): Promise<ScanOutput> {
    const manifest = await api.getManifest(repository, digest);
    if (manifest.kind !== "image") {
      throw new ScanError("UNSUPPORTED_MEDIA_TYPE", `${repository}@${digest} is an index (${manifest.mediaType}), not a platform manifest`);
    }
    const layers = manifest.json.layers;
    const results = new Array<LayerResult>(layers.length);
    let layersRead = 0;
    await forEachBounded(
      layers.map((layer, index) => ({ layer, index })),
      this.options.layerConcurrency,
      async ({ layer, index }) => {
        signal.throwIfAborted();
        results[index] = await this.layerResult(layer.digest, signal, async () => {
          layersRead++;
          const blob = await api.openBlob(repository, layer.digest, signal);
          return analyzeLayer(blob, layer.mediaType, this.options.analyzers, this.options.limits, {
            signal,
            onConfinedPath: (original, confined) =>
              this.options.logger.warn({ layer: layer.digest, path: original, confinedTo: confined }, "layer path outside the image root was confined"),
            onAnalyzerError: ({ path, analyzer, error }) =>
              this.options.logger.warn({ layer: layer.digest, path, analyzer, err: error }, "an analyzer could not read a file; the layer goes on"),
          });
        });
      },
    );
    const inventory = mergeLayers(
      layers.map((layer, index) => ({ digest: layer.digest, result: results[index] })),
      this.options.limits.maxSymlinkHops,
    );
    return { inventory, layerCount: layers.length, layersRead };
  }

  private async layerResult(layerDigest: string, signal: AbortSignal, read: () => Promise<LayerResult>): Promise<LayerResult> {
    for (let running = this.inFlight.get(layerDigest); running; running = this.inFlight.get(layerDigest)) {
      try {
        return await running;
      } catch (error) {
        // Another scan's read failed; unless this scan was stopped too, read the layer itself.
        if (signal.aborted) throw error;
      }
    }
    const work = (async () => {
      const cached = await this.options.cache.get(layerDigest);
      if (cached) return cached;
      const result = await read();
      // The cache saves later scans work; failing to fill it must not fail this one.
      await this.options.cache.put(layerDigest, result).catch((error: unknown) =>
        this.options.logger.warn({ err: error, layer: layerDigest }, "could not store a layer's result in the layer cache"),
      );
      return result;
    })().finally(() => this.inFlight.delete(layerDigest));
    this.inFlight.set(layerDigest, work);
    return work;
  }
}
