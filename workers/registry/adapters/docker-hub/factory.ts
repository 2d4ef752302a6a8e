import { RegistryType } from "../../../../db/enums";
import { DistributionClient } from "../../distribution/client";
import { dockerHubTokenService } from "../../known-services";
import { PullQuotaMeter } from "../../pull-quota";
import { distributionEndpoint } from "../../registry-connection";
import type { AdapterFactory } from "../../registry";
import { vendorApiOptions } from "../../vendor-api/vendor-api-options";
import { DockerHubAdapter } from "./adapter";
import { HubApi } from "./hub-api";

export const dockerHubFactory: AdapterFactory = {
  type: RegistryType.DOCKER_HUB,
  create(registry, secrets, resolver, options) {
    const quota = new PullQuotaMeter(options?.now);
    const endpoint = distributionEndpoint(registry, secrets, [dockerHubTokenService()]);
    const client = new DistributionClient(endpoint, {
      ...options,
      onResponse: (status, headers) => {
        options?.onResponse?.(status, headers);
        quota.observe(headers);
      },
    });
    const namespace = registry.username ?? "";
    const hub = new HubApi(
      { baseUrl: registry.apiUrl ?? registry.url, ...vendorApiOptions(registry, options) },
      { username: namespace, secret: endpoint.credentials?.secret ?? "" },
      options?.now,
    );
    const secure = registry.url.startsWith("https:") && !registry.insecure;
    return new DockerHubAdapter(client, resolver, secure, hub, namespace, quota);
  },
};
