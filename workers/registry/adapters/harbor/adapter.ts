import { RegistryType } from "../../../../db/enums";
import { forEachBounded } from "../../../discovery/bounded";
import { type ConnectionCheck, type DistributionApi, type ListedRepository, type ListedTag, repositoryFromListing } from "../../adapter";
import { CHECKS, distributionChecks } from "../../connection-checks";
import type { TagResolver } from "../../tag-resolver";
import { DockerRegistryAdapter } from "../docker-registry/adapter";
import { type AccountAccess, accountAccess, rightsCheck } from "./access";
import type { HarborApi } from "./harbor-api";
import { artifactTags, isIndex, isProxyCache } from "./mapping";

/** Index dates resolved at once per repository (each is a manifest, a child manifest and a config). */
const INDEX_DATE_CONCURRENCY = 4;

/**
 * Harbor (DESIGN §2): projects where the account has a role → repositories →
 * artifacts with tags and dates from the API; pulls through `/v2/` on the
 * same origin, whose token service (`/service/token`) gets the credentials.
 */
export class HarborAdapter extends DockerRegistryAdapter {
  override readonly type: RegistryType = RegistryType.HARBOR;

  constructor(
    api: DistributionApi,
    resolver: TagResolver,
    secure: boolean,
    private readonly harbor: HarborApi,
  ) {
    super(api, resolver, secure);
  }

  override async checkConnection(): Promise<ConnectionCheck[]> {
    let access: AccountAccess | undefined;
    const checks = await distributionChecks(
      this.api,
      this.secure,
      async () => {
        access = await accountAccess(this.harbor);
      },
      "the account may not list projects through the Harbor API (/api/v2.0/projects)",
    );
    checks.push(access ? rightsCheck(access) : { name: CHECKS.rights, ok: false, message: "not checked: an earlier step failed" });
    return checks;
  }

  /** Checked against the listing, so that a push to an out-of-scope repository is skipped as a sync skips it. */
  override pushedRepository(repository: string): Promise<ListedRepository> {
    return repositoryFromListing(this, repository);
  }

  override async *listRepositories(): AsyncIterable<ListedRepository> {
    const access = await accountAccess(this.harbor);
    for (const { project, inScope } of access.projects) {
      if (!inScope) continue;
      const proxy = isProxyCache(project);
      for await (const { name } of this.harbor.repositories(project.name)) {
        yield proxy ? { repository: name, skipped: `in the proxy-cache project ${project.name}: a cache of another registry` } : { repository: name };
      }
    }
  }

  override async listTags(repository: string): Promise<ListedTag[]> {
    const tags: ListedTag[] = [];
    const indexes = new Map<string, ListedTag[]>();
    for await (const artifact of this.harbor.artifacts(repository)) {
      const listed = artifactTags(repository, artifact);
      tags.push(...listed);
      if (isIndex(artifact) && listed.length > 0) indexes.set(artifact.digest, listed);
    }
    await forEachBounded(indexes, INDEX_DATE_CONCURRENCY, async ([digest, ofIndex]) => {
      const createdAt = await this.resolver.dateOf(this.api, repository, digest);
      for (const tag of ofIndex) tag.createdAt = createdAt;
    });
    return tags;
  }

  override async close(): Promise<void> {
    await Promise.all([super.close(), this.harbor.close()]);
  }
}
