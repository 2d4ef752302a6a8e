import { AuthMethod, RegistryType, RepositoryPathMethod } from "../../../../db/enums";
import { basicAuthorization } from "../../distribution/auth";
import { distributionEndpoint } from "../../registry-connection";
import type { AdapterFactory } from "../../registry";
import { VendorApiClient } from "../../vendor-api/api-client";
import { vendorApiOptions } from "../../vendor-api/vendor-api-options";
import { ArtifactoryAdapter } from "./adapter";
import { ArtifactoryApi } from "./artifactory-api";
import { repositoryPathEndpoints, singleRepositoryEndpoint } from "./docker-endpoints";

/**
 * REPOSITORY_PATH: `url` is the `…/artifactory` base (REST and Docker paths);
 * SUBDOMAIN and PORT: `url` is the `repositoryKey`'s Docker endpoint and
 * `apiUrl` the REST base. ACCOUNT sends Basic (password or API key), API_KEY
 * the access token as Bearer.
 */
export const artifactoryFactory: AdapterFactory = {
  type: RegistryType.ARTIFACTORY,
  create(registry, secrets, resolver, options = {}) {
    const method = registry.repositoryPathMethod ?? RepositoryPathMethod.REPOSITORY_PATH;
    const restBase = method === RepositoryPathMethod.REPOSITORY_PATH ? registry.url : registry.apiUrl;
    const secret = registry.secretCiphertext ? secrets.open(registry.secretCiphertext) : null;
    const bearer = registry.authMethod === AuthMethod.API_KEY;
    const authorization = secret === null ? undefined : bearer ? `Bearer ${secret}` : basicAuthorization(registry.username ?? "", secret);
    const rest = restBase
      ? new ArtifactoryApi(
          new VendorApiClient({
            baseUrl: restBase,
            label: "the Artifactory API",
            ...vendorApiOptions(registry, options),
            authorization: () => authorization,
            secrets: () => (secret && authorization ? [secret, authorization.replace(/^\S+ /, "")] : []),
          }),
          bearer ? "bearer" : "basic",
        )
      : null;
    const plain = distributionEndpoint(registry, secrets);
    const endpoint = { ...plain, credentials: plain.credentials && { ...plain.credentials, bearer } };
    const docker =
      method === RepositoryPathMethod.REPOSITORY_PATH
        ? repositoryPathEndpoints(endpoint, options)
        : singleRepositoryEndpoint(registry.repositoryKey ?? "", endpoint, options);
    const secure = registry.url.startsWith("https:") && !registry.insecure;
    return new ArtifactoryAdapter(rest, docker, resolver, secure);
  },
};
