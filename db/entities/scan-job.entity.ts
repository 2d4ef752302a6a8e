import { Field, ID, Int, ObjectType } from "type-graphql";
import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from "typeorm";
import { ScanJobStatus } from "../enums";
import { Image } from "./image.entity";
import { Registry } from "./registry.entity";

/** The scan of one Image: QUEUED → RUNNING → SUCCEEDED | FAILED | CANCELLED (DESIGN §4). */
@ObjectType({ description: "The scan of one image: QUEUED → RUNNING → SUCCEEDED | FAILED | CANCELLED" })
@Entity({ name: "scan_job" })
@Index(["imageId", "status"])
@Index(["status", "queuedAt"])
@Index(["queuedAt", "id"])
@Index(["registryId", "queuedAt", "id"])
export class ScanJob {
  @Field(() => ID)
  @PrimaryColumn({ type: "char", length: 36 })
  id: string;

  @Field(() => ID)
  @Column({ type: "char", length: 36 })
  registryId: string;

  @ManyToOne(() => Registry, { onDelete: "CASCADE" })
  @JoinColumn({ name: "registryId" })
  registry?: Registry;

  @Field(() => ID)
  @Column({ type: "char", length: 36 })
  imageId: string;

  @ManyToOne(() => Image, { onDelete: "CASCADE" })
  @JoinColumn({ name: "imageId" })
  image?: Image;

  @Field(() => ScanJobStatus)
  @Column({ type: "enum", enum: ScanJobStatus, default: ScanJobStatus.QUEUED })
  status: ScanJobStatus;

  @Field(() => Int, { description: "Attempts counted so far (at most 3)" })
  @Column({ type: "int", default: 0 })
  attemptCount: number;

  /** Only the attempt holding this token may write results (a woken, presumed-dead worker may not). */
  @Column({ type: "char", length: 36, nullable: true })
  attemptToken: string | null;

  @Field()
  @CreateDateColumn({ type: "datetime", precision: 3, default: () => "CURRENT_TIMESTAMP(3)" })
  queuedAt: Date;

  @Field(() => Date, { nullable: true })
  @Column({ type: "datetime", precision: 3, nullable: true })
  startedAt: Date | null;

  @Field(() => Date, { nullable: true })
  @Column({ type: "datetime", precision: 3, nullable: true })
  finishedAt: Date | null;

  @Field(() => String, { nullable: true })
  @Column({ type: "varchar", length: 64, nullable: true })
  errorCode: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: "varchar", length: 2000, nullable: true })
  errorMessage: string | null;

  @Field(() => Date, { nullable: true, description: "While the registry's pull quota pauses pulls: when this queued job runs again" })
  @Column({ type: "datetime", precision: 3, nullable: true })
  pausedUntil: Date | null;

  @Field(() => String, { nullable: true, description: "Why pulls are paused (the quota seen), while pausedUntil is set" })
  @Column({ type: "varchar", length: 500, nullable: true })
  pauseReason: string | null;

  @Field(() => Int, { nullable: true, description: "The vulnerability database version the scan's findings were matched against" })
  @Column({ type: "int", nullable: true })
  databaseVersion: number | null;
}
