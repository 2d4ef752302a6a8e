import { RegistryType } from "../../../../db/enums";
import { basicAuthorization } from "../../distribution/auth";
import { DistributionClient } from "../../distribution/client";
import { distributionEndpoint } from "../../registry-connection";
import type { AdapterFactory } from "../../registry";
import { VendorApiClient } from "../../vendor-api/api-client";
import { vendorApiOptions } from "../../vendor-api/vendor-api-options";
import { HarborAdapter } from "./adapter";
import { HarborApi } from "./harbor-api";

export const harborFactory: AdapterFactory = {
  type: RegistryType.HARBOR,
  create(registry, secrets, resolver, options = {}) {
    const endpoint = distributionEndpoint(registry, secrets);
    // distributionEndpoint gives the fixed credentials of the integration, never a source.
    const credentials = typeof endpoint.credentials === "object" ? endpoint.credentials : null;
    const authorization = credentials ? basicAuthorization(credentials.username, credentials.secret) : undefined;
    const api = new VendorApiClient({
      baseUrl: `${registry.url.replace(/\/+$/, "")}/api/v2.0`,
      label: "the Harbor API",
      ...vendorApiOptions(registry, options),
      authorization: () => authorization,
      secrets: () => (credentials && authorization ? [credentials.secret, authorization.slice("Basic ".length)] : []),
    });
    const secure = registry.url.startsWith("https:") && !registry.insecure;
    return new HarborAdapter(new DistributionClient(endpoint, options), resolver, secure, new HarborApi(api));
  },
};
