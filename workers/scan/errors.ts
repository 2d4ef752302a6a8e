/**
 * Scan failures with stable codes (DESIGN §5). Limits on untrusted layer
 * content are not retryable: the same layer fails the same way again.
 */
export type ScanErrorCode =
  | "SCAN_TIMEOUT"
  | "WORKER_LOST"
  | "LAYER_TOO_LARGE"
  | "TOO_MANY_ENTRIES"
  | "FILE_TOO_LARGE"
  | "SYMLINK_LOOP"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "INVALID_LAYER";

const RETRYABLE: ReadonlySet<ScanErrorCode> = new Set(["SCAN_TIMEOUT", "WORKER_LOST"]);

export class ScanError extends Error {
  readonly retryable: boolean;

  constructor(
    readonly code: ScanErrorCode,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "ScanError";
    this.retryable = RETRYABLE.has(code);
  }
}

export function isScanError(error: unknown, code?: ScanErrorCode): error is ScanError {
  return error instanceof ScanError && (code === undefined || error.code === code);
}
