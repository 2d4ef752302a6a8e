/**
 * The central directory of a zip archive, read in large slices and parsed
 * in a loop: osv.dev's `all.zip` holds hundreds of thousands of entries,
 * and reading each directory record through a stream of its own cost more
 * than parsing the records (bench:match). Zip64 archives are read too.
 */
import {
  CENTRAL_DIRECTORY_HEADER,
  END_OF_CENTRAL_DIRECTORY,
  findExtraField,
  ZIP64_END_OF_CENTRAL_DIRECTORY,
  ZIP64_END_OF_CENTRAL_DIRECTORY_LOCATOR,
  ZIP64_EXTRA_FIELD,
} from "../../../../lib/zip-format";
import type { ReadAheadReader } from "./read-ahead-reader";

export interface DirectoryEntry {
  /** As stored; zip names are UTF-8 or CP437, and only the `.json` suffix and messages use it. */
  name: string;
  flags: number;
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

export class ZipFormatError extends Error {}

const EOCD_BYTES = 22;
const MAX_COMMENT = 0xffff;
const ZIP64_LOCATOR_BYTES = 20;
const ZIP64_EOCD_BYTES = 56;
const DIRECTORY_HEADER_BYTES = 46;
/** Directory bytes parsed per read. */
const SLICE_BYTES = 1024 * 1024;

interface Directory {
  entries: number;
  offset: number;
  size: number;
}

/** Every entry of the archive of `size` bytes, in directory order. */
export async function* centralDirectory(reader: ReadAheadReader, size: number): AsyncGenerator<DirectoryEntry> {
  const directory = await locateDirectory(reader, size);
  if (directory.offset + directory.size > size) throw new ZipFormatError("the central directory lies beyond the end of the file");
  let pending: Buffer = Buffer.alloc(0);
  let read = 0;
  let parsed = 0;
  while (parsed < directory.entries) {
    if (read < directory.size) {
      const slice = await reader.bytes(directory.offset + read, directory.offset + Math.min(directory.size, read + SLICE_BYTES));
      read += slice.length;
      pending = pending.length === 0 ? slice : Buffer.concat([pending, slice]);
    }
    let at = 0;
    while (parsed < directory.entries && at + DIRECTORY_HEADER_BYTES <= pending.length) {
      if (pending.readUInt32LE(at) !== CENTRAL_DIRECTORY_HEADER) throw new ZipFormatError(`no central directory header for entry ${parsed}`);
      const length = DIRECTORY_HEADER_BYTES + pending.readUInt16LE(at + 28) + pending.readUInt16LE(at + 30) + pending.readUInt16LE(at + 32);
      if (at + length > pending.length) break;
      yield directoryEntry(pending.subarray(at, at + length));
      at += length;
      parsed++;
    }
    pending = pending.subarray(at);
    // Every byte is read and parsed as far as it goes: what is missing is not there.
    if (read >= directory.size && parsed < directory.entries) {
      throw new ZipFormatError(`the central directory ends after ${parsed} of ${directory.entries} entries`);
    }
  }
}

function directoryEntry(record: Buffer): DirectoryEntry {
  const nameLength = record.readUInt16LE(28);
  const extra = record.subarray(DIRECTORY_HEADER_BYTES + nameLength, DIRECTORY_HEADER_BYTES + nameLength + record.readUInt16LE(30));
  let uncompressedSize = record.readUInt32LE(24);
  let compressedSize = record.readUInt32LE(20);
  let localHeaderOffset = record.readUInt32LE(42);
  // The zip64 field holds, in this order, only the values whose 32-bit fields are all ones.
  const zip64 = findExtraField(extra, ZIP64_EXTRA_FIELD);
  let at = 0;
  const wide = (value: number) => {
    if (value !== 0xffffffff) return value;
    if (!zip64 || at + 8 > zip64.length) throw new ZipFormatError("an entry's zip64 sizes are missing");
    const read = Number(zip64.readBigUInt64LE(at));
    at += 8;
    return read;
  };
  uncompressedSize = wide(uncompressedSize);
  compressedSize = wide(compressedSize);
  localHeaderOffset = wide(localHeaderOffset);
  return {
    name: record.toString("utf8", DIRECTORY_HEADER_BYTES, DIRECTORY_HEADER_BYTES + nameLength),
    flags: record.readUInt16LE(8),
    method: record.readUInt16LE(10),
    compressedSize,
    uncompressedSize,
    localHeaderOffset,
  };
}

/** The end-of-central-directory record, searched back from the end over a possible comment; its zip64 form when it points to one. */
async function locateDirectory(reader: ReadAheadReader, size: number): Promise<Directory> {
  if (size < EOCD_BYTES) throw new ZipFormatError("too short to be a zip archive");
  const tailStart = Math.max(0, size - EOCD_BYTES - MAX_COMMENT);
  const tail = await reader.bytes(tailStart, size);
  let at = tail.length - EOCD_BYTES;
  while (at >= 0 && !(tail.readUInt32LE(at) === END_OF_CENTRAL_DIRECTORY && at + EOCD_BYTES + tail.readUInt16LE(at + 20) === tail.length)) at--;
  if (at < 0) throw new ZipFormatError("no end of central directory record");
  const directory = { entries: tail.readUInt16LE(at + 10), size: tail.readUInt32LE(at + 12), offset: tail.readUInt32LE(at + 16) };
  if (directory.entries !== 0xffff && directory.size !== 0xffffffff && directory.offset !== 0xffffffff) return directory;
  const locatorAt = tailStart + at - ZIP64_LOCATOR_BYTES;
  if (locatorAt < 0) throw new ZipFormatError("no zip64 end of central directory locator");
  const locator = await reader.bytes(locatorAt, locatorAt + ZIP64_LOCATOR_BYTES);
  if (locator.readUInt32LE(0) !== ZIP64_END_OF_CENTRAL_DIRECTORY_LOCATOR) throw new ZipFormatError("no zip64 end of central directory locator");
  const recordAt = Number(locator.readBigUInt64LE(8));
  if (recordAt + ZIP64_EOCD_BYTES > size) throw new ZipFormatError("the zip64 end of central directory lies beyond the end of the file");
  const record = await reader.bytes(recordAt, recordAt + ZIP64_EOCD_BYTES);
  if (record.readUInt32LE(0) !== ZIP64_END_OF_CENTRAL_DIRECTORY) throw new ZipFormatError("no zip64 end of central directory record");
  return { entries: Number(record.readBigUInt64LE(32)), size: Number(record.readBigUInt64LE(40)), offset: Number(record.readBigUInt64LE(48)) };
}
