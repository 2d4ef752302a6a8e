/**
 * The records of a zip archive (osv.dev's per-ecosystem `all.zip`): its
 * `*.json` entries, one at a time, each decompressed into memory only up to
 * maxRecordBytes — an entry declaring more is not inflated at all, one that
 * inflates to more than it declared is cut off (yauzl checks the declared
 * size, readAtMost the limit). Nothing is written to disk, so entry names
 * are not checked for `..` or absolute paths.
 */
import yauzl, { type Entry, type ZipFile } from "yauzl";
import { readAtMost, tooLargeMessage } from "./bounded-read";
import { documentRecords } from "./document-records";
import { failureReason, SourceReadError } from "./errors";
import type { RawRecord } from "./raw-record";

export interface ZipReadOptions {
  maxRecordBytes: number;
  signal?: AbortSignal;
}

/** `label` names the archive in errors (the URL for a download, not its temp file). */
export async function* zipRecords(file: string, label: string, options: ZipReadOptions): AsyncGenerator<RawRecord> {
  let zip: ZipFile;
  try {
    // decodeStrings: false, else yauzl fails the whole archive on one entry name it finds unsafe to extract
    zip = await yauzl.openPromise(file, { lazyEntries: true, autoClose: false, decodeStrings: false });
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
      yield* entryRecords(zip, entry, name, options.maxRecordBytes);
    }
  } finally {
    zip.close();
  }
}

async function* entryRecords(zip: ZipFile, entry: Entry, name: string, limit: number): AsyncGenerator<RawRecord> {
  if (entry.isEncrypted()) {
    yield { origin: name, error: "an encrypted zip entry: not read" };
    return;
  }
  if (entry.uncompressedSize > limit) {
    yield { origin: name, error: tooLargeMessage(limit, entry.uncompressedSize) };
    return;
  }
  let bytes: Buffer | null;
  try {
    bytes = await readAtMost(await zip.openReadStreamPromise(entry), limit);
  } catch (error) {
    yield { origin: name, error: `cannot be read from the archive (${failureReason(error)})` };
    return;
  }
  if (bytes) yield* documentRecords(name, bytes);
  else yield { origin: name, error: tooLargeMessage(limit) };
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
