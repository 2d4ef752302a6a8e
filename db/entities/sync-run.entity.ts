import { Field, ID, Int, ObjectType } from "type-graphql";
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from "typeorm";
import { SyncStatus, SyncTrigger } from "../enums";
import { Registry } from "./registry.entity";

@ObjectType({ description: "A repository a run did not integrate, and why" })
export class SkippedRepository {
  @Field()
  repository: string;

  @Field()
  reason: string;
}

@ObjectType({ description: "Something that went wrong in a run; the run went on" })
export class SyncError {
  @Field(() => String, { nullable: true, description: "The repository concerned, when there is one" })
  repository: string | null;

  @Field()
  code: string;

  @Field()
  message: string;
}

/** One discovery run of a registry (DESIGN §3). */
@ObjectType()
@Entity({ name: "sync_run" })
@Index(["registryId", "startedAt"])
export class SyncRun {
  @Field(() => ID)
  @PrimaryColumn({ type: "char", length: 36 })
  id: string;

  @Field(() => ID)
  @Column({ type: "char", length: 36 })
  registryId: string;

  @ManyToOne(() => Registry, { onDelete: "CASCADE" })
  @JoinColumn({ name: "registryId" })
  registry?: Registry;

  @Field(() => SyncTrigger)
  @Column({ type: "enum", enum: SyncTrigger })
  trigger: SyncTrigger;

  @Field(() => SyncStatus)
  @Column({ type: "enum", enum: SyncStatus, default: SyncStatus.RUNNING })
  status: SyncStatus;

  @Field()
  @Column({ type: "datetime", precision: 3 })
  startedAt: Date;

  @Field(() => Date, { nullable: true })
  @Column({ type: "datetime", precision: 3, nullable: true })
  finishedAt: Date | null;

  @Field(() => Int)
  @Column({ type: "int", default: 0 })
  repositories: number;

  @Field(() => Int)
  @Column({ type: "int", default: 0 })
  tagsSeen: number;

  @Field(() => Int)
  @Column({ type: "int", default: 0 })
  selected: number;

  @Field(() => Int)
  @Column({ type: "int", default: 0 })
  queued: number;

  @Field(() => Date, { nullable: true, description: "When the registry's pull quota had pulls paused at the end of the run: until when (its scans wait)" })
  @Column({ type: "datetime", precision: 3, nullable: true })
  pullsPausedUntil: Date | null;

  @Field(() => String, { nullable: true, description: "Why pulls are paused (the quota seen), when pullsPausedUntil is set" })
  @Column({ type: "varchar", length: 500, nullable: true })
  pullsPauseReason: string | null;

  @Field(() => [SkippedRepository])
  @Column({ type: "json" })
  skipped: SkippedRepository[];

  @Field(() => [SyncError])
  @Column({ type: "json" })
  errors: SyncError[];
}
