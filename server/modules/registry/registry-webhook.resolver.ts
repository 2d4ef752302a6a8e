import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from "type-graphql";
import { Registry } from "../../../db/entities";
import { Role } from "../../../db/enums";
import type { Context } from "../../context";

/** The push webhook of a registry (DESIGN §7): its URL, for ADMINs, and the rotation of its token. */
@Resolver(() => Registry)
export class RegistryWebhookResolver {
  @FieldResolver(() => String, {
    nullable: true,
    description:
      "Where the registry sends push webhooks (the token in it is a secret). Null for tokens below ADMIN, and for a registry created before webhooks until rotateWebhookSecret",
  })
  webhookUrl(@Root() registry: Registry, @Ctx() ctx: Context): string | null {
    if (ctx.principal?.role !== Role.ADMIN || !ctx.baseUrl) return null;
    return ctx.services.registries.webhookUrl(registry, ctx.baseUrl);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Registry, { description: "Replaces the registry's webhook token: the old webhookUrl stops working at once" })
  rotateWebhookSecret(@Arg("id", () => ID) id: string, @Ctx() ctx: Context): Promise<Registry> {
    return ctx.services.registries.rotateWebhookSecret(id);
  }
}
