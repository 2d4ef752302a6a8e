import type { Registry } from "../../db/entities";
import { AuthMethod } from "../../db/enums";
import type { SecretBox } from "../../lib/secret-box";
import { originOf, type RegistryCredentials, type RegistryEndpoint } from "./distribution/endpoint";

/** The distribution endpoint of an integration, with its secret opened for this use only. */
export function distributionEndpoint(
  registry: Registry,
  secrets: SecretBox,
  trustedOrigins: string[] = [],
): RegistryEndpoint & { credentials: RegistryCredentials | null } {
  const secret = registry.secretCiphertext ? secrets.open(registry.secretCiphertext) : null;
  const credentials =
    registry.authMethod === AuthMethod.NONE || secret === null ? null : { username: registry.username ?? "", secret };
  const origins = registry.apiUrl ? [originOf(registry.apiUrl), ...trustedOrigins] : trustedOrigins;
  return {
    url: registry.url,
    insecure: registry.insecure,
    caCertificate: registry.caCertificate,
    credentials,
    trustedOrigins: origins,
  };
}
