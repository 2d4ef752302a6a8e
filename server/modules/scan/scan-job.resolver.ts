import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import { Registry, ScanJob } from "../../../db/entities";
import { Role } from "../../../db/enums";
import type { Context } from "../../context";
import { PageArgs } from "../../graphql/connection";
import { ScanJobFilter } from "./scan-job.inputs";
import { ScanAttemptConnection, ScanJobConnection } from "./scan-job.objects";

@Resolver(() => ScanJob)
export class ScanJobResolver {
  @Authorized(Role.VIEWER)
  @Query(() => ScanJobConnection, { description: "Scan jobs, newest queued first" })
  scanJobs(
    @Arg("filter", () => ScanJobFilter, { nullable: true }) filter: ScanJobFilter | null,
    @Args() page: PageArgs,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.scanJobs.list(filter, page);
  }

  @Authorized(Role.VIEWER)
  @Query(() => ScanJob)
  scanJob(@Arg("id", () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.scanJobs.get(id);
  }

  @Authorized(Role.OPERATOR)
  @Mutation(() => [ScanJob], {
    description: "Cancels QUEUED and RUNNING jobs (a running scan stops within seconds). All or nothing: a finished job is a CONFLICT",
  })
  deleteScanJobs(@Arg("ids", () => [ID]) ids: string[], @Ctx() ctx: Context) {
    return ctx.services.scanJobs.cancel(ids);
  }

  @Authorized(Role.OPERATOR)
  @Mutation(() => ScanJob, { description: "Queues a FAILED or CANCELLED job again, with a fresh count of attempts" })
  retryScanJob(@Arg("id", () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.scanJobs.retry(id);
  }

  @FieldResolver(() => Registry)
  registry(@Root() job: ScanJob, @Ctx() ctx: Context) {
    return ctx.loaders.registryById.load(job.registryId);
  }

  @FieldResolver(() => ScanAttemptConnection, { description: "Every RUNNING period, in order" })
  attempts(@Root() job: ScanJob, @Args() page: PageArgs, @Ctx() ctx: Context) {
    return ctx.services.scanJobs.attempts(job.id, page);
  }
}
