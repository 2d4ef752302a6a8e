import { Arg, Authorized, Ctx, ID, Mutation, Resolver } from "type-graphql";
import { PullPolicy } from "../../../db/entities";
import { Role } from "../../../db/enums";
import type { Context } from "../../context";
import { PullPolicyInput } from "./policy.inputs";

@Resolver(() => PullPolicy)
export class PolicyResolver {
  @Authorized(Role.ADMIN)
  @Mutation(() => PullPolicy, { description: "Replaces the registry's whole pull policy; omitted fields take their defaults" })
  editPullPolicy(
    @Arg("registryId", () => ID) registryId: string,
    @Arg("input") input: PullPolicyInput,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.policies.replace(registryId, input);
  }
}
