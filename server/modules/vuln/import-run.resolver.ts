import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import { ImportRun } from "../../../db/entities";
import { Role } from "../../../db/enums";
import type { Context } from "../../context";
import { PageArgs } from "../../graphql/connection";
import { ImageConnection } from "../image/image.objects";
import { ImportRunConnection } from "./vuln.objects";

@Resolver(() => ImportRun)
export class ImportRunResolver {
  @Authorized(Role.ADMIN)
  @Mutation(() => ImportRun, {
    description:
      "Queues an import of OSV records from a directory, .json or .zip under DRYDOCK_IMPORT_ROOTS, or from an http(s) URL; imports run one at a time",
  })
  importVulnerabilities(@Arg("source") source: string, @Ctx() ctx: Context) {
    return ctx.services.imports.queue(source);
  }

  @Authorized(Role.VIEWER)
  @Query(() => ImportRun)
  importRun(@Arg("id", () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.imports.get(id);
  }

  @Authorized(Role.VIEWER)
  @Query(() => ImportRunConnection, { description: "Imports, newest queued first" })
  importRuns(@Args() page: PageArgs, @Ctx() ctx: Context) {
    return ctx.services.imports.list(page);
  }

  @FieldResolver(() => ImageConnection, { description: "The images whose findings this import changed, newest first seen first" })
  changedImages(@Root() run: ImportRun, @Args() page: PageArgs, @Ctx() ctx: Context) {
    return ctx.services.images.changedBy(run.id, page);
  }
}
