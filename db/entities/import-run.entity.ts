import { Field, ID, Int, ObjectType } from "type-graphql";
import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from "typeorm";
import { ImportStatus } from "../enums";

@ObjectType({ description: "An OSV record that could not be imported" })
export class MalformedRecord {
  @Field(() => String, { nullable: true })
  id: string | null;

  @Field()
  reason: string;
}

/** One import of OSV records (DESIGN §4), on demand or scheduled. */
@ObjectType({ description: "One import of OSV records into the vulnerability database" })
@Entity({ name: "import_run" })
@Index(["queuedAt"])
export class ImportRun {
  @Field(() => ID)
  @PrimaryColumn({ type: "char", length: 36 })
  id: string;

  @Field(() => ImportStatus)
  @Column({ type: "enum", enum: ImportStatus, default: ImportStatus.QUEUED })
  status: ImportStatus;

  @Field({ description: "A path under DRYDOCK_IMPORT_ROOTS or an http(s) URL" })
  @Column({ type: "varchar", length: 2048 })
  source: string;

  @Field()
  @CreateDateColumn({ type: "datetime", precision: 3, default: () => "CURRENT_TIMESTAMP(3)" })
  queuedAt: Date;

  @Field(() => Date, { nullable: true })
  @Column({ type: "datetime", precision: 3, nullable: true })
  startedAt: Date | null;

  @Field(() => Date, { nullable: true })
  @Column({ type: "datetime", precision: 3, nullable: true })
  finishedAt: Date | null;

  @Field(() => Int, { description: "Records added or updated" })
  @Column({ type: "int", default: 0 })
  imported: number;

  @Field(() => Int, { description: "Records removed because they were withdrawn" })
  @Column({ type: "int", default: 0 })
  withdrawn: number;

  @Field(() => Int, { description: "Records already known with the same `modified`" })
  @Column({ type: "int", default: 0 })
  unchanged: number;

  @Field(() => [MalformedRecord], { description: "Records skipped, by id, with the reason (at most 1,000 listed)" })
  @Column({ type: "json" })
  malformed: MalformedRecord[];

  @Field(() => Int, { nullable: true, description: "The database version after the import (unchanged when nothing changed)" })
  @Column({ type: "int", nullable: true })
  version: number | null;

  @Field(() => String, { nullable: true })
  @Column({ type: "varchar", length: 2000, nullable: true })
  error: string | null;
}
