import { Field, Int, ObjectType } from "type-graphql";
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from "typeorm";
import { ScanAttemptOutcome } from "../enums";
import { ScanJob } from "./scan-job.entity";

/** One RUNNING period of a scan job (DESIGN §4). Its id is the attempt token. */
@ObjectType({ description: "One RUNNING period of a scan job" })
@Entity({ name: "scan_attempt" })
@Index(["scanJobId", "number"], { unique: true })
@Index(["outcome", "workerId"])
export class ScanAttempt {
  @PrimaryColumn({ type: "char", length: 36 })
  id: string;

  @Column({ type: "char", length: 36 })
  scanJobId: string;

  @ManyToOne(() => ScanJob, { onDelete: "CASCADE" })
  @JoinColumn({ name: "scanJobId" })
  scanJob?: ScanJob;

  @Field(() => Int, { description: "1, 2, 3, … over the job's life; retryScanJob starts a new count of three but numbering goes on" })
  @Column({ type: "int" })
  number: number;

  /** The drydock worker process that ran it (worker_instance.id). */
  @Column({ type: "char", length: 36 })
  workerId: string;

  @Field()
  @Column({ type: "datetime", precision: 3 })
  startedAt: Date;

  @Field(() => Date, { nullable: true })
  @Column({ type: "datetime", precision: 3, nullable: true })
  finishedAt: Date | null;

  @Field(() => ScanAttemptOutcome)
  @Column({ type: "enum", enum: ScanAttemptOutcome, default: ScanAttemptOutcome.RUNNING })
  outcome: ScanAttemptOutcome;

  @Field(() => String, { nullable: true })
  @Column({ type: "varchar", length: 64, nullable: true })
  code: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: "varchar", length: 2000, nullable: true })
  message: string | null;
}
