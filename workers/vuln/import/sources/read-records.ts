import os from "node:os";
import { directoryRecords } from "./directory-records";
import { fileRecords } from "./file-records";
import type { RawRecord } from "./raw-record";
import type { ResolvedSource } from "./source";
import { urlRecords } from "./url-records";
import { zipRecords } from "./zip-records";

export const DEFAULT_MAX_RECORD_BYTES = 4 * 1024 * 1024;
export const DEFAULT_MAX_DOWNLOAD_BYTES = 2 * 1024 * 1024 * 1024;

export interface ReadRecordsOptions {
  /** Stops the reading (and a download) with the signal's reason. */
  signal?: AbortSignal;
  /** Per record: a JSON file, a zip entry (uncompressed), a downloaded JSON document; a JSON array file as a whole. Default 4 MiB. */
  maxRecordBytes?: number;
  /** A URL's body. Default 2 GiB. */
  maxDownloadBytes?: number;
  /** Where a URL's body is downloaded to (a private directory inside, removed afterwards). Default os.tmpdir(). */
  tempDir?: string;
}

/**
 * The raw records of a source, one at a time. An entry that cannot be a
 * record (too large, unreadable, not UTF-8) is an error item and the reading
 * goes on; a source that cannot be read at all throws SourceReadError.
 */
export async function* readRecords(source: ResolvedSource, options: ReadRecordsOptions = {}): AsyncIterable<RawRecord> {
  const { signal } = options;
  const maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  signal?.throwIfAborted();
  switch (source.kind) {
    case "directory":
      yield* directoryRecords(source.path, source.root, { maxRecordBytes, signal });
      break;
    case "json":
      yield* fileRecords(source.path, source.path, maxRecordBytes);
      break;
    case "zip":
      yield* zipRecords(source.path, source.path, { maxRecordBytes, signal });
      break;
    case "url":
      yield* urlRecords(source.url, {
        maxRecordBytes,
        maxDownloadBytes: options.maxDownloadBytes ?? DEFAULT_MAX_DOWNLOAD_BYTES,
        tempDir: options.tempDir ?? os.tmpdir(),
        signal,
      });
      break;
  }
}
