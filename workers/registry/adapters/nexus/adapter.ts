import { RegistryType } from "../../../../db/enums";
import { type ConnectionCheck, type ListedRepository, type ListedTag, repositoryFromListing } from "../../adapter";
import { CHECKS, distributionChecks } from "../../connection-checks";
import type { TagResolver } from "../../tag-resolver";
import { DockerRegistryAdapter } from "../docker-registry/adapter";
import type { NexusApi } from "./nexus-api";
import type { NexusDistribution } from "./nexus-distribution";
import { probeRights } from "./rights-probe";
import { imageOf, scopeOf, tagOf } from "./search-mapping";

/** Repositories searched at once (the search is Nexus's costliest call; the API client allows 8 requests). */
const SEARCHES_AT_ONCE = 4;

/**
 * Sonatype Nexus Repository 3 (DESIGN §2): every hosted Docker repository the
 * account browses (or the one `repositoryKey` of a connector port), proxy and
 * group repositories skipped; images and tags from the search API, whose
 * manifest assets carry the digest and the push date, so listing costs no
 * registry call. Pulls go through the plain v2 flow, routed per repository.
 */
export class NexusAdapter extends DockerRegistryAdapter {
  override readonly type: RegistryType = RegistryType.NEXUS;
  /** Tags found by the search that listed the repositories, by canonical name. */
  private readonly searched = new Map<string, ListedTag[]>();
  private scoped: Promise<ListedRepository[]> | undefined;
  /** Whether the connector's repository is in the account's repository list (a sign of the browse privilege). */
  private connectorListed = false;

  constructor(
    protected override readonly api: NexusDistribution,
    resolver: TagResolver,
    secure: boolean,
    private readonly nexus: NexusApi,
    /** The connector port's repository, or null: every hosted Docker repository, path-based. */
    private readonly repositoryKey: string | null,
  ) {
    super(api, resolver, secure);
  }

  override async checkConnection(): Promise<ConnectionCheck[]> {
    const checks = await distributionChecks(
      { ping: () => this.ping() },
      this.secure,
      async () => void (await this.scope()),
      "the account may not use the Nexus REST API (GET /service/rest/v1/repositories was refused)",
    );
    if (checks.every((check) => check.ok)) {
      checks.push(await probeRights(this.nexus, this.api, await this.scope(), this.repositoryKey, this.connectorListed));
    } else {
      checks.push({ name: CHECKS.rights, ok: false, message: "not checked: an earlier step failed" });
    }
    return checks;
  }

  /**
   * Each hosted repository's images, by canonical name, once its whole search
   * is read (a tag may come on any page). A search is a chain of continuation
   * pages, one after the other, so the next few repositories are searched
   * while one is yielded.
   */

  /** Checked against the listing, so that a push to an out-of-scope repository is skipped as a sync skips it. */
  override pushedRepository(repository: string): Promise<ListedRepository> {
    return repositoryFromListing(this, repository);
  }

  override async *listRepositories(): AsyncIterable<ListedRepository> {
    const scope = await this.scope();
    const hosted = scope.filter((entry) => entry.skipped === undefined).map((entry) => entry.repository);
    const searches: Promise<Map<string, ListedTag[]>>[] = [];
    let next = 0;
    for (const entry of scope) {
      if (entry.skipped !== undefined) {
        yield entry;
        continue;
      }
      while (searches.length < Math.min(hosted.length, next + SEARCHES_AT_ONCE)) {
        const search = this.search(hosted[searches.length]);
        // Awaited in turn below; one left behind by an earlier failure must not go unhandled.
        search.catch(() => undefined);
        searches.push(search);
      }
      for (const [repository, tags] of await searches[next++]) {
        this.searched.set(repository, tags);
        yield { repository };
      }
    }
  }

  override async listTags(repository: string): Promise<ListedTag[]> {
    const known = this.searched.get(repository);
    if (known) return known;
    const key = this.repositoryKey ?? repository.split("/")[0];
    const image = imageOf(key, repository);
    if (image === null) return [];
    const tags: ListedTag[] = [];
    for await (const component of this.nexus.components(key, image)) {
      const tag = tagOf(key, component);
      if (tag?.repository === repository) tags.push(tag);
    }
    return tags;
  }

  override async close(): Promise<void> {
    await Promise.all([super.close(), this.nexus.close()]);
  }

  /** One hosted repository's tags, by canonical name. */
  private async search(repositoryKey: string): Promise<Map<string, ListedTag[]>> {
    const byImage = new Map<string, ListedTag[]>();
    for await (const component of this.nexus.components(repositoryKey)) {
      const tag = tagOf(repositoryKey, component);
      if (!tag) continue;
      const tags = byImage.get(tag.repository);
      if (tags) tags.push(tag);
      else byImage.set(tag.repository, [tag]);
    }
    return byImage;
  }

  /**
   * The repositories in scope: the connector's (skipped when it is a proxy or
   * group, kept when the account cannot browse the list: the search then
   * answers for it), else every Docker repository the account browses.
   */
  private scope(): Promise<ListedRepository[]> {
    this.scoped ??= this.nexus.repositories().then((repositories): ListedRepository[] => {
      if (this.repositoryKey === null) return repositories.map(scopeOf).filter((entry) => entry !== null);
      const own = repositories.find((r) => r.name === this.repositoryKey);
      this.connectorListed = own !== undefined;
      if (own && own.format !== "docker") return [{ repository: own.name, skipped: `a ${own.format} repository, not Docker` }];
      return [(own && scopeOf(own)) ?? { repository: this.repositoryKey }];
    });
    this.scoped.catch(() => (this.scoped = undefined));
    return this.scoped;
  }

  /** The Docker endpoint's /v2/ handshake: the connector's, or the first hosted repository's (the REST answer alone when there is none). */
  private async ping(): ReturnType<NexusDistribution["ping"]> {
    if (this.repositoryKey !== null) return this.api.ping();
    const hosted = (await this.scope()).find((entry) => entry.skipped === undefined);
    return hosted ? this.api.pingRepository(hosted.repository) : { status: 200, auth: "basic" };
  }
}
