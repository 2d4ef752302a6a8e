import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from "typeorm";
import { Registry } from "./registry.entity";

/**
 * The listing the last discovery run stored: one row per tag in scope. The
 * policy preview evaluates policies against it without asking the registry.
 */
@Entity({ name: "registry_tag" })
@Index(["registryId", "repository", "tag"], { unique: true })
export class RegistryTag {
  @PrimaryGeneratedColumn({ type: "bigint" })
  id: string;

  @Column({ type: "char", length: 36 })
  registryId: string;

  @ManyToOne(() => Registry, { onDelete: "CASCADE" })
  @JoinColumn({ name: "registryId" })
  registry?: Registry;

  @Column({ type: "varchar", length: 255, collation: "utf8mb4_bin" })
  repository: string;

  @Column({ type: "varchar", length: 128, collation: "utf8mb4_bin" })
  tag: string;

  /** The tag's manifest digest (an index digest for multi-platform tags). */
  @Column({ type: "varchar", length: 100, nullable: true })
  digest: string | null;

  @Column({ type: "datetime", precision: 3, nullable: true })
  createdAt: Date | null;

  @Column({ type: "datetime", precision: 3, nullable: true })
  pushedAt: Date | null;

  @Column({ type: "datetime", precision: 3 })
  listedAt: Date;
}
