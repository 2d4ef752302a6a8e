import { RegistryType } from "../../../../db/enums";
import { basicAuthorization } from "../../distribution/auth";
import { distributionEndpoint } from "../../registry-connection";
import type { AdapterFactory } from "../../registry";
import { VendorApiClient } from "../../vendor-api/api-client";
import { vendorApiOptions } from "../../vendor-api/vendor-api-options";
import { NexusAdapter } from "./adapter";
import { NexusApi } from "./nexus-api";
import { NexusDistribution } from "./nexus-distribution";

/**
 * The REST API is `<url>/service/rest/v1` also when `url` is a connector port:
 * a Nexus connector is one more listener of the same application, with
 * `/v2/` mapped to its repository (unverified: Sonatype's docs describe the
 * connector only for the Docker client; the search tool found nothing either way).
 */
export const nexusFactory: AdapterFactory = {
  type: RegistryType.NEXUS,
  create(registry, secrets, resolver, options) {
    const endpoint = distributionEndpoint(registry, secrets);
    const secret = registry.secretCiphertext ? secrets.open(registry.secretCiphertext) : null;
    const authorization = secret === null ? undefined : basicAuthorization(registry.username ?? "", secret);
    const api = new VendorApiClient({
      baseUrl: `${registry.url.replace(/\/+$/, "")}/service/rest/v1`,
      label: "the Nexus API",
      ...vendorApiOptions(registry, options),
      authorization: () => authorization,
      secrets: () => (secret === null ? [] : [secret, authorization!.slice("Basic ".length)]),
      concurrency: options?.concurrency,
    });
    const secure = registry.url.startsWith("https:") && !registry.insecure;
    const distribution = new NexusDistribution(endpoint, registry.repositoryKey || null, options);
    return new NexusAdapter(distribution, resolver, secure, new NexusApi(api), registry.repositoryKey || null);
  },
};
