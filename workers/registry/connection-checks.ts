import type { ConnectionCheck, DistributionApi } from "./adapter";
import { isRegistryError, RegistryError } from "./errors";

export const CHECKS = { reachable: "reachable", tls: "TLS", authenticated: "authenticated", canList: "can list", rights: "minimum rights" } as const;

function failureMessage(error: RegistryError): string {
  switch (error.code) {
    case "REGISTRY_UNAUTHORIZED":
      return "the registry refused the credentials: check the username and secret";
    case "REGISTRY_FORBIDDEN":
      return "the account is known but not allowed this: grant it the minimum rights of this registry type";
    case "REGISTRY_TLS":
      return `the certificate is not trusted (${error.message}): add its CA in caCertificate, or set insecure`;
    case "REGISTRY_PROTOCOL":
      return `this address does not answer like a container registry (${error.message}): check the URL`;
    case "RATE_LIMITED":
      return "the registry is rate-limiting this account: try again later";
    default:
      return error.message;
  }
}

/**
 * The distribution-level checks every type shares: the /v2/ handshake and
 * the first page of `listing` (the catalog, or a vendor API for other types).
 * Stops at the first failed step; later steps report "not checked".
 */
export async function distributionChecks(
  api: Pick<DistributionApi, "ping">,
  secure: boolean,
  listing: () => Promise<void>,
  listingDenied = "the account may not list repositories: the catalog (/v2/_catalog) is not permitted",
): Promise<ConnectionCheck[]> {
  const checks: ConnectionCheck[] = [];
  const notChecked = (...names: string[]) => names.forEach((name) => checks.push({ name, ok: false, message: "not checked: an earlier step failed" }));
  try {
    const ping = await api.ping();
    checks.push({ name: CHECKS.reachable, ok: true, message: "the registry answered" });
    checks.push({ name: CHECKS.tls, ok: true, message: secure ? "the certificate is trusted" : "not used: http:// or insecure" });
    checks.push({ name: CHECKS.authenticated, ok: true, message: ping.auth === "none" ? "no credentials needed" : `accepted (${ping.auth})` });
  } catch (error) {
    if (!isRegistryError(error)) throw error;
    if (error.code === "REGISTRY_UNREACHABLE" || error.code === "REGISTRY_PROTOCOL") {
      checks.push({ name: CHECKS.reachable, ok: false, message: failureMessage(error) });
      notChecked(CHECKS.tls, CHECKS.authenticated, CHECKS.canList);
      return checks;
    }
    checks.push({ name: CHECKS.reachable, ok: true, message: "the registry answered" });
    if (error.code === "REGISTRY_TLS") {
      checks.push({ name: CHECKS.tls, ok: false, message: failureMessage(error) });
      notChecked(CHECKS.authenticated, CHECKS.canList);
      return checks;
    }
    checks.push({ name: CHECKS.tls, ok: true, message: secure ? "the certificate is trusted" : "not used: http:// or insecure" });
    checks.push({ name: CHECKS.authenticated, ok: false, message: failureMessage(error) });
    notChecked(CHECKS.canList);
    return checks;
  }
  try {
    await listing();
    checks.push({ name: CHECKS.canList, ok: true, message: "repositories can be listed" });
  } catch (error) {
    if (!isRegistryError(error)) throw error;
    const denied = error.code === "REGISTRY_FORBIDDEN" || error.code === "REGISTRY_UNAUTHORIZED";
    checks.push({ name: CHECKS.canList, ok: false, message: denied ? listingDenied : failureMessage(error) });
  }
  return checks;
}
