/**
 * Reads the package identity out of an rpm header as the rpm database
 * stores it (the header without its 8-byte magic): big-endian entry count
 * and data length, the index entries (tag, type, offset, count; 16 bytes
 * each), then the data store the offsets point into. The blob is untrusted:
 * every read is bounds-checked and a malformed header throws
 * MalformedRpmHeaderError.
 */

export interface RpmHeader {
  name: string;
  version: string;
  release: string;
  /** Null when the header has no EPOCH tag, which is not the same as epoch 0 in how rpm prints the version. */
  epoch: number | null;
  arch: string | null;
  /** The source package's file name, e.g. `bash-5.1.8-9.el9.src.rpm`. */
  sourceRpm: string | null;
}

export class MalformedRpmHeaderError extends Error {
  constructor(reason: string) {
    super(`malformed rpm header: ${reason}`);
    this.name = "MalformedRpmHeaderError";
  }
}

const TAG = { NAME: 1000, VERSION: 1001, RELEASE: 1002, EPOCH: 1003, ARCH: 1022, SOURCERPM: 1044 } as const;
const WANTED_TAGS: ReadonlySet<number> = new Set(Object.values(TAG));

const TYPE = { INT32: 4, STRING: 6, STRING_ARRAY: 8, I18NSTRING: 9 } as const;
/** Types whose data starts with a NUL-terminated string; for the array types that is the first element. */
const STRING_TYPES: ReadonlySet<number> = new Set([TYPE.STRING, TYPE.STRING_ARRAY, TYPE.I18NSTRING]);

const PREAMBLE_BYTES = 8;
const ENTRY_BYTES = 16;
/** rpm's own bounds on a header it imports (HEADER_TAGS_MAX, HEADER_DATA_MAX in lib/header.c). */
const MAX_ENTRIES = 0xffff;
const MAX_DATA_BYTES = 0x0fffffff;

interface IndexEntry {
  tag: number;
  type: number;
  offset: number;
  count: number;
}

export function parseRpmHeader(blob: Uint8Array): RpmHeader {
  const store = new HeaderStore(blob);
  return {
    name: store.requiredString(TAG.NAME),
    version: store.requiredString(TAG.VERSION),
    release: store.requiredString(TAG.RELEASE),
    epoch: store.int32(TAG.EPOCH),
    arch: store.string(TAG.ARCH),
    sourceRpm: store.string(TAG.SOURCERPM),
  };
}

class HeaderStore {
  private readonly data: Buffer;
  private readonly entries = new Map<number, IndexEntry>();

  constructor(blob: Uint8Array) {
    if (blob.length < PREAMBLE_BYTES) {
      throw new MalformedRpmHeaderError(`${blob.length} bytes, shorter than its preamble`);
    }
    const bytes = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
    const entryCount = bytes.readUInt32BE(0);
    const dataLength = bytes.readUInt32BE(4);
    if (entryCount === 0 || entryCount > MAX_ENTRIES) throw new MalformedRpmHeaderError(`${entryCount} index entries`);
    if (dataLength > MAX_DATA_BYTES) throw new MalformedRpmHeaderError(`${dataLength} bytes of data`);
    const dataStart = PREAMBLE_BYTES + entryCount * ENTRY_BYTES;
    if (dataStart + dataLength > bytes.length) {
      throw new MalformedRpmHeaderError(`needs ${dataStart + dataLength} bytes, has ${bytes.length}`);
    }
    this.data = bytes.subarray(dataStart, dataStart + dataLength);
    for (let at = PREAMBLE_BYTES; at < dataStart; at += ENTRY_BYTES) {
      const entry = {
        tag: bytes.readInt32BE(at),
        type: bytes.readUInt32BE(at + 4),
        offset: bytes.readInt32BE(at + 8),
        count: bytes.readUInt32BE(at + 12),
      };
      if (WANTED_TAGS.has(entry.tag) && !this.entries.has(entry.tag)) this.entries.set(entry.tag, entry);
    }
  }

  requiredString(tag: number): string {
    const value = this.string(tag);
    if (value === null) throw new MalformedRpmHeaderError(`no tag ${tag}`);
    return value;
  }

  string(tag: number): string | null {
    const entry = this.entries.get(tag);
    if (!entry) return null;
    if (!STRING_TYPES.has(entry.type)) {
      throw new MalformedRpmHeaderError(`tag ${tag} has type ${entry.type}, not a string`);
    }
    this.checkOffset(entry, 1);
    const end = this.data.indexOf(0, entry.offset);
    if (end === -1) throw new MalformedRpmHeaderError(`tag ${tag}: string not terminated within the data`);
    return this.data.toString("utf8", entry.offset, end);
  }

  int32(tag: number): number | null {
    const entry = this.entries.get(tag);
    if (!entry) return null;
    if (entry.type !== TYPE.INT32) throw new MalformedRpmHeaderError(`tag ${tag} has type ${entry.type}, not INT32`);
    this.checkOffset(entry, 4);
    return this.data.readUInt32BE(entry.offset);
  }

  /** The entry's first value (`bytes` long) must lie within the data store. */
  private checkOffset(entry: IndexEntry, bytes: number): void {
    if (entry.count === 0) throw new MalformedRpmHeaderError(`tag ${entry.tag} has no values`);
    if (entry.offset < 0 || entry.offset + bytes > this.data.length) {
      throw new MalformedRpmHeaderError(
        `tag ${entry.tag}: offset ${entry.offset} outside ${this.data.length} bytes of data`,
      );
    }
  }
}
