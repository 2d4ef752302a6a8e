import { Field, ID, Int, ObjectType } from "type-graphql";
import { Column, Entity, Index, JoinColumn, OneToOne, PrimaryColumn, UpdateDateColumn } from "typeorm";
import { Registry } from "./registry.entity";
import { PeriodUnit, PullCondition, PullMode } from "../enums";

@ObjectType({ description: "A period counted back from now" })
export class Period {
  @Field(() => Int)
  amount: number;

  @Field(() => PeriodUnit)
  unit: PeriodUnit;
}

@ObjectType({ description: "Which images of a registry drydock discovers and scans" })
@Entity({ name: "pull_policy" })
export class PullPolicy {
  @Field(() => ID)
  @PrimaryColumn({ type: "char", length: 36 })
  registryId: string;

  @OneToOne(() => Registry, { onDelete: "CASCADE" })
  @JoinColumn({ name: "registryId" })
  registry?: Registry;

  @Field(() => PullMode)
  @Column({ type: "enum", enum: PullMode, default: PullMode.MANUAL })
  mode: PullMode;

  @Field(() => String, { nullable: true, description: "5-field cron expression, evaluated in `timezone`" })
  @Column({ type: "varchar", length: 255, nullable: true })
  schedule: string | null;

  @Field()
  @Column({ type: "varchar", length: 64 })
  timezone: string;

  @Field()
  @Column({ type: "boolean", default: false })
  rescan: boolean;

  @Field()
  @Column({ type: "boolean", default: false })
  criteriaEnabled: boolean;

  @Field(() => [String])
  @Column({ type: "json" })
  criteria: string[];

  @Field(() => PullCondition)
  @Column({ type: "enum", enum: PullCondition, default: PullCondition.CREATED_WITHIN })
  condition: PullCondition;

  @Column({ type: "int", default: 60 })
  createdWithinAmount: number;

  @Column({ type: "enum", enum: PeriodUnit, default: PeriodUnit.DAYS })
  createdWithinUnit: PeriodUnit;

  @Field(() => Int, { nullable: true })
  @Column({ type: "int", nullable: true })
  latestTags: number | null;

  @Field(() => [String])
  @Column({ type: "json" })
  neverPull: string[];

  @Field(() => [String])
  @Column({ type: "json" })
  alwaysPull: string[];

  @Field(() => [String], { description: "os/arch[/variant] entries picked from image indexes" })
  @Column({ type: "json" })
  platforms: string[];

  @Field(() => Date, { nullable: true, description: "Next scheduled discovery run (AUTOMATIC only)" })
  @Index()
  @Column({ type: "datetime", precision: 3, nullable: true })
  nextRunAt: Date | null;

  @Field()
  @UpdateDateColumn({ type: "datetime", precision: 3, default: () => "CURRENT_TIMESTAMP(3)", onUpdate: "CURRENT_TIMESTAMP(3)" })
  updatedAt: Date;

  @Field(() => Period)
  get createdWithin(): Period {
    return { amount: this.createdWithinAmount, unit: this.createdWithinUnit };
  }
}
