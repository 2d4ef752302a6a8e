import { RegistryType } from "../../../../db/enums";
import type { ConnectionCheck, DistributionApi, ListedRepository, ListedTag, RegistryAdapter } from "../../adapter";
import { distributionChecks } from "../../connection-checks";
import { TagResolver } from "../../tag-resolver";

/**
 * The native v2 adapter: the catalog is the scope, tags come from tags/list,
 * and `createdAt` from each image config (fetched once per digest). No push
 * date exists in the plain API.
 */
export class DockerRegistryAdapter implements RegistryAdapter {
  readonly type: RegistryType = RegistryType.DOCKER_REGISTRY;

  constructor(
    protected readonly api: DistributionApi,
    protected readonly resolver: TagResolver,
    protected readonly secure: boolean,
  ) {}

  checkConnection(): Promise<ConnectionCheck[]> {
    return distributionChecks(this.api, this.secure, async () => {
      for await (const _ of this.api.repositories(1)) break;
    });
  }

  async *listRepositories(): AsyncIterable<ListedRepository> {
    for await (const repository of this.api.repositories()) yield { repository };
  }

  /** Everything a plain registry serves is in scope: nothing is listed (its catalog may be off). */
  async pushedRepository(repository: string): Promise<ListedRepository> {
    return { repository };
  }

  async listTags(repository: string): Promise<ListedTag[]> {
    const names: string[] = [];
    for await (const tag of this.api.tags(repository)) names.push(tag);
    return Promise.all(
      names.map(async (tag) => {
        const { digest } = await this.api.headManifest(repository, tag);
        const createdAt = await this.resolver.dateOf(this.api, repository, digest);
        return { repository, tag, digest, createdAt, pushedAt: null };
      }),
    );
  }

  distribution(repository: string): { api: DistributionApi; name: string } {
    return { api: this.api, name: repository };
  }

  close(): Promise<void> {
    return this.api.close();
  }
}
