import type { DataSource } from "typeorm";
import { retryOnDeadlock } from "../../db/deadlock-retry";
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
    /** Told whether each lookup found a result (metrics). */
    private readonly onLookup?: (hit: boolean) => void,
  ) {}

  async get(layerDigest: string): Promise<LayerResult | null> {
    const row = await this.db.getRepository(LayerAnalysis).findOneBy({ layerDigest, analyzersKey: this.analyzersKey });
    this.onLookup?.(row !== null);
    return row ? (JSON.parse(row.result) as LayerResult) : null;
  }

  async put(layerDigest: string, result: LayerResult): Promise<void> {
    const repository = this.db.getRepository(LayerAnalysis);
    await retryOnDeadlock(() =>
      repository.upsert({ layerDigest, analyzersKey: this.analyzersKey, result: JSON.stringify(result), analyzedAt: new Date() }, [
        "layerDigest",
        "analyzersKey",
      ]),
    );
    // Entries of older analyzer versions, deleted by exact key: a range delete would gap-lock other layers' inserts.
    const stale = await repository.find({ select: { analyzersKey: true }, where: { layerDigest } });
    for (const { analyzersKey } of stale) {
      if (analyzersKey !== this.analyzersKey) await retryOnDeadlock(() => repository.delete({ layerDigest, analyzersKey }));
    }
  }
}
