import { Field, ObjectType } from "type-graphql";
import { Column, Entity, PrimaryColumn } from "typeorm";

@ObjectType({ description: "The operating system an image declares in its os-release" })
export class OperatingSystem {
  @Field({ description: "ID: debian, ubuntu, alpine, …" })
  id: string;

  @Field(() => String, { nullable: true })
  versionId: string | null;

  @Field(() => String, { nullable: true })
  prettyName: string | null;

  @Field(() => String, { nullable: true })
  versionCodename: string | null;
}

/**
 * A platform manifest digest with its inventory (DESIGN §4): shared by every
 * Image that resolves to it, in any registry.
 */
@Entity({ name: "artifact" })
export class Artifact {
  @PrimaryColumn({ type: "varchar", length: 100 })
  digest: string;

  /** The analyzer names and versions the inventory was made with; another value means scan again. */
  @Column({ type: "varchar", length: 255 })
  analyzersKey: string;

  @Column({ type: "json", nullable: true })
  os: OperatingSystem | null;

  @Column({ type: "int" })
  packageCount: number;

  @Column({ type: "int" })
  layerCount: number;

  @Column({ type: "datetime", precision: 3 })
  scannedAt: Date;

  /** The vulnerability database version its findings were matched against; null before the first match. */
  @Column({ type: "int", nullable: true })
  matchedVersion: number | null;

  /** What matching could not cover, e.g. rpm packages of a distribution without an OSV ecosystem. */
  @Column({ type: "json", nullable: true })
  matchNotes: string[] | null;

  /** The counts of its findings by severity, and of those with a fix: written with the findings (db/finding-counts.ts). */
  @Column({ type: "int", unsigned: true, default: 0 })
  findingsCritical: number;

  @Column({ type: "int", unsigned: true, default: 0 })
  findingsHigh: number;

  @Column({ type: "int", unsigned: true, default: 0 })
  findingsMedium: number;

  @Column({ type: "int", unsigned: true, default: 0 })
  findingsLow: number;

  @Column({ type: "int", unsigned: true, default: 0 })
  findingsUnknown: number;

  @Column({ type: "int", unsigned: true, default: 0 })
  findingsFixable: number;
}
