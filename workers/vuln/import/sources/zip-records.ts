/**
 * The records of a zip archive (osv.dev's per-ecosystem `all.zip`): its
 * `*.json` entries, one at a time, each decompressed into memory only up to
 * maxRecordBytes — an entry declaring more is not inflated at all, one that
 * inflates to more than that is cut off (inflateRawSync's maxOutputLength),
 * one that inflates to other than it declared is refused. Nothing is written to disk, so entry names
 * are not checked for `..` or absolute paths.
 */
import yauzl, { type Entry, type ZipFile } from "yauzl";
import { inflateRawSync } from "node:zlib";
import { tooLargeMessage } from "./bounded-read";
import { documentRecords } from "./document-records";
import { failureReason, SourceReadError } from "./errors";
import type { RawRecord } from "./raw-record";
import { ReadAheadReader } from "./read-ahead-reader";

export interface ZipReadOptions {
  maxRecordBytes: number;
  signal?: AbortSignal;
}

/** `label` names the archive in errors (the URL for a download, not its temp file). */
export async function* zipRecords(file: string, label: string, options: ZipReadOptions): AsyncGenerator<RawRecord> {
  let zip: ZipFile;
  let reader: ReadAheadReader;
  try {
    // decodeStrings: false, else yauzl fails the whole archive on one entry name it finds unsafe to extract
    const opened = await ReadAheadReader.open(file);
    reader = opened.reader;
    zip = await yauzl.fromRandomAccessReaderPromise(reader, opened.size, { lazyEntries: true, autoClose: false, decodeStrings: false });
  } catch (error) {
    throw unreadable(label, error);
  }
  // An error with no read pending (closing the file) must not go unhandled; nextEntry reports the others.
  zip.on("error", () => undefined);
  try {
    for (let entry = await nextEntry(zip, label); entry; entry = await nextEntry(zip, label)) {
      options.signal?.throwIfAborted();
      const name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, false);
      if (!name.toLowerCase().endsWith(".json")) continue; // directories end with "/"
      yield* entryRecords(reader, entry, name, options.maxRecordBytes);
    }
  } finally {
    zip.close();
  }
}

const STORED = 0;
const DEFLATED = 8;
/** Deflate adds at most a few bytes per 16 KiB block: more compressed bytes than this for `limit` uncompressed ones is no record. */
const compressedLimit = (limit: number) => limit + Math.ceil(limit / 16384) * 5 + 1024;

/**
 * One entry, read from the archive's read-ahead window and inflated in one
 * synchronous call bounded by `limit`: records are small, and a stream and
 * an inflater per entry cost more than the record's parsing (bench:match).
 */
async function* entryRecords(reader: ReadAheadReader, entry: Entry, name: string, limit: number): AsyncGenerator<RawRecord> {
  if (entry.isEncrypted()) {
    yield { origin: name, error: "an encrypted zip entry: not read" };
    return;
  }
  if (entry.uncompressedSize > limit || entry.compressedSize > compressedLimit(limit)) {
    yield { origin: name, error: tooLargeMessage(limit, entry.uncompressedSize) };
    return;
  }
  if (entry.compressionMethod !== STORED && entry.compressionMethod !== DEFLATED) {
    yield { origin: name, error: `compression method ${entry.compressionMethod} is not supported` };
    return;
  }
  let bytes: Buffer;
  try {
    const header = await reader.bytes(entry.relativeOffsetOfLocalHeader, entry.relativeOffsetOfLocalHeader + 30);
    if (header.readUInt32LE(0) !== 0x04034b50) throw new Error("no local file header where the central directory points");
    const dataStart = entry.relativeOffsetOfLocalHeader + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
    const compressed = await reader.bytes(dataStart, dataStart + entry.compressedSize);
    bytes = entry.compressionMethod === STORED ? compressed : inflateRawSync(compressed, { maxOutputLength: limit });
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

/** The next central-directory entry, null after the last. */
function nextEntry(zip: ZipFile, label: string): Promise<Entry | null> {
  return new Promise((resolve, reject) => {
    const settle = () => {
      zip.off("entry", onEntry);
      zip.off("end", onEnd);
      zip.off("error", onError);
    };
    const onEntry = (entry: Entry) => (settle(), resolve(entry));
    const onEnd = () => (settle(), resolve(null));
    const onError = (error: Error) => (settle(), reject(unreadable(label, error)));
    zip.on("entry", onEntry);
    zip.on("end", onEnd);
    zip.on("error", onError);
    zip.readEntry();
  });
}

function unreadable(label: string, error: unknown): SourceReadError {
  return new SourceReadError("UNREADABLE_SOURCE", `${label} is not a readable zip archive (${failureReason(error)})`, { cause: error });
}
