import { Field, ObjectType } from "type-graphql";
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from "typeorm";
import { PackageType } from "../enums";
import { Artifact } from "./artifact.entity";

/** One package of an artifact's inventory: unique per (type, name, version, path) (DESIGN §4). */
@ObjectType("Package", { description: "An OS or language package found in an image" })
@Entity({ name: "artifact_package" })
@Index(["artifactDigest", "type", "name"])
export class ArtifactPackage {
  @PrimaryGeneratedColumn({ type: "bigint" })
  id: string;

  @Column({ type: "varchar", length: 100 })
  artifactDigest: string;

  @ManyToOne(() => Artifact, { onDelete: "CASCADE" })
  @JoinColumn({ name: "artifactDigest" })
  artifact?: Artifact;

  @Field(() => PackageType)
  @Column({ type: "enum", enum: PackageType })
  type: PackageType;

  @Field()
  @Column({ type: "varchar", length: 255, collation: "utf8mb4_bin" })
  name: string;

  @Field()
  @Column({ type: "varchar", length: 255, collation: "utf8mb4_bin" })
  version: string;

  @Field({ description: "Package URL (https://github.com/package-url/purl-spec)" })
  @Column({ type: "varchar", length: 1024 })
  purl: string;

  @Field({ description: "The file the package was found in" })
  @Column({ type: "varchar", length: 1024 })
  path: string;

  @Field({ description: "The first layer in which this name and version appear" })
  @Column({ type: "varchar", length: 100 })
  layerDigest: string;

  @Field(() => String, { nullable: true, description: "OS packages: the source package (dpkg Source, apk origin, rpm source rpm)" })
  @Column({ type: "varchar", length: 255, nullable: true })
  sourceName: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: "varchar", length: 255, nullable: true })
  sourceVersion: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: "varchar", length: 64, nullable: true })
  arch: string | null;

  @Field({ description: "Installed in the image, or only named by a lockfile" })
  @Column({ type: "boolean" })
  installed: boolean;
}
