/**
 * Why an import source is refused before anything is read (BAD_SOURCE, an
 * operator's mistake the API answers at once), and why reading an accepted
 * source failed as a whole (one bad record is a RawRecord error item instead).
 */

export class ImportSourceError extends Error {
  readonly code = "BAD_SOURCE";

  constructor(message: string) {
    super(message);
    this.name = "ImportSourceError";
  }
}

export type SourceReadErrorCode =
  /** The server answered with a non-2xx status, too many redirects, or the connection failed. */
  | "DOWNLOAD_FAILED"
  /** The download passed maxDownloadBytes. */
  | "DOWNLOAD_TOO_LARGE"
  /** A directory or archive that cannot be read at all (not a zip, a corrupt central directory, no permission). */
  | "UNREADABLE_SOURCE";

export class SourceReadError extends Error {
  constructor(
    readonly code: SourceReadErrorCode,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "SourceReadError";
  }
}

/** A system error's code (ENOENT, EACCES…), else its message: for "cannot be read (…)". */
export function failureReason(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : error instanceof Error ? error.message : String(error);
}
