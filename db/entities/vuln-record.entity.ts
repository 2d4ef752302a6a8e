import { Column, Entity, PrimaryColumn } from "typeorm";

/** One OSV record as imported (DESIGN §4): upserted by id when its `modified` is newer, deleted when withdrawn. */
@Entity({ name: "vuln_record" })
export class VulnRecord {
  @PrimaryColumn({ type: "varchar", length: 128, collation: "utf8mb4_bin" })
  id: string;

  @Column({ type: "datetime", precision: 3 })
  modified: Date;

  /** The record's JSON as imported (validated). */
  @Column({ type: "longtext" })
  json: string;

  /** The database version in which this record last changed. */
  @Column({ type: "int" })
  version: number;
}
