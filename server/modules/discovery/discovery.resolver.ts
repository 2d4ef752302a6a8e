import { Arg, Args, Authorized, Ctx, ID, Mutation, Query, Resolver } from "type-graphql";
import { Role } from "../../../db/enums";
import type { Context } from "../../context";
import { ConnectionType, PageArgs } from "../../graphql/connection";
import { PullPolicyInput } from "../policy/policy.inputs";
import { AddRegistryInput } from "../registry/registry.inputs";
import { ConnectionTestResult, PolicyDecision } from "./discovery.objects";

const PolicyDecisionConnection = ConnectionType(PolicyDecision, "PolicyDecision");

@Resolver()
export class DiscoveryResolver {
  @Authorized(Role.OPERATOR)
  @Mutation(() => ConnectionTestResult, {
    description: "Checks a saved registry (id) or an unsaved one (input): reachable, TLS, authenticated, can list. Stores nothing.",
  })
  testRegistryConnection(
    @Arg("id", () => ID, { nullable: true }) id: string | null,
    @Arg("input", () => AddRegistryInput, { nullable: true }) input: AddRegistryInput | null,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.discovery.testConnection(id, input);
  }

  @Authorized(Role.VIEWER)
  @Query(() => PolicyDecisionConnection, {
    description: "What a policy (the saved one, or `policy`) selects tag by tag, on the stored listing or a fresh one; queues nothing",
  })
  previewPullPolicy(
    @Arg("registryId", () => ID) registryId: string,
    @Arg("policy", () => PullPolicyInput, { nullable: true }) policy: PullPolicyInput | null,
    @Arg("refresh", { defaultValue: false }) refresh: boolean,
    @Args() page: PageArgs,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.discovery.preview(registryId, policy, refresh, page);
  }
}
