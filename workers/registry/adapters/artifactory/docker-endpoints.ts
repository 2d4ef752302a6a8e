/**
 * Where an Artifactory integration pulls from (registry-apis.md §4.2):
 *  - REPOSITORY_PATH: each repository's REST-API Docker path,
 *    `<url>/api/docker/<key>/v2/`, one client per key, made when first used;
 *  - SUBDOMAIN and PORT: `url` itself is the one repository's Docker endpoint.
 * Either way an image is addressed by its name inside the repository.
 */
import type { DistributionApi } from "../../adapter";
import { type ClientOptions, DistributionClient } from "../../distribution/client";
import type { RegistryEndpoint } from "../../distribution/endpoint";
import { RegistryError } from "../../errors";

export interface DockerEndpoints {
  /** The one repository key (SUBDOMAIN, PORT), or null: every local repository (REPOSITORY_PATH). */
  readonly key: string | null;
  /** The distribution API serving repository `key`. */
  forKey(key: string): DistributionApi;
  close(): Promise<void>;
}

/** REPOSITORY_PATH: `<base>/api/docker/<key>` per repository, sharing the integration's TLS and credentials. */
export function repositoryPathEndpoints(base: RegistryEndpoint, options: ClientOptions): DockerEndpoints {
  const clients = new Map<string, DistributionClient>();
  const root = base.url.replace(/\/+$/, "");
  return {
    key: null,
    forKey(key) {
      let client = clients.get(key);
      if (!client) {
        client = new DistributionClient({ ...base, url: `${root}/api/docker/${encodeURIComponent(key)}` }, options);
        clients.set(key, client);
      }
      return client;
    },
    async close() {
      await Promise.all([...clients.values()].map((client) => client.close()));
    },
  };
}

/** SUBDOMAIN or PORT: `url` is repository `key`'s own Docker endpoint. */
export function singleRepositoryEndpoint(key: string, endpoint: RegistryEndpoint, options: ClientOptions): DockerEndpoints {
  const client = new DistributionClient(endpoint, options);
  return {
    key,
    forKey(asked) {
      if (asked !== key) {
        throw new RegistryError("NAME_UNKNOWN", `${asked} is not the integration's repository ${key}: its Docker endpoint serves ${key} only`, { retryable: false });
      }
      return client;
    },
    close: () => client.close(),
  };
}
