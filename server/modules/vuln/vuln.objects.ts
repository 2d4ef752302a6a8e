import { Field, Int, ObjectType } from "type-graphql";
import { Finding, ImportRun } from "../../../db/entities";
import { ConnectionType } from "../../graphql/connection";

@ObjectType({ description: "How many vulnerabilities an image has, by severity" })
export class VulnerabilitySummary {
  @Field(() => Int)
  critical: number;

  @Field(() => Int)
  high: number;

  @Field(() => Int)
  medium: number;

  @Field(() => Int)
  low: number;

  @Field(() => Int)
  unknown: number;

  @Field(() => Int, { description: "Those with a known fixed version" })
  fixable: number;

  @Field(() => Int)
  total: number;
}

export const VulnerabilityConnection = ConnectionType(Finding, "Vulnerability");

export const ImportRunConnection = ConnectionType(ImportRun, "ImportRun");
