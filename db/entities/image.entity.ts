import { Field, ID, ObjectType } from "type-graphql";
import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from "typeorm";
import { ImageSource } from "../enums";
import { Registry } from "./registry.entity";

/**
 * One (registry, repository, tag, platform) resolved to a platform manifest
 * digest. A tag that moves makes a new Image; the old one stays as history
 * with `current` false, and `removed` marks images whose tag is gone.
 */
@ObjectType({ description: "An image: a tag of a repository on one platform, resolved to a manifest digest" })
@Entity({ name: "image" })
@Index(["registryId", "repository", "tag", "platform", "digest"], { unique: true })
@Index(["digest"])
@Index(["firstSeenAt", "id"])
@Index(["registryId", "firstSeenAt", "id", "removed", "current"])
export class Image {
  @Field(() => ID)
  @PrimaryColumn({ type: "char", length: 36 })
  id: string;

  @Field(() => ID)
  @Column({ type: "char", length: 36 })
  registryId: string;

  @ManyToOne(() => Registry, { onDelete: "CASCADE" })
  @JoinColumn({ name: "registryId" })
  registry?: Registry;

  @Field()
  @Column({ type: "varchar", length: 255, collation: "utf8mb4_bin" })
  repository: string;

  @Field(() => String, { nullable: true, description: "Null for an image added by digest" })
  @Column({ type: "varchar", length: 128, collation: "utf8mb4_bin", nullable: true })
  tag: string | null;

  @Field({ description: "os/arch[/variant]" })
  @Column({ type: "varchar", length: 64 })
  platform: string;

  @Field({ description: "The platform manifest digest: the artifact scanned" })
  @Column({ type: "varchar", length: 100 })
  digest: string;

  /** What the tag pointed at when resolved: an index digest, or `digest` itself. */
  @Column({ type: "varchar", length: 100 })
  tagDigest: string;

  @Field(() => Date, { nullable: true })
  @Column({ type: "datetime", precision: 3, nullable: true })
  createdAt: Date | null;

  @Field(() => Date, { nullable: true })
  @Column({ type: "datetime", precision: 3, nullable: true })
  pushedAt: Date | null;

  @Field(() => ImageSource)
  @Column({ type: "enum", enum: ImageSource })
  addedBy: ImageSource;

  @Field({ description: "The tag no longer exists in the registry" })
  @Column({ type: "boolean", default: false })
  removed: boolean;

  @Field({ description: "False once the tag has moved to another digest: the image is then history" })
  @Column({ type: "boolean", default: true })
  current: boolean;

  @Field()
  @CreateDateColumn({ type: "datetime", precision: 3, default: () => "CURRENT_TIMESTAMP(3)" })
  firstSeenAt: Date;

  @Field()
  @Column({ type: "datetime", precision: 3, default: () => "CURRENT_TIMESTAMP(3)" })
  lastSeenAt: Date;
}
