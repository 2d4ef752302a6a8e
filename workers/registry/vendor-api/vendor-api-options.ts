import type { Registry } from "../../../db/entities";
import type { ClientOptions } from "../distribution/client";
import type { VendorApiOptions } from "./api-client";

/**
 * How a vendor API client talks, as the registry client does: the
 * integration's TLS settings, and the caller's retries, timeout, user agent,
 * clock and hooks. Concurrency stays the API client's own unless a factory
 * passes it.
 */
export function vendorApiOptions(
  registry: Pick<Registry, "insecure" | "caCertificate">,
  options: ClientOptions = {},
): Pick<VendorApiOptions, "insecure" | "caCertificate" | "retry" | "requestTimeoutMs" | "userAgent" | "now" | "onRetry" | "onResponse"> {
  return {
    insecure: registry.insecure,
    caCertificate: registry.caCertificate,
    retry: options.retry,
    requestTimeoutMs: options.requestTimeoutMs,
    userAgent: options.userAgent,
    now: options.now,
    onRetry: options.onRetry,
    onResponse: options.onResponse,
  };
}
