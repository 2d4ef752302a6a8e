/**
 * The OCI distribution API of a Nexus integration, addressed by canonical
 * name (`<repositoryKey>/<image>`), routed to the Docker endpoint of the
 * name's repository:
 *
 *  - connector port (`repositoryKey` set): `url` is that repository's Docker
 *    endpoint, `<url>/v2/<image>/…`;
 *  - path-based (no key): every repository's base path,
 *    `<url>/repository/<key>/v2/<image>/…` (the `downloadUrl` form of the
 *    search answers; registry-apis.md §5.3), one client per repository.
 *
 * Each endpoint runs its own challenge handshake; Nexus's Bearer realm
 * (`<origin>/v2/token`) is on the endpoint's origin, so it gets the
 * credentials and a realm anywhere else does not.
 */
import type { Readable } from "node:stream";
import type { DistributionApi } from "../../adapter";
import { type ClientOptions, DistributionClient, type FetchedManifest } from "../../distribution/client";
import type { RegistryEndpoint } from "../../distribution/endpoint";
import { RegistryError } from "../../errors";
import { imageOf } from "./search-mapping";

export class NexusDistribution implements DistributionApi {
  private readonly clients = new Map<string, DistributionClient>();

  constructor(
    private readonly endpoint: RegistryEndpoint,
    /** The connector's repository, or null for path-based routing. */
    private readonly connectorKey: string | null,
    private readonly options: ClientOptions = {},
  ) {}

  /** The /v2/ handshake of one repository's Docker endpoint. */
  pingRepository(repositoryKey: string): ReturnType<DistributionApi["ping"]> {
    return this.client(repositoryKey).ping();
  }

  /** The connector's /v2/; path-based routing has no root endpoint, so it pings per repository instead. */
  ping(): ReturnType<DistributionApi["ping"]> {
    if (this.connectorKey === null) {
      return Promise.reject(new RegistryError("REGISTRY_PROTOCOL", "path-based Nexus routing has one /v2/ per repository: ping a repository", { retryable: false }));
    }
    return this.pingRepository(this.connectorKey);
  }

  /** Nexus repositories are listed through its search API, not the catalog. */
  repositories(): AsyncIterable<string> {
    throw new RegistryError("REGISTRY_PROTOCOL", "Nexus images are listed through its search API", { retryable: false });
  }

  async *tags(repository: string, pageSize?: number): AsyncIterable<string> {
    const { client, image } = this.route(repository);
    yield* client.tags(image, pageSize);
  }

  async getManifest(repository: string, reference: string): Promise<FetchedManifest> {
    const { client, image } = this.route(repository);
    return client.getManifest(image, reference);
  }

  async headManifest(repository: string, reference: string): Promise<{ digest: string; mediaType: string; size: number }> {
    const { client, image } = this.route(repository);
    return client.headManifest(image, reference);
  }

  async getJsonBlob<T>(repository: string, digest: string): Promise<T> {
    const { client, image } = this.route(repository);
    return client.getJsonBlob<T>(image, digest);
  }

  async openBlob(repository: string, digest: string, signal?: AbortSignal): Promise<Readable> {
    const { client, image } = this.route(repository);
    return client.openBlob(image, digest, signal);
  }

  async close(): Promise<void> {
    await Promise.all([...this.clients.values()].map((client) => client.close()));
  }

  private route(repository: string): { client: DistributionClient; image: string } {
    const key = this.connectorKey ?? repository.split("/")[0];
    const image = imageOf(key, repository);
    if (image === null) {
      throw new RegistryError("NAME_UNKNOWN", `${repository} is not an image of the Nexus repository ${key}`, { retryable: false });
    }
    return { client: this.client(key), image };
  }

  private client(repositoryKey: string): DistributionClient {
    let client = this.clients.get(repositoryKey);
    if (!client) {
      const url = this.connectorKey === null ? `${this.endpoint.url.replace(/\/+$/, "")}/repository/${encodeURIComponent(repositoryKey)}` : this.endpoint.url;
      client = new DistributionClient({ ...this.endpoint, url }, this.options);
      this.clients.set(repositoryKey, client);
    }
    return client;
  }
}
