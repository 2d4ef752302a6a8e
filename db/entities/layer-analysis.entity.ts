import { Column, Entity, PrimaryColumn } from "typeorm";

/**
 * What one layer contributed, by compressed layer digest and analyzer
 * versions (DESIGN §4): a base layer shared by many images is read once.
 */
@Entity({ name: "layer_analysis" })
export class LayerAnalysis {
  @PrimaryColumn({ type: "varchar", length: 100 })
  layerDigest: string;

  @PrimaryColumn({ type: "varchar", length: 255 })
  analyzersKey: string;

  /** The LayerResult as JSON (longtext: a layer of node_modules can declare thousands of packages). */
  @Column({ type: "longtext" })
  result: string;

  @Column({ type: "datetime", precision: 3 })
  analyzedAt: Date;
}
