import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from "type-graphql";
import { Image, ScanJob } from "../../../db/entities";
import { Role } from "../../../db/enums";
import type { Context } from "../../context";
import { AddScanJobResult } from "./intake.objects";

@Resolver(() => ScanJob)
export class IntakeResolver {
  @Authorized(Role.OPERATOR)
  @Mutation(() => [AddScanJobResult], {
    description: "Checks each reference (repo:tag or repo@sha256:…) in the registry and queues a scan of the found ones at once; one answer per reference, in order",
  })
  addScanJobs(
    @Arg("registryId", () => ID) registryId: string,
    @Arg("references", () => [String]) references: string[],
    @Ctx() ctx: Context,
  ) {
    return ctx.services.intake.add(registryId, references);
  }

  @FieldResolver(() => Image)
  image(@Root() job: ScanJob, @Ctx() ctx: Context) {
    return ctx.loaders.imageById.load(job.imageId);
  }
}
