/**
 * A registry endpoint as configured, and where its credentials may go
 * (DESIGN §2 "Where credentials go"): only to the endpoint's own origin
 * (scheme + host + port), to `trustedOrigins`, and to a token realm whose
 * origin is one of those.
 */
import { RegistryError } from "../errors";

export interface RegistryCredentials {
  username: string;
  secret: string;
  /** Send the secret as `Bearer <secret>` instead of Basic (an access token that is its own credential: Artifactory's API_KEY). */
  bearer?: boolean;
}

/**
 * Credentials obtained when needed instead of fixed ones, e.g. a short-lived
 * token exchanged for the configured secret. Called before each use (so it
 * caches, and refreshes before expiry), and never for an origin that may not
 * receive credentials.
 */
export type CredentialsSource = () => Promise<RegistryCredentials>;

export interface RegistryEndpoint {
  /** Base URL, e.g. `https://r.example.com` or `http://127.0.0.1:5000`; may carry a path prefix (`…/api/docker/key`). */
  url: string;
  /** `http://` allowed and TLS not verified, for this endpoint only. */
  insecure: boolean;
  /** PEM bundle trusted in addition to the system CAs, for this endpoint only. */
  caCertificate: string | null;
  credentials: RegistryCredentials | CredentialsSource | null;
  /** Extra origins credentials may be sent to (the integration's apiUrl; a type's known token service like https://auth.docker.io). */
  trustedOrigins?: string[];
}

export interface ResolvedEndpoint {
  /** `https://r.example.com:8443` */
  readonly origin: string;
  /** Path prefix before `/v2/`, without a trailing slash: `""` or e.g. `/artifactory/api/docker/key`. */
  readonly prefix: string;
  readonly insecure: boolean;
  readonly caCertificate: string | null;
  readonly credentials: RegistryCredentials | CredentialsSource | null;
  /** The endpoint's origin and every trusted origin. */
  readonly trustedOrigins: ReadonlySet<string>;
}

/** scheme://host[:port], lower-cased, default port dropped. */
export function originOf(url: string | URL): string {
  return (typeof url === "string" ? new URL(url) : url).origin;
}

/**
 * Validates an endpoint. Never echoes the URL itself in errors: a mistyped
 * URL may carry credentials.
 */
export function resolveEndpoint(endpoint: RegistryEndpoint): ResolvedEndpoint {
  let url: URL;
  try {
    url = new URL(endpoint.url);
  } catch {
    throw new RegistryError("REGISTRY_PROTOCOL", "the registry URL is not a valid URL", { retryable: false });
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new RegistryError("REGISTRY_PROTOCOL", `the registry URL must start with https:// (or http:// when insecure), not ${url.protocol}//`, {
      retryable: false,
    });
  }
  if (url.username || url.password) {
    throw new RegistryError("REGISTRY_PROTOCOL", "the registry URL must not contain credentials: set them on the integration", { retryable: false });
  }
  if (url.search || url.hash) {
    throw new RegistryError("REGISTRY_PROTOCOL", "the registry URL must not have a query or fragment", { retryable: false });
  }
  if (url.protocol === "http:" && !endpoint.insecure) {
    throw new RegistryError("REGISTRY_TLS", `${url.origin} uses plain http://, which is only allowed when the integration is marked insecure`, {
      retryable: false,
    });
  }
  const prefix = url.pathname.replace(/\/+$/, "").replace(/\/v2$/, "");
  const trusted = new Set<string>([url.origin]);
  for (const raw of endpoint.trustedOrigins ?? []) {
    let origin: string;
    try {
      origin = originOf(raw);
    } catch {
      throw new RegistryError("REGISTRY_PROTOCOL", "a trusted origin of the integration is not a valid URL", { retryable: false });
    }
    if (origin !== "null") trusted.add(origin);
  }
  return {
    origin: url.origin,
    prefix,
    insecure: endpoint.insecure,
    caCertificate: endpoint.caCertificate?.trim() ? endpoint.caCertificate : null,
    credentials: endpoint.credentials,
    trustedOrigins: trusted,
  };
}

/** `<origin><prefix>/v2/<path>` with query parameters (undefined ones left out). */
export function registryUrl(endpoint: ResolvedEndpoint, path: string, query: Record<string, string | number | undefined> = {}): URL {
  const url = new URL(`${endpoint.origin}${endpoint.prefix}/v2/${path}`);
  for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, String(value));
  return url;
}

/** Whether the endpoint's secret may be sent to `url` (DESIGN §2). */
export function mayReceiveCredentials(endpoint: ResolvedEndpoint, url: URL): boolean {
  return endpoint.trustedOrigins.has(url.origin);
}
