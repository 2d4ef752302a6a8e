import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import { Registry, SyncRun } from "../../../db/entities";
import { Role } from "../../../db/enums";
import type { Context } from "../../context";
import { ConnectionType, PageArgs } from "../../graphql/connection";

const SyncRunConnection = ConnectionType(SyncRun, "SyncRun");

@Resolver(() => Registry)
export class SyncResolver {
  @Authorized(Role.OPERATOR)
  @Mutation(() => Registry, { description: "Queues a discovery run of the registry now; its SyncRun appears in syncRuns" })
  syncRegistry(@Arg("id", () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.syncs.request(id);
  }

  @Authorized(Role.VIEWER)
  @Query(() => SyncRunConnection, { description: "Discovery runs of a registry, newest first" })
  syncRuns(@Arg("registryId", () => ID) registryId: string, @Args() page: PageArgs, @Ctx() ctx: Context) {
    return ctx.services.syncs.list(registryId, page);
  }

  @FieldResolver(() => SyncRun, { nullable: true, description: "The latest discovery run" })
  lastSync(@Root() registry: Registry, @Ctx() ctx: Context) {
    return ctx.loaders.lastSyncByRegistry.load(registry.id);
  }
}
