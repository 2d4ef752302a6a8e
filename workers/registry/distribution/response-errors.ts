/**
 * Non-2xx answers → RegistryError with a stable code: the spec's error body
 * `{"errors":[{"code","message","detail"}]}` when there is one, else the
 * status and what was asked. Server-provided text is redacted and shortened.
 */
import type { IncomingHttpHeaders } from "node:http";
import { printable, RegistryError } from "../errors";
import { parseRetryAfter } from "./retry";

/** What was being asked, for errors that only a status explains. */
export type Operation = "ping" | "catalog" | "tags" | "manifest" | "blob" | "token";

export interface ErrorDiagnostic {
  code: string;
  message?: string;
}

/** The spec's error list, or [] for anything else. */
export function parseErrorBody(body: Buffer | undefined): ErrorDiagnostic[] {
  if (!body || body.length === 0) return [];
  try {
    const json = JSON.parse(body.toString("utf8")) as { errors?: unknown };
    if (!Array.isArray(json?.errors)) return [];
    return json.errors
      .filter((e): e is { code?: unknown; message?: unknown } => typeof e === "object" && e !== null)
      .map((e) => ({
        code: typeof e.code === "string" ? e.code.toUpperCase() : "UNKNOWN",
        ...(typeof e.message === "string" ? { message: e.message } : {}),
      }));
  } catch {
    return [];
  }
}

export interface ErrorContext {
  operation: Operation;
  /** `GET https://r.example.com/v2/team/api/tags/list` without credentials, for the message. */
  describe: string;
  now: number;
  redact: (text: string) => string;
}

export function errorFromResponse(status: number, headers: IncomingHttpHeaders, body: Buffer | undefined, context: ErrorContext): RegistryError {
  const diagnostics = parseErrorBody(body);
  const codes = new Set(diagnostics.map((d) => d.code));
  const said = context.redact(printable(diagnostics.map((d) => (d.message ? `${d.code}: ${d.message}` : d.code)).join("; "))).slice(0, 300);
  const detail = `HTTP ${status}${said ? ` (${said})` : ""}`;
  const retryAfterMs = parseRetryAfter(headers["retry-after"], context.now);
  const options = { status, retryAfterMs };
  const fail = (code: ConstructorParameters<typeof RegistryError>[0], message: string, retryable?: boolean) =>
    new RegistryError(code, `${context.describe}: ${message}`, { ...options, ...(retryable === undefined ? {} : { retryable }) });

  if (status === 429 || codes.has("TOOMANYREQUESTS")) return fail("RATE_LIMITED", `rate limited, ${detail}`, true);
  if (status >= 500 || status === 408) return fail("REGISTRY_UNREACHABLE", `the server failed, ${detail}`, true);
  if (status === 403 || codes.has("DENIED")) return fail("REGISTRY_FORBIDDEN", `not permitted, ${detail}`);
  if (status === 401 || codes.has("UNAUTHORIZED")) return fail("REGISTRY_UNAUTHORIZED", `not authenticated, ${detail}`);
  if (codes.has("MANIFEST_UNKNOWN")) return fail("MANIFEST_UNKNOWN", `manifest unknown, ${detail}`);
  if (codes.has("BLOB_UNKNOWN")) return fail("BLOB_UNKNOWN", `blob unknown, ${detail}`);
  if (codes.has("NAME_UNKNOWN")) return fail("NAME_UNKNOWN", `repository unknown, ${detail}`);
  if (status === 404) {
    switch (context.operation) {
      case "manifest":
        return fail("MANIFEST_UNKNOWN", `manifest unknown, ${detail}`);
      case "blob":
        return fail("BLOB_UNKNOWN", `blob unknown, ${detail}`);
      case "tags":
        return fail("NAME_UNKNOWN", `repository unknown, ${detail}`);
      case "catalog":
        return fail("REGISTRY_PROTOCOL", `the registry does not offer the catalog API, ${detail}`);
      case "ping":
        return fail("REGISTRY_PROTOCOL", `not a registry: /v2/ answered ${detail}`);
      case "token":
        return fail("REGISTRY_PROTOCOL", `the token service was not found, ${detail}`);
    }
  }
  return fail("REGISTRY_PROTOCOL", `unexpected answer ${detail}`, false);
}
