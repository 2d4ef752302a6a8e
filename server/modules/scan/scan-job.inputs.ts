import { Field, ID, InputType } from "type-graphql";
import { ScanJobStatus } from "../../../db/enums";

@InputType({ description: "Scan jobs matching every field given" })
export class ScanJobFilter {
  @Field(() => ScanJobStatus, { nullable: true })
  status?: ScanJobStatus | null;

  @Field(() => ID, { nullable: true })
  registryId?: string | null;

  @Field(() => ID, { nullable: true })
  imageId?: string | null;
}
