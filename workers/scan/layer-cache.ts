import type { DataSource } from "typeorm";
import { LayerAnalysis } from "../../db/entities";
import type { LayerResult } from "./layers/layer-result";

/**
 * Per-layer results by compressed layer digest and analyzer versions
 * (DESIGN §4). Known from the manifest alone, so a cached layer is never
 * downloaded; a result made by other analyzer versions is replaced.
 */
export class LayerCache {
  constructor(
    private readonly db: DataSource,
    private readonly analyzersKey: string,
  ) {}

  async get(layerDigest: string): Promise<LayerResult | null> {
    const row = await this.db.getRepository(LayerAnalysis).findOneBy({ layerDigest, analyzersKey: this.analyzersKey });
    return row ? (JSON.parse(row.result) as LayerResult) : null;
  }

  async put(layerDigest: string, result: LayerResult): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query("DELETE FROM layer_analysis WHERE layerDigest = ? AND analyzersKey <> ?", [layerDigest, this.analyzersKey]);
      await tx
        .getRepository(LayerAnalysis)
        .upsert({ layerDigest, analyzersKey: this.analyzersKey, result: JSON.stringify(result), analyzedAt: new Date() }, [
          "layerDigest",
          "analyzersKey",
        ]);
    });
  }
}
