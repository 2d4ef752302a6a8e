import { RegistryType } from "../../../../db/enums";
import type { ConnectionCheck, DistributionApi, ListedRepository, ListedTag } from "../../adapter";
import { distributionChecks } from "../../connection-checks";
import { isRegistryError } from "../../errors";
import type { TagResolver } from "../../tag-resolver";
import { DockerRegistryAdapter } from "../docker-registry/adapter";
import { canonicalName, listedTags, wireName } from "./mapping";
import { type ProbeResult, rightsCheck, type RightsProbe, VIEWER_ROLE } from "./rights";
import type { YandexApi, YandexImage } from "./yandex-api";

/**
 * Yandex Container Registry: the scope is the one registry of `url`
 * (`https://cr.yandex/<registryId>`); repositories and images (with their
 * tags and `createdAt`) come from the Container Registry API; pulls go to
 * the registry host as `<registryId>/<name>`, authenticated with the IAM
 * token (`iam:<token>`, renewed as it ages: see iam-token.ts). Images carry
 * their tags, so listing needs no call per tag.
 */
export class YandexAdapter extends DockerRegistryAdapter {
  override readonly type: RegistryType = RegistryType.YANDEX;

  constructor(
    api: DistributionApi,
    resolver: TagResolver,
    secure: boolean,
    private readonly yandex: YandexApi,
    private readonly registryId: string,
    private readonly closeApis: () => Promise<void>,
  ) {
    super(api, resolver, secure);
  }

  override async checkConnection(): Promise<ConnectionCheck[]> {
    const listingDenied = `the Container Registry API refused to list the repositories of registry ${this.registryId}: grant the account ${VIEWER_ROLE} on it`;
    // The listing step's answer is the rights probe's too: asked once.
    let listed: Promise<void> | undefined;
    const checks = await distributionChecks(this.api, this.secure, () => (listed = this.firstRepository()), listingDenied);
    checks.push(rightsCheck(await this.probeRights(listed)));
    return checks;
  }

  override async *listRepositories(): AsyncIterable<ListedRepository> {
    for await (const listed of this.yandex.repositories(this.registryId)) {
      const repository = canonicalName(this.registryId, listed.name);
      if (repository) yield { repository };
    }
  }

  override async listTags(repository: string): Promise<ListedTag[]> {
    const images: YandexImage[] = [];
    for await (const image of this.yandex.images({ repositoryName: wireName(this.registryId, repository) })) images.push(image);
    return listedTags(repository, images);
  }

  override distribution(repository: string): { api: DistributionApi; name: string } {
    return { api: this.api, name: wireName(this.registryId, repository) };
  }

  override async close(): Promise<void> {
    await Promise.all([super.close(), this.closeApis()]);
  }

  private async firstRepository(): Promise<void> {
    for await (const _ of this.yandex.repositories(this.registryId, 1)) break;
  }

  /** The viewer role by listing (`listed`, when the listing step already did), the puller role by a manifest HEAD of the first listed image. */
  private async probeRights(listed?: Promise<void>): Promise<RightsProbe> {
    const probe: RightsProbe = { registryId: this.registryId, viewer: { unknown: "not tried" }, puller: { unknown: "not tried" } };
    let image: YandexImage | undefined;
    try {
      await (listed ?? this.firstRepository());
      for await (const first of this.yandex.images({ registryId: this.registryId }, 1)) {
        image = first;
        break;
      }
      probe.viewer = { granted: true };
    } catch (error) {
      probe.viewer = outcome(error);
    }
    if (!image) {
      probe.puller = {
        unknown: "granted" in probe.viewer && probe.viewer.granted ? "the registry holds no image to try a pull with" : "no image could be listed to try a pull with",
      };
      return probe;
    }
    probe.pulled = canonicalName(this.registryId, image.name) ?? image.name;
    try {
      await this.api.headManifest(image.name, image.digest || image.tags?.[0] || "latest");
      probe.puller = { granted: true };
    } catch (error) {
      probe.puller = outcome(error);
    }
    return probe;
  }
}

/** A refusal means the role is missing; anything else leaves it unknown, saying why. */
function outcome(error: unknown): ProbeResult {
  if (!isRegistryError(error)) throw error;
  if (error.code === "REGISTRY_FORBIDDEN") return { granted: false };
  if (error.code === "REGISTRY_UNAUTHORIZED") return { unknown: "the credentials were refused" };
  return { unknown: error.message };
}
