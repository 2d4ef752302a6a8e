import { Field, Float, ObjectType } from "type-graphql";
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from "typeorm";
import { Severity } from "../enums";
import { Artifact } from "./artifact.entity";

/** One vulnerability of one package of an artifact (DESIGN §4): records naming each other are one finding. */
@ObjectType("Vulnerability", { description: "A known vulnerability of a package in an image" })
@Entity({ name: "finding" })
@Index(["artifactDigest", "severityRank", "advisoryId", "packageName", "id"])
export class Finding {
  @PrimaryGeneratedColumn({ type: "bigint" })
  id: string;

  @Column({ type: "varchar", length: 100 })
  artifactDigest: string;

  @ManyToOne(() => Artifact, { onDelete: "CASCADE" })
  @JoinColumn({ name: "artifactDigest" })
  artifact?: Artifact;

  @Field({ description: "The OSV id of the advisory (DLA-…, ALPINE-CVE-…, GHSA-…, PYSEC-…)" })
  @Column({ type: "varchar", length: 128 })
  advisoryId: string;

  @Field(() => [String], { description: "Other ids of the same vulnerability (CVE ids among them)" })
  @Column({ type: "json" })
  aliases: string[];

  @Field()
  @Column({ type: "varchar", length: 16 })
  packageType: string;

  @Field()
  @Column({ type: "varchar", length: 255, collation: "utf8mb4_bin" })
  packageName: string;

  @Field(() => String, { nullable: true, description: "OS packages: the source package the advisory names, when it differs" })
  @Column({ type: "varchar", length: 255, nullable: true })
  sourceName: string | null;

  @Field()
  @Column({ type: "varchar", length: 255, collation: "utf8mb4_bin" })
  installedVersion: string;

  @Field(() => String, { nullable: true, description: "The first fixed version of the range that matched; null when no fix is known" })
  @Column({ type: "varchar", length: 255, nullable: true })
  fixedVersion: string | null;

  @Field(() => Severity)
  @Column({ type: "enum", enum: Severity })
  severity: Severity;

  /** 0 = CRITICAL … 4 = UNKNOWN: the order findings are listed in. */
  @Column({ type: "tinyint" })
  severityRank: number;

  @Field(() => Float, { nullable: true })
  @Column({ type: "decimal", precision: 3, scale: 1, nullable: true, transformer: { to: (v: number | null) => v, from: (v: string | null) => (v === null ? null : Number(v)) } })
  cvssScore: number | null;

  @Field(() => String, { nullable: true })
  @Column({ type: "varchar", length: 1000, nullable: true })
  summary: string | null;
}
