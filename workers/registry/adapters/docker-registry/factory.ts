import { RegistryType } from "../../../../db/enums";
import { DistributionClient } from "../../distribution/client";
import { distributionEndpoint } from "../../registry-connection";
import type { AdapterFactory } from "../../registry";
import { DockerRegistryAdapter } from "./adapter";

export const dockerRegistryFactory: AdapterFactory = {
  type: RegistryType.DOCKER_REGISTRY,
  create(registry, secrets, resolver, options) {
    const client = new DistributionClient(distributionEndpoint(registry, secrets), options);
    const secure = registry.url.startsWith("https:") && !registry.insecure;
    return new DockerRegistryAdapter(client, resolver, secure);
  },
};
