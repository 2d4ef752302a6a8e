import { RegistryType } from "../../../../db/enums";
import { DistributionClient } from "../../distribution/client";
import { RegistryError } from "../../errors";
import { distributionEndpoint } from "../../registry-connection";
import type { AdapterFactory } from "../../registry";
import { VendorApiClient } from "../../vendor-api/api-client";
import { vendorApiOptions } from "../../vendor-api/vendor-api-options";
import { GitLabAdapter } from "./adapter";
import { GitLabApi } from "./gitlab-api";

export const gitLabFactory: AdapterFactory = {
  type: RegistryType.GITLAB,
  create(registry, secrets, resolver, options) {
    if (!registry.apiUrl) throw new RegistryError("REGISTRY_PROTOCOL", "a GitLab integration needs apiUrl (…/api/v4)", { retryable: false });
    // The apiUrl origin is trusted by distributionEndpoint: GitLab's /jwt/auth realm lives there.
    const endpoint = distributionEndpoint(registry, secrets);
    const token = registry.secretCiphertext ? secrets.open(registry.secretCiphertext) : undefined;
    const client = new VendorApiClient({
      baseUrl: registry.apiUrl,
      label: "the GitLab API",
      ...vendorApiOptions(registry, options),
      // GitLab takes personal, project and group access tokens as OAuth-style Bearer tokens.
      authorization: () => (token ? `Bearer ${token}` : undefined),
      secrets: () => (token ? [token] : []),
    });
    const secure = [registry.url, registry.apiUrl].every((url) => url.startsWith("https:")) && !registry.insecure;
    return new GitLabAdapter(new DistributionClient(endpoint, options), resolver, secure, new GitLabApi(client), () => client.close());
  },
};
