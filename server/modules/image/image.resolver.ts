import { GraphQLJSONObject } from "graphql-scalars";
import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Query, Resolver, Root } from "type-graphql";
import { ArtifactPackage, Image, Registry, ScanJob } from "../../../db/entities";
import { OperatingSystem } from "../../../db/entities/artifact.entity";
import { Role } from "../../../db/enums";
import type { Context } from "../../context";
import { ConnectionType, PageArgs } from "../../graphql/connection";
import { ScanJobConnection } from "../scan/scan-job.objects";
import { VulnerabilityFilter } from "../vuln/vuln.inputs";
import { vulnerabilitySummary } from "../vuln/vulnerability-summary";
import { VulnerabilityConnection, VulnerabilitySummary } from "../vuln/vuln.objects";
import { ImageFilter, PackageFilter } from "./image.inputs";
import { ImageConnection } from "./image.objects";

const PackageConnection = ConnectionType(ArtifactPackage, "Package");

@Resolver(() => Image)
export class ImageResolver {
  @Authorized(Role.VIEWER)
  @Query(() => ImageConnection, { description: "Images, newest first seen first" })
  images(
    @Arg("filter", () => ImageFilter, { nullable: true }) filter: ImageFilter | null,
    @Args() page: PageArgs,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.images.list(filter, page);
  }

  @Authorized(Role.VIEWER)
  @Query(() => Image)
  image(@Arg("id", () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.images.get(id);
  }

  @Authorized(Role.VIEWER)
  @Query(() => [Image], {
    description:
      "The current, non-removed images a reference names: repo:tag gives one per platform; repo@sha256:… those whose platform digest or tag (index) digest it is",
  })
  imageByReference(@Arg("registryId", () => ID) registryId: string, @Arg("reference") reference: string, @Ctx() ctx: Context) {
    return ctx.services.images.byReference(registryId, reference);
  }

  @FieldResolver(() => Registry)
  registry(@Root() image: Image, @Ctx() ctx: Context) {
    return ctx.loaders.registryById.load(image.registryId);
  }

  @FieldResolver(() => ScanJob, { nullable: true, description: "The latest SUCCEEDED scan" })
  lastScan(@Root() image: Image, @Ctx() ctx: Context) {
    return ctx.loaders.lastScanByImage.load(image.id);
  }

  @FieldResolver(() => ScanJobConnection, { description: "Scans of this image, newest queued first" })
  scanJobs(@Root() image: Image, @Args() page: PageArgs, @Ctx() ctx: Context) {
    return ctx.services.scanJobs.list({ imageId: image.id }, page);
  }

  @FieldResolver(() => OperatingSystem, { nullable: true, description: "From the image's os-release; null before a scan or without one" })
  async os(@Root() image: Image, @Ctx() ctx: Context) {
    const artifact = await ctx.loaders.artifactByDigest.load(image.digest);
    return artifact?.os ?? null;
  }

  @FieldResolver(() => [String], {
    description: "What vulnerability matching could not cover, e.g. rpm packages of a distribution OSV has no ecosystem for; empty before a scan",
  })
  async vulnerabilityNotes(@Root() image: Image, @Ctx() ctx: Context) {
    const artifact = await ctx.loaders.artifactByDigest.load(image.digest);
    return artifact?.matchNotes ?? [];
  }

  @FieldResolver(() => PackageConnection, { description: "The inventory, by type, name and version; empty before a scan" })
  packages(
    @Root() image: Image,
    @Arg("filter", () => PackageFilter, { nullable: true }) filter: PackageFilter | null,
    @Args() page: PageArgs,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.images.packages(image, filter, page);
  }

  @FieldResolver(() => VulnerabilityConnection, {
    description: "The findings of the inventory, worst first, then by advisory id and package name; empty before a scan",
  })
  vulnerabilities(
    @Root() image: Image,
    @Arg("filter", () => VulnerabilityFilter, { nullable: true }) filter: VulnerabilityFilter | null,
    @Args() page: PageArgs,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.vulnerabilities.list(image.digest, filter, page);
  }

  @FieldResolver(() => VulnerabilitySummary, {
    nullable: true,
    description: "Counts of the findings; null until the image was scanned and matched against the vulnerability database",
  })
  async vulnerabilitySummary(@Root() image: Image, @Ctx() ctx: Context) {
    return vulnerabilitySummary(await ctx.loaders.artifactByDigest.load(image.digest));
  }

  /** Priced like a 1,000-package page: `images(first: 500) { sbom }` is refused as too costly. */
  @FieldResolver(() => GraphQLJSONObject, { nullable: true, complexity: 1000, description: "CycloneDX 1.5 JSON SBOM of the inventory; null before a scan" })
  sbom(@Root() image: Image, @Ctx() ctx: Context) {
    return ctx.services.images.sbom(image);
  }
}
