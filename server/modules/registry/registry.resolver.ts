import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import { PullPolicy, Registry } from "../../../db/entities";
import { Role } from "../../../db/enums";
import type { Context } from "../../context";
import { ConnectionType, PageArgs } from "../../graphql/connection";
import { AddRegistryInput, EditRegistryInput, RegistryFilter } from "./registry.inputs";
import { REGISTRY_TYPE_INFO, RegistryTypeInfo } from "./registry-type.object";

const RegistryConnection = ConnectionType(Registry, "Registry");

@Resolver(() => Registry)
export class RegistryResolver {
  @Authorized(Role.VIEWER)
  @Query(() => RegistryConnection)
  registries(
    @Args() page: PageArgs,
    @Arg("filter", () => RegistryFilter, { nullable: true }) filter: RegistryFilter | null,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.registries.list(page, filter);
  }

  @Authorized(Role.VIEWER)
  @Query(() => Registry)
  registry(@Arg("id", () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.registries.get(id);
  }

  @Authorized(Role.VIEWER)
  @Query(() => [RegistryTypeInfo], { description: "Every registry type, its fields, auth methods and minimum rights" })
  registryTypes(): RegistryTypeInfo[] {
    return REGISTRY_TYPE_INFO;
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Registry, { description: "Integrates a registry; its pull policy starts as MANUAL" })
  addRegistry(@Arg("input") input: AddRegistryInput, @Ctx() ctx: Context) {
    return ctx.services.registries.add(input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Registry)
  editRegistry(@Arg("id", () => ID) id: string, @Arg("input") input: EditRegistryInput, @Ctx() ctx: Context) {
    return ctx.services.registries.edit(id, input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => [ID], { description: "All or nothing: answers the deleted ids" })
  deleteRegistries(@Arg("ids", () => [ID]) ids: string[], @Ctx() ctx: Context) {
    return ctx.services.registries.delete(ids);
  }

  @FieldResolver(() => PullPolicy)
  pullPolicy(@Root() registry: Registry, @Ctx() ctx: Context) {
    return ctx.loaders.policyByRegistry.load(registry.id);
  }
}
