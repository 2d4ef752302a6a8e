/**
 * The records of a zip archive (osv.dev's per-ecosystem `all.zip`): its
 * `*.json` entries, one at a time, each decompressed into memory only up to
 * maxRecordBytes — an entry declaring more is not inflated at all, one that
 * inflates to more than that is cut off (inflateRawSync's maxOutputLength),
 * one that inflates to other than it declared is refused. Nothing is written to disk, so entry names
 * are not checked for `..` or absolute paths.
 */
import { inflateRawSync } from "node:zlib";
import { DEFLATED, FLAG_ENCRYPTED, LOCAL_FILE_HEADER, LOCAL_HEADER_BYTES, STORED } from "../../../../lib/zip-format";
import { tooLargeMessage } from "./bounded-read";
import { documentRecords } from "./document-records";
import { failureReason, SourceReadError } from "./errors";
import type { RawRecord } from "./raw-record";
import { ReadAheadReader } from "./read-ahead-reader";
import { centralDirectory, type DirectoryEntry, ZipFormatError } from "./zip-directory";

export interface ZipReadOptions {
  maxRecordBytes: number;
  signal?: AbortSignal;
}

/** `label` names the archive in errors (the URL for a download, not its temp file). */
export async function* zipRecords(file: string, label: string, options: ZipReadOptions): AsyncGenerator<RawRecord> {
  let opened: { reader: ReadAheadReader; size: number };
  try {
    opened = await ReadAheadReader.open(file);
  } catch (error) {
    throw unreadable(label, error);
  }
  const { reader, size } = opened;
  try {
    const entries = centralDirectory(reader, size);
    for (;;) {
      let next: IteratorResult<DirectoryEntry>;
      try {
        next = await entries.next();
      } catch (error) {
        throw unreadable(label, error);
      }
      if (next.done) break;
      options.signal?.throwIfAborted();
      if (!next.value.name.toLowerCase().endsWith(".json")) continue; // directories end with "/"
      yield* entryRecords(reader, next.value, options.maxRecordBytes);
    }
  } finally {
    await reader.close();
  }
}

/** Deflate adds at most a few bytes per 16 KiB block: more compressed bytes than this for `limit` uncompressed ones is no record. */
const compressedLimit = (limit: number) => limit + Math.ceil(limit / 16384) * 5 + 1024;

/**
 * One entry, read from the archive's read-ahead window and inflated in one
 * synchronous call bounded by `limit`: records are small, and a stream and
 * an inflater per entry cost more than the record's parsing (bench:match).
 */
async function* entryRecords(reader: ReadAheadReader, entry: DirectoryEntry, limit: number): AsyncGenerator<RawRecord> {
  const { name } = entry;
  if (entry.flags & FLAG_ENCRYPTED) {
    yield { origin: name, error: "an encrypted zip entry: not read" };
    return;
  }
  if (entry.uncompressedSize > limit || entry.compressedSize > compressedLimit(limit)) {
    yield { origin: name, error: tooLargeMessage(limit, entry.uncompressedSize) };
    return;
  }
  if (entry.method !== STORED && entry.method !== DEFLATED) {
    yield { origin: name, error: `compression method ${entry.method} is not supported` };
    return;
  }
  let bytes: Buffer;
  try {
    const header = await reader.bytes(entry.localHeaderOffset, entry.localHeaderOffset + LOCAL_HEADER_BYTES);
    if (header.readUInt32LE(0) !== LOCAL_FILE_HEADER) throw new Error("no local file header where the central directory points");
    const dataStart = entry.localHeaderOffset + LOCAL_HEADER_BYTES + header.readUInt16LE(26) + header.readUInt16LE(28);
    const compressed = await reader.bytes(dataStart, dataStart + entry.compressedSize);
    bytes = entry.method === STORED ? compressed : inflateRawSync(compressed, { maxOutputLength: limit });
  } catch (error) {
    const tooLarge = error instanceof RangeError || (error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE";
    yield { origin: name, error: tooLarge ? tooLargeMessage(limit) : `cannot be read from the archive (${failureReason(error)})` };
    return;
  }
  if (bytes.length !== entry.uncompressedSize) {
    yield { origin: name, error: `holds ${bytes.length} bytes where the archive declares ${entry.uncompressedSize}` };
    return;
  }
  yield* documentRecords(name, bytes);
}

function unreadable(label: string, error: unknown): SourceReadError {
  const reason = error instanceof ZipFormatError ? error.message : failureReason(error);
  return new SourceReadError("UNREADABLE_SOURCE", `${label} is not a readable zip archive (${reason})`, { cause: error });
}
