import { Arg, Authorized, Ctx, Field, ID, Mutation, ObjectType, Query, Resolver } from "type-graphql";
import { ApiToken } from "../../../db/entities";
import { Role } from "../../../db/enums";
import type { Context } from "../../context";

@ObjectType()
class CreatedApiToken {
  @Field({ description: "The token: shown this once, store it now" })
  token: string;

  @Field(() => ApiToken)
  apiToken: ApiToken;
}

@Resolver(() => ApiToken)
export class TokenResolver {
  @Authorized(Role.ADMIN)
  @Query(() => [ApiToken])
  apiTokens(@Ctx() ctx: Context) {
    return ctx.services.tokens.list();
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => CreatedApiToken)
  async createApiToken(
    @Arg("name") name: string,
    @Arg("role", () => Role) role: Role,
    @Ctx() ctx: Context,
  ): Promise<CreatedApiToken> {
    const { token, record } = await ctx.services.tokens.create(name, role);
    return { token, apiToken: record };
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => ApiToken, { description: "Deletes the token; requests using it are refused from now on" })
  revokeApiToken(@Arg("id", () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.tokens.revoke(id);
  }
}
