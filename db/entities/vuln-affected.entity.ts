import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from "typeorm";
import { VulnRecord } from "./vuln-record.entity";

/** Which (ecosystem, normalised package name) a record affects: the index candidates are found by. */
@Entity({ name: "vuln_affected" })
@Index(["ecosystem", "packageName"])
export class VulnAffected {
  @PrimaryGeneratedColumn({ type: "bigint" })
  id: string;

  @Column({ type: "varchar", length: 128, collation: "utf8mb4_bin" })
  recordId: string;

  @ManyToOne(() => VulnRecord, { onDelete: "CASCADE" })
  @JoinColumn({ name: "recordId" })
  record?: VulnRecord;

  @Column({ type: "varchar", length: 100, collation: "utf8mb4_bin" })
  ecosystem: string;

  @Column({ type: "varchar", length: 255, collation: "utf8mb4_bin" })
  packageName: string;
}
