import { Column, Entity, JoinColumn, OneToOne, PrimaryColumn } from "typeorm";
import { Registry } from "./registry.entity";

/**
 * The latest pull quota a registry announced (Docker Hub's `ratelimit-*`
 * headers), kept here so every worker pauses pulls on what any of them saw.
 */
@Entity({ name: "registry_pull_quota" })
export class RegistryPullQuota {
  @PrimaryColumn({ type: "char", length: 36 })
  registryId: string;

  @OneToOne(() => Registry, { onDelete: "CASCADE" })
  @JoinColumn({ name: "registryId" })
  registry?: Registry;

  /** Pulls allowed per window. */
  @Column({ type: "int" })
  quota: number;

  @Column({ type: "int" })
  remaining: number;

  @Column({ type: "int" })
  windowSeconds: number;

  @Column({ type: "datetime", precision: 3 })
  observedAt: Date;
}
