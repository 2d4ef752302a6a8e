import { RegistryType } from "../../../../db/enums";
import { type ConnectionCheck, type DistributionApi, type ListedRepository, type ListedTag, type RegistryAdapter, repositoryFromListing } from "../../adapter";
import { CHECKS, distributionChecks } from "../../connection-checks";
import { RegistryError } from "../../errors";
import type { TagResolver } from "../../tag-resolver";
import { DockerRegistryAdapter } from "../docker-registry/adapter";
import type { ArtifactoryApi } from "./artifactory-api";
import type { DockerEndpoints } from "./docker-endpoints";
import { type ArtifactoryRepository, listedRepository, splitCanonical, tagFromFileInfo } from "./mapping";
import { failedProbe, MAX_PROBED, nothingToProbe, type ProbeOutcome, type RepositoryProbe, rightsCheck } from "./rights";

/**
 * JFrog Artifactory (DESIGN §2): canonical names `<repositoryKey>/<image>`;
 * REPOSITORY_PATH lists every local Docker repository the account reads,
 * SUBDOMAIN and PORT the one `repositoryKey`; remote, virtual and federated
 * repositories are reported as skipped. Images and tags come from the REST
 * API's Docker path, dates from the storage info of each tag's manifest file
 * (`created` → createdAt, `lastModified` → pushedAt); pulls go through the
 * repository's Docker endpoint.
 *
 * Without a REST API (SUBDOMAIN or PORT with no `apiUrl`) it lists like the
 * plain v2 adapter on the Docker endpoint: catalog, tags, config dates.
 */
export class ArtifactoryAdapter implements RegistryAdapter {
  readonly type = RegistryType.ARTIFACTORY;
  /** The plain v2 adapter on the one Docker endpoint, where there is no REST API. */
  private readonly plain: DockerRegistryAdapter | null;

  constructor(
    private readonly rest: ArtifactoryApi | null,
    private readonly docker: DockerEndpoints,
    resolver: TagResolver,
    private readonly secure: boolean,
  ) {
    if (!rest && docker.key === null) throw new RegistryError("REGISTRY_PROTOCOL", "an Artifactory REPOSITORY_PATH integration needs its REST API", { retryable: false });
    this.plain = rest ? null : new DockerRegistryAdapter(docker.forKey(docker.key!), resolver, secure);
  }

  async checkConnection(): Promise<ConnectionCheck[]> {
    if (!this.rest) return this.checkWithoutRest();
    const rest = this.rest;
    let repositories: ArtifactoryRepository[] = [];
    const access = {
      // SUBDOMAIN and PORT: `url` is the Docker endpoint, so its /v2/ handshake comes first.
      ping: async () => {
        const ping = this.docker.key !== null ? await this.docker.forKey(this.docker.key).ping() : undefined;
        repositories = await rest.dockerRepositories();
        return ping ?? { status: 200, auth: rest.scheme };
      },
    };
    const checks = await distributionChecks(
      access,
      this.secure,
      async () => {
        const first = this.inScope(repositories)[0];
        if (first) for await (const _ of rest.images(first.key, 1)) break;
      },
      "the account may not list the images of a Docker repository (/api/docker/<key>/v2/_catalog): it needs read on each repository to scan",
    );
    if (!checks.every((check) => check.ok)) return [...checks, { name: CHECKS.rights, ok: false, message: "not checked: an earlier step failed" }];
    return [...checks, await this.rightsOf(repositories)];
  }

  /** Checked against the listing, so that a push to an out-of-scope repository is skipped as a sync skips it. */
  pushedRepository(repository: string): Promise<ListedRepository> {
    return repositoryFromListing(this, repository);
  }

  async *listRepositories(): AsyncIterable<ListedRepository> {
    if (!this.rest) {
      for await (const entry of this.plain!.listRepositories()) yield { repository: `${this.docker.key}/${entry.repository}` };
      return;
    }
    const repositories = await this.rest.dockerRepositories();
    for (const repository of repositories) {
      const skipped = listedRepository(repository);
      if (skipped && (this.docker.key === null || repository.key === this.docker.key)) yield skipped;
    }
    const local = this.inScope(repositories);
    if (this.docker.key !== null && local.length === 0 && !repositories.some((r) => r.key === this.docker.key)) {
      throw new RegistryError("REGISTRY_FORBIDDEN", `the Artifactory repository ${this.docker.key} is not visible to the account: it needs read on it`, { status: 403 });
    }
    for (const { key } of local) {
      for await (const image of this.rest.images(key)) yield { repository: `${key}/${image}` };
    }
  }

  async listTags(repository: string): Promise<ListedTag[]> {
    const { key, image } = this.split(repository);
    if (!this.rest) return (await this.plain!.listTags(image)).map((tag) => ({ ...tag, repository }));
    const rest = this.rest;
    const names: string[] = [];
    for await (const tag of rest.tags(key, image)) names.push(tag);
    // One File Info call per tag; the API client's concurrency bounds how many run at once.
    return Promise.all(names.map(async (tag) => tagFromFileInfo(repository, tag, await rest.manifestInfo(key, image, tag))));
  }

  distribution(repository: string): { api: DistributionApi; name: string } {
    const { key, image } = this.split(repository);
    return { api: this.docker.forKey(key), name: image };
  }

  async close(): Promise<void> {
    await Promise.all([this.docker.close(), this.rest?.close()]);
  }

  /** The local repositories in scope: all of them, or the one key. */
  private inScope(repositories: readonly ArtifactoryRepository[]): ArtifactoryRepository[] {
    return repositories.filter((r) => r.type === "LOCAL" && (this.docker.key === null || r.key === this.docker.key));
  }

  private split(repository: string): { key: string; image: string } {
    const parts = splitCanonical(repository);
    if (!parts || (this.docker.key !== null && parts.key !== this.docker.key)) {
      const expected = this.docker.key === null ? "<repositoryKey>/<image>" : `${this.docker.key}/<image>`;
      throw new RegistryError("NAME_UNKNOWN", `${repository} is not an image of this Artifactory integration (${expected})`, { retryable: false });
    }
    return parts;
  }

  private async rightsOf(repositories: readonly ArtifactoryRepository[]): Promise<ConnectionCheck> {
    const local = this.inScope(repositories);
    if (local.length === 0) {
      if (this.docker.key === null) return nothingToProbe("no local Docker repository is visible to the account: grant it read on the repositories to scan");
      const other = repositories.find((r) => r.key === this.docker.key);
      return nothingToProbe(
        other
          ? `${this.docker.key} is a ${other.type.toLowerCase()} repository: only a local repository can be integrated`
          : `the repository ${this.docker.key} is not visible to the account: grant it read on ${this.docker.key}`,
      );
    }
    const probed = local.slice(0, MAX_PROBED);
    const probes = await Promise.all(probed.map(({ key }) => this.probe(key, (pageSize) => this.rest!.images(key, pageSize), (image) => this.rest!.tags(key, image, 1))));
    return rightsCheck(probes, local.length - probed.length);
  }

  /** Without a REST API the one endpoint is probed through /v2/ alone. */
  private async checkWithoutRest(): Promise<ConnectionCheck[]> {
    const checks = await this.plain!.checkConnection();
    if (!checks.every((check) => check.ok)) return [...checks, { name: CHECKS.rights, ok: false, message: "not checked: an earlier step failed" }];
    const api = this.docker.forKey(this.docker.key!);
    const probe = await this.probe(this.docker.key!, (pageSize) => api.repositories(pageSize), (image) => api.tags(image, 1));
    const check = rightsCheck([probe]);
    return [...checks, { ...check, message: `${check.message} (no apiUrl: the repository list and storage dates are not read)` }];
  }

  /** Browse: the first image of the repository's catalog; read: a manifest HEAD of its first tag. */
  private async probe(key: string, images: (pageSize: number) => AsyncIterable<string>, tags: (image: string) => AsyncIterable<string>): Promise<RepositoryProbe> {
    let image: string | undefined;
    try {
      for await (const name of images(1)) {
        image = name;
        break;
      }
    } catch (error) {
      return { key, browse: failedProbe(error), read: null };
    }
    if (!image) return { key, browse: { ok: true, detail: "no image" }, read: null };
    let read: ProbeOutcome | null = null;
    try {
      let tag: string | undefined;
      for await (const name of tags(image)) {
        tag = name;
        break;
      }
      if (tag) {
        await this.docker.forKey(key).headManifest(image, tag);
        read = { ok: true, detail: `${image}:${tag}` };
      }
    } catch (error) {
      read = failedProbe(error);
    }
    return { key, browse: { ok: true, detail: "" }, read };
  }
}
