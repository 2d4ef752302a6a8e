import { ArrayMaxSize, IsInt, IsOptional, Matches, Max, Min, ValidateNested } from "class-validator";
import { Field, InputType, Int } from "type-graphql";
import { PeriodUnit, PullCondition, PullMode } from "../../../db/enums";

@InputType()
export class PeriodInput {
  @Field(() => Int)
  @IsInt()
  @Min(1)
  @Max(10000)
  amount: number;

  @Field(() => PeriodUnit)
  unit: PeriodUnit;
}

export const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/;

@InputType({ description: "A whole pull policy: omitted fields take their defaults" })
export class PullPolicyInput {
  @Field(() => PullMode, { nullable: true, description: "Default MANUAL" })
  @IsOptional()
  mode?: PullMode | null;

  @Field(() => String, { nullable: true, description: "5-field cron expression; required for AUTOMATIC" })
  @IsOptional()
  schedule?: string | null;

  @Field(() => String, { nullable: true, description: "IANA time zone of the schedule and periods; default the server's TZ" })
  @IsOptional()
  timezone?: string | null;

  @Field(() => Boolean, { nullable: true, description: "Re-scan current images when a run finds new ones" })
  @IsOptional()
  rescan?: boolean | null;

  @Field(() => Boolean, { nullable: true })
  @IsOptional()
  criteriaEnabled?: boolean | null;

  @Field(() => [String], { nullable: true, description: "Patterns name, name:tag or :tag; * matches anything" })
  @IsOptional()
  criteria?: string[] | null;

  @Field(() => PullCondition, { nullable: true, description: "Default CREATED_WITHIN" })
  @IsOptional()
  condition?: PullCondition | null;

  @Field(() => PeriodInput, { nullable: true, description: "Default 60 DAYS" })
  @IsOptional()
  @ValidateNested()
  createdWithin?: PeriodInput | null;

  @Field(() => Int, { nullable: true, description: "Required with LATEST: newest tags kept per repository" })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10000)
  latestTags?: number | null;

  @Field(() => [String], { nullable: true })
  @IsOptional()
  neverPull?: string[] | null;

  @Field(() => [String], { nullable: true })
  @IsOptional()
  alwaysPull?: string[] | null;

  @Field(() => [String], { nullable: true, description: "os/arch[/variant]; default [linux/amd64]" })
  @IsOptional()
  @ArrayMaxSize(20)
  @Matches(PLATFORM, { each: true, message: "each platform must look like os/arch or os/arch/variant, e.g. linux/arm64/v8" })
  platforms?: string[] | null;
}
