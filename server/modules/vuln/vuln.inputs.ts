import { ArrayNotEmpty, IsOptional, MaxLength } from "class-validator";
import { Field, InputType } from "type-graphql";
import { Severity } from "../../../db/enums";

@InputType({ description: "Vulnerabilities matching every field given" })
export class VulnerabilityFilter {
  @Field(() => [Severity], { nullable: true, description: "Any of these severities" })
  @IsOptional()
  @ArrayNotEmpty()
  severity?: Severity[] | null;

  @Field(() => Severity, { nullable: true, description: "This severity or a worse one" })
  minSeverity?: Severity | null;

  @Field(() => Boolean, { nullable: true, description: "true: a fixed version is known; false: none is" })
  fixable?: boolean | null;

  @Field(() => String, { nullable: true, description: "The exact name of the installed package" })
  @IsOptional()
  @MaxLength(255)
  packageName?: string | null;
}
