import { Field, ObjectType, registerEnumType } from "type-graphql";
import { ScanJob } from "../../../db/entities";

export enum IntakeStatus {
  QUEUED = "QUEUED",
  ALREADY_QUEUED = "ALREADY_QUEUED",
  NOT_FOUND = "NOT_FOUND",
  INVALID = "INVALID",
  REGISTRY_ERROR = "REGISTRY_ERROR",
}
registerEnumType(IntakeStatus, { name: "IntakeStatus", description: "What became of one reference given to addScanJobs" });

@ObjectType({ description: "The answer for one reference, in the order given" })
export class AddScanJobResult {
  @Field()
  reference: string;

  @Field(() => IntakeStatus)
  status: IntakeStatus;

  @Field()
  message: string;

  @Field(() => ScanJob, { nullable: true, description: "The job queued (or already queued) for the first platform" })
  scanJob: ScanJob | null;

  @Field(() => [ScanJob], { description: "One per platform image the reference resolved to" })
  scanJobs: ScanJob[];
}
