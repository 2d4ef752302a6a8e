import { RegistryType } from "../../../../db/enums";
import { type ConnectionCheck, type DistributionApi, type ListedRepository, type ListedTag, repositoryFromListing } from "../../adapter";
import { CHECKS, distributionChecks } from "../../connection-checks";
import { isRegistryError, type RegistryError } from "../../errors";
import type { PullQuotaMeter } from "../../pull-quota";
import type { TagResolver } from "../../tag-resolver";
import { DockerRegistryAdapter } from "../docker-registry/adapter";
import type { HubApi } from "./hub-api";
import { listedTag, resolvedFromListing } from "./hub-tags";

/**
 * Docker Hub (DESIGN §2): the account's own namespace through the Hub API,
 * tags with `tag_last_pushed` and their platform digests, so discovery makes
 * no registry call at all (manifest GETs cost pull quota); pulls go through
 * the registry and the Hub's token service, and every registry answer's
 * quota headers feed `pullQuota`.
 */
export class DockerHubAdapter extends DockerRegistryAdapter {
  override readonly type = RegistryType.DOCKER_HUB;

  constructor(
    api: DistributionApi,
    resolver: TagResolver,
    secure: boolean,
    private readonly hub: HubApi,
    /** The integration's `username`: the one namespace listed. */
    private readonly namespace: string,
    readonly pullQuota: PullQuotaMeter,
  ) {
    super(api, resolver, secure);
  }

  override async checkConnection(): Promise<ConnectionCheck[]> {
    let loginRefused: RegistryError | null = null;
    const checks = await distributionChecks(
      this.api,
      this.secure,
      async () => {
        try {
          await this.hub.login();
        } catch (error) {
          if (isRegistryError(error, "REGISTRY_UNAUTHORIZED")) loginRefused = error;
          throw error;
        }
        for await (const _ of this.hub.repositories(this.namespace, 1)) break;
      },
      `the account may not list the repositories of namespace ${this.namespace} in the Docker Hub API`,
    );
    if (loginRefused) {
      const refused: RegistryError = loginRefused;
      return checks.map((check) =>
        check.name === CHECKS.authenticated
          ? { ...check, ok: false, message: refused.message }
          : check.name === CHECKS.canList
            ? { ...check, ok: false, message: "not checked: an earlier step failed" }
            : check,
      ).concat({ name: CHECKS.rights, ok: false, message: "not checked: an earlier step failed" });
    }
    const listed = checks.find((check) => check.name === CHECKS.canList)?.ok === true;
    return [...checks, listed ? await this.rightsCheck() : { name: CHECKS.rights, ok: false, message: "not checked: an earlier step failed" }];
  }

  /** The item 3: the namespace is the account's personal one (a user's, not an organisation's). */
  private async rightsCheck(): Promise<ConnectionCheck> {
    const ns = this.namespace;
    try {
      const owner = await this.hub.owner(ns);
      if (!owner) return { name: CHECKS.rights, ok: false, message: `Docker Hub knows no user ${ns}: username must be the account's Docker ID, whose personal namespace is listed` };
      if (owner.type !== undefined && owner.type.toLowerCase() !== "user") {
        return {
          name: CHECKS.rights,
          ok: false,
          message: `${ns} is an organisation's namespace (${owner.type}), not an account's personal namespace: a DOCKER_HUB integration lists the account's own namespace only; use a user's Docker ID as username with its password or personal access token`,
        };
      }
      if (owner.username !== undefined && owner.username.toLowerCase() !== ns.toLowerCase()) {
        return { name: CHECKS.rights, ok: false, message: `the Docker Hub user answered for ${ns} is ${owner.username}: username must be the account's Docker ID` };
      }
      return { name: CHECKS.rights, ok: true, message: `${ns} is the account's personal namespace` };
    } catch (error) {
      if (!isRegistryError(error)) throw error;
      return { name: CHECKS.rights, ok: false, message: `whether ${ns} is a personal namespace could not be read: ${error.message}` };
    }
  }

  /** Checked against the listing, so that a push to an out-of-scope repository is skipped as a sync skips it. */
  override pushedRepository(repository: string): Promise<ListedRepository> {
    return repositoryFromListing(this, repository);
  }

  override async *listRepositories(): AsyncIterable<ListedRepository> {
    for await (const repository of this.hub.repositories(this.namespace)) {
      const name = `${this.namespace}/${repository.name}`;
      if (repository.repository_type && repository.repository_type !== "image") {
        yield { repository: name, skipped: `not an image repository (repository_type ${repository.repository_type})` };
      } else {
        yield { repository: name };
      }
    }
  }

  override async listTags(repository: string): Promise<ListedTag[]> {
    const name = repository.slice(this.namespace.length + 1);
    const tags = await this.hub.tags(this.namespace, name);
    return tags.map((tag) => {
      const resolved = resolvedFromListing(tag, this.resolver.platforms);
      if (resolved) this.resolver.remember(resolved);
      return listedTag(repository, tag);
    });
  }

  override async close(): Promise<void> {
    await Promise.all([super.close(), this.hub.close()]);
  }
}
