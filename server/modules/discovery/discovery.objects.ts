import { Field, ObjectType } from "type-graphql";

@ObjectType({ description: "One step of a connection test" })
export class ConnectionCheckResult {
  @Field()
  name: string;

  @Field()
  ok: boolean;

  @Field({ description: "What was found, or what to do about it" })
  message: string;
}

@ObjectType()
export class ConnectionTestResult {
  @Field({ description: "Every check passed" })
  ok: boolean;

  @Field(() => [ConnectionCheckResult])
  checks: ConnectionCheckResult[];
}

@ObjectType({ description: "What a pull policy decides for one tag, and why" })
export class PolicyDecision {
  @Field()
  repository: string;

  @Field()
  tag: string;

  @Field(() => String, { nullable: true })
  digest: string | null;

  @Field(() => Date, { nullable: true })
  createdAt: Date | null;

  @Field(() => Date, { nullable: true })
  pushedAt: Date | null;

  @Field()
  selected: boolean;

  @Field()
  reason: string;
}
