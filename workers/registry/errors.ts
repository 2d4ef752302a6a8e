/**
 * Registry failures with stable codes (DESIGN §5). `retryable` says whether
 * trying the same call again later can help; the server maps `code` to the
 * GraphQL `extensions.code`, tasks decide retries from `retryable`.
 */
export type RegistryErrorCode =
  | "REGISTRY_UNREACHABLE"
  | "REGISTRY_TLS"
  | "REGISTRY_UNAUTHORIZED"
  | "REGISTRY_FORBIDDEN"
  | "RATE_LIMITED"
  | "MANIFEST_UNKNOWN"
  | "BLOB_UNKNOWN"
  | "NAME_UNKNOWN"
  | "DIGEST_MISMATCH"
  | "REGISTRY_PROTOCOL"
  | "RESPONSE_TOO_LARGE";

export interface RegistryErrorOptions {
  retryable?: boolean;
  status?: number;
  /** For RATE_LIMITED: how long the registry asked to wait. */
  retryAfterMs?: number;
  cause?: unknown;
}

export class RegistryError extends Error {
  readonly retryable: boolean;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(
    readonly code: RegistryErrorCode,
    message: string,
    options: RegistryErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "RegistryError";
    this.retryable = options.retryable ?? (code === "REGISTRY_UNREACHABLE" || code === "RATE_LIMITED");
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }

  /** The same error with a context prefix, e.g. `list tags of team/api: …`. */
  withContext(context: string): RegistryError {
    return new RegistryError(this.code, `${context}: ${this.message}`, {
      retryable: this.retryable,
      status: this.status,
      retryAfterMs: this.retryAfterMs,
      cause: this.cause,
    });
  }
}

export function isRegistryError(error: unknown, code?: RegistryErrorCode): error is RegistryError {
  return error instanceof RegistryError && (code === undefined || error.code === code);
}

/** What a server said, as printable ASCII: runs of anything else become one space. */
export const printable = (text: string) => text.replace(/[^\x20-\x7e]+/g, " ").trim();

/** `text` with each of `secrets` replaced by [HIDDEN]: for messages that quote what a server said (it may echo what it was sent). */
export function redactSecrets(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const secret of secrets) if (secret) out = out.split(secret).join("[HIDDEN]");
  return out;
}
