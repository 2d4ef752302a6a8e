import type { Registry } from "../../../../db/entities";
import { RegistryType } from "../../../../db/enums";
import type { SecretBox } from "../../../../lib/secret-box";
import type { ClientOptions } from "../../distribution/client";
import { DistributionClient } from "../../distribution/client";
import { originOf } from "../../distribution/endpoint";
import { RegistryError } from "../../errors";
import { yandexIamService } from "../../known-services";
import type { AdapterFactory } from "../../registry";
import type { TagResolver } from "../../tag-resolver";
import { VendorApiClient } from "../../vendor-api/api-client";
import { vendorApiOptions } from "../../vendor-api/vendor-api-options";
import { YandexAdapter } from "./adapter";
import { IamTokens, isSecretKind, SECRET_KINDS } from "./iam-token";
import { registryIdOf } from "./mapping";
import { YandexApi } from "./yandex-api";

/** A YANDEX adapter whose OAuth tokens and keys are exchanged at `iamUrl` (DRYDOCK_YANDEX_IAM_URL). */
export function createYandexAdapter(registry: Registry, secrets: SecretBox, resolver: TagResolver, options: ClientOptions = {}, iamUrl = yandexIamService()): YandexAdapter {
  const kind = registry.username;
  if (!isSecretKind(kind)) {
    throw new RegistryError("REGISTRY_UNAUTHORIZED", `a Yandex integration's username names its secret's kind: ${SECRET_KINDS.join(", ")}`, { retryable: false });
  }
  if (!registry.secretCiphertext || !registry.apiUrl) {
    throw new RegistryError("REGISTRY_UNAUTHORIZED", "a Yandex integration needs a secret and apiUrl", { retryable: false });
  }
  const registryId = registryIdOf(registry.url);
  // The IAM service is Yandex's, not the integration's: its certificate is always verified; plain http (a local
  // stand-in) only for an insecure integration.
  const iamClient =
    kind === "iam"
      ? null
      : new VendorApiClient({
          baseUrl: iamUrl,
          label: "the Yandex IAM service",
          ...vendorApiOptions(registry, options),
          insecure: registry.insecure && iamUrl.startsWith("http:"),
          caCertificate: null,
        });
  const iam = new IamTokens(kind, secrets.open(registry.secretCiphertext), iamClient && { client: iamClient, iamUrl }, options.now);
  const api = new VendorApiClient({
    baseUrl: `${registry.apiUrl}/container-registry/v1`,
    label: "the Container Registry API",
    ...vendorApiOptions(registry, options),
    authorization: async () => `Bearer ${await iam.token()}`,
    secrets: () => iam.secrets(),
  });
  const distribution = new DistributionClient(
    {
      // The registry serves /v2/ at the host's root; the registry id starts every repository name instead.
      url: originOf(registry.url),
      insecure: registry.insecure,
      caCertificate: registry.caCertificate,
      credentials: async () => ({ username: "iam", secret: await iam.token() }),
      trustedOrigins: [originOf(registry.apiUrl)],
    },
    options,
  );
  const secure = [registry.url, registry.apiUrl].every((url) => url.startsWith("https:")) && !registry.insecure;
  return new YandexAdapter(distribution, resolver, secure, new YandexApi(api), registryId, async () => {
    await Promise.all([api.close(), iamClient?.close()]);
  });
}

export const yandexFactory: AdapterFactory = {
  type: RegistryType.YANDEX,
  create: (registry, secrets, resolver, options) => createYandexAdapter(registry, secrets, resolver, options),
};
