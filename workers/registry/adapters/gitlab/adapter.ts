import { RegistryType } from "../../../../db/enums";
import { type ConnectionCheck, type DistributionApi, type ListedRepository, type ListedTag, repositoryFromListing } from "../../adapter";
import { distributionChecks } from "../../connection-checks";
import { Semaphore } from "../../distribution/limits";
import { isRegistryError, RegistryError } from "../../errors";
import type { TagResolver } from "../../tag-resolver";
import { DockerRegistryAdapter } from "../docker-registry/adapter";
import { ACCESS_LEVEL, type GitLabApi } from "./gitlab-api";
import { listedRepository, listedTag } from "./mapping";
import { type RightsProbe, rightsCheck } from "./rights";

/** Tag detail calls in flight per adapter: below the API client's 8, so listing pages are never starved. */
const TAG_DETAIL_CONCURRENCY = 6;

const LISTING_DENIED = "the GitLab API (apiUrl) refused to list projects: check that the token is valid and has the scope read_api";

interface Location {
  projectId: number;
  repositoryId: number;
}

/**
 * GitLab: the scope is every container repository of the projects the token
 * reaches as Reporter or above, named by their `path`; tags and their
 * `created_at` come from the REST API (one detail call per tag); pulls go
 * through the registry at `url`, whose token service (`/jwt/auth`) lives on
 * the apiUrl origin and so may receive the token (DESIGN §2).
 */
export class GitLabAdapter extends DockerRegistryAdapter {
  override readonly type: RegistryType = RegistryType.GITLAB;
  private readonly located = new Map<string, Location>();
  private readonly details = new Semaphore(TAG_DETAIL_CONCURRENCY);

  constructor(
    api: DistributionApi,
    resolver: TagResolver,
    secure: boolean,
    private readonly gitlab: GitLabApi,
    private readonly closeApi: () => Promise<void>,
  ) {
    super(api, resolver, secure);
  }

  override async checkConnection(): Promise<ConnectionCheck[]> {
    // The listing step's answer is the rights probe's too: asked once.
    let reporterProjects: Promise<boolean> | undefined;
    const listing = () => (reporterProjects = this.gitlab.reachesAnyProject(ACCESS_LEVEL.reporter)).then(() => undefined);
    const checks = await distributionChecks(this.api, this.secure, listing, LISTING_DENIED);
    checks.push(rightsCheck(await this.probeRights(reporterProjects)));
    return checks;
  }

  /** Checked against the listing, so that a push to an out-of-scope repository is skipped as a sync skips it. */
  override pushedRepository(repository: string): Promise<ListedRepository> {
    return repositoryFromListing(this, repository);
  }

  override async *listRepositories(): AsyncIterable<ListedRepository> {
    for await (const project of this.gitlab.projects(ACCESS_LEVEL.reporter)) {
      for await (const repository of this.gitlab.repositories(project.id)) {
        this.located.set(repository.path, { projectId: project.id, repositoryId: repository.id });
        yield listedRepository(repository);
      }
    }
  }

  override async listTags(repository: string): Promise<ListedTag[]> {
    const { projectId, repositoryId } = await this.locate(repository);
    const names: string[] = [];
    for await (const tag of this.gitlab.tags(projectId, repositoryId)) names.push(tag.name);
    const listed = await Promise.all(
      names.map((name) =>
        this.details.run(async () => {
          const detail = await this.gitlab.tagDetail(projectId, repositoryId, name);
          return detail && listedTag(repository, { ...detail, name });
        }),
      ),
    );
    // A tag deleted between the list and its detail call is gone: left out.
    return listed.filter((tag): tag is ListedTag => tag !== null);
  }

  override async close(): Promise<void> {
    await Promise.all([super.close(), this.closeApi()]);
  }

  /** Where a repository lives, from this adapter's listing (run now when it has not been). */
  private async locate(repository: string): Promise<Location> {
    if (!this.located.has(repository)) for await (const _ of this.listRepositories());
    const location = this.located.get(repository);
    if (!location) throw new RegistryError("NAME_UNKNOWN", `${repository} is not a container repository of a project the token reaches as Reporter or above`, { retryable: false });
    return location;
  }

  /** `reporterProjects`: whether a project is reached as Reporter, when the listing step already asked. */
  private async probeRights(reporterProjects?: Promise<boolean>): Promise<RightsProbe> {
    const probe: RightsProbe = { scopes: "not read", reporterProjects: "not read" };
    try {
      const self = await this.gitlab.tokenSelf();
      if (!self) probe.scopes = "the token is not a personal, project or group access token, so GitLab does not show its scopes";
      else {
        probe.scopes = self.scopes ?? [];
        if (self.revoked) probe.inactive = "it is revoked";
        else if (self.active === false) probe.inactive = "it is inactive or expired";
      }
    } catch (error) {
      if (isRegistryError(error, "REGISTRY_UNAUTHORIZED")) probe.inactive = "the GitLab API refused it: revoked, expired or mistyped";
      probe.scopes = reason(error);
    }
    try {
      probe.reporterProjects = await (reporterProjects ?? this.gitlab.reachesAnyProject(ACCESS_LEVEL.reporter));
      if (!probe.reporterProjects) probe.anyProjects = await this.gitlab.reachesAnyProject(ACCESS_LEVEL.minimal);
    } catch (error) {
      probe.reporterProjects = reason(error);
    }
    return probe;
  }
}

function reason(error: unknown): string {
  if (!isRegistryError(error)) throw error;
  if (error.code === "REGISTRY_FORBIDDEN") return "the GitLab API refused: the token lacks a scope for it";
  if (error.code === "REGISTRY_UNAUTHORIZED") return "the GitLab API refused the token";
  return error.message;
}
