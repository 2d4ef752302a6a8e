import {
  CENTRAL_DIRECTORY_HEADER,
  DATA_DESCRIPTOR,
  DEFLATED,
  END_OF_CENTRAL_DIRECTORY,
  findExtraField,
  FLAG_DATA_DESCRIPTOR,
  FLAG_ENCRYPTED,
  LOCAL_FILE_HEADER,
  STORED,
  ZIP64_EXTRA_FIELD,
} from "../../../../lib/zip-format";
import { RawInflater } from "./raw-inflater";
import type { StreamReader } from "./stream-reader";

/**
 * Reads a zip front to back through its local file headers, without the
 * central directory (which sits at the end and would need the whole file).
 * https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT
 */

/** Compressed bytes fed to zlib at once: bounds what one write can inflate to (deflate expands at most ~1032×). */
const INFLATE_INPUT_BYTES = 16 * 1024;

export interface ZipLimits {
  maxEntries: number;
  /** Decompressed bytes across the archive and its nested archives: a bound on the work a zip bomb causes. */
  inflatedBytes: { remaining: number };
}

export interface ZipEntry {
  readonly name: string;
  /**
   * The entry's uncompressed bytes. Read them (all, some or none) before
   * asking for the next entry: whatever is left is skipped then.
   */
  content(): AsyncIterable<Buffer>;
}

interface LocalHeader {
  name: string;
  flags: number;
  method: number;
  compressedSize: number;
  zip64: boolean;
}

export async function* zipEntries(reader: StreamReader, limits: ZipLimits): AsyncGenerator<ZipEntry> {
  for (let count = 0; ; count++) {
    const signature = (await reader.read(4)).readUInt32LE(0);
    if (signature === CENTRAL_DIRECTORY_HEADER || signature === END_OF_CENTRAL_DIRECTORY) return;
    if (signature !== LOCAL_FILE_HEADER) {
      throw new Error(`not a zip: no local file header at entry ${count} (signature 0x${signature.toString(16)})`);
    }
    if (count >= limits.maxEntries) throw new Error(`zip has more than ${limits.maxEntries} entries`);
    const body = new EntryBody(reader, await readLocalHeader(reader), limits);
    yield { name: body.header.name, content: () => body.content() };
    await body.finish();
  }
}

async function readLocalHeader(reader: StreamReader): Promise<LocalHeader> {
  const fixed = await reader.read(26);
  const name = (await reader.read(fixed.readUInt16LE(22))).toString("utf8");
  const extra = await reader.read(fixed.readUInt16LE(24));
  const zip64Sizes = findExtraField(extra, ZIP64_EXTRA_FIELD);
  let compressedSize = fixed.readUInt32LE(14);
  // In a local header, the zip64 field holds both sizes, uncompressed first, when either header field is 0xffffffff.
  if (compressedSize === 0xffffffff && zip64Sizes && zip64Sizes.length >= 16) {
    compressedSize = Number(zip64Sizes.readBigUInt64LE(8));
  }
  return { name, flags: fixed.readUInt16LE(2), method: fixed.readUInt16LE(4), compressedSize, zip64: !!zip64Sizes };
}

/** One entry's data, followed by its data descriptor when it has one. */
class EntryBody {
  private reading: AsyncGenerator<Buffer> | null = null;

  constructor(
    private readonly reader: StreamReader,
    readonly header: LocalHeader,
    private readonly limits: ZipLimits,
  ) {}

  content(): AsyncIterable<Buffer> {
    if (this.reading) throw new Error(`zip entry ${this.header.name}: content already read`);
    const reading = this.read();
    this.reading = reading;
    // No `return`: a consumer that stops early leaves the rest for `finish` to skip.
    return { [Symbol.asyncIterator]: () => ({ next: () => reading.next() }) };
  }

  /** Moves the reader to the next local header. */
  async finish(): Promise<void> {
    if (!this.reading && !this.sizeUnknown()) {
      await this.reader.skip(this.header.compressedSize);
      await this.readDataDescriptor(this.header.compressedSize);
      return;
    }
    const reading = this.reading ?? this.read();
    while (!(await reading.next()).done);
  }

  /**
   * A deflated entry with a data descriptor has no size in its header: only
   * inflating it finds its end. A stored one must have its size there (as
   * Java's ZipInputStream requires): stored data has no end marker.
   */
  private sizeUnknown(): boolean {
    return this.header.method === DEFLATED && (this.header.flags & FLAG_DATA_DESCRIPTOR) !== 0;
  }

  private async *read(): AsyncGenerator<Buffer> {
    const { name, flags, method } = this.header;
    if (flags & FLAG_ENCRYPTED) throw new Error(`zip entry ${name} is encrypted`);
    if (method === STORED) {
      yield* this.readStored();
    } else if (method === DEFLATED) {
      yield* this.readDeflated();
    } else {
      throw new Error(`zip entry ${name}: unsupported compression method ${method}`);
    }
  }

  private async *readStored(): AsyncGenerator<Buffer> {
    const size = this.header.compressedSize;
    for (let remaining = size; remaining > 0; ) {
      const chunk = await this.reader.next(remaining);
      if (chunk === null) throw new Error(`zip entry ${this.header.name} is truncated`);
      remaining -= chunk.length;
      yield chunk;
    }
    await this.readDataDescriptor(size);
  }

  private async *readDeflated(): AsyncGenerator<Buffer> {
    const inflater = new RawInflater();
    try {
      const compressedSize = this.sizeUnknown()
        ? yield* this.inflateToStreamEnd(inflater)
        : yield* this.inflateKnownSize(inflater);
      await this.readDataDescriptor(compressedSize);
    } finally {
      inflater.close();
    }
  }

  /** Feeds the reader's bytes to the end of the deflate stream, and hands back those after it; returns how many it took. */
  private async *inflateToStreamEnd(inflater: RawInflater): AsyncGenerator<Buffer, number> {
    for (let consumed = 0; ; ) {
      const input = await this.reader.next(INFLATE_INPUT_BYTES);
      if (input === null) throw new Error(`zip entry ${this.header.name} is truncated`);
      const { output, rest } = await inflater.write(input);
      yield* this.countInflated(output);
      consumed += input.length;
      if (rest !== null) {
        this.reader.unshift(rest);
        return consumed - rest.length;
      }
    }
  }

  private async *inflateKnownSize(inflater: RawInflater): AsyncGenerator<Buffer, number> {
    const size = this.header.compressedSize;
    for (let remaining = size; remaining > 0; ) {
      const input = await this.reader.next(Math.min(INFLATE_INPUT_BYTES, remaining));
      if (input === null) throw new Error(`zip entry ${this.header.name} is truncated`);
      remaining -= input.length;
      yield* this.countInflated((await inflater.write(input)).output);
    }
    yield* this.countInflated(await inflater.end());
    return size;
  }

  private countInflated(output: Buffer[]): Buffer[] {
    for (const chunk of output) this.limits.inflatedBytes.remaining -= chunk.length;
    if (this.limits.inflatedBytes.remaining < 0) throw new Error("zip decompresses to too many bytes");
    return output;
  }

  /** Skips the descriptor after the data; its compressed size must match what the data took. */
  private async readDataDescriptor(compressedSize: number): Promise<void> {
    if (!(this.header.flags & FLAG_DATA_DESCRIPTOR)) return;
    const first = await this.reader.read(4);
    if (first.readUInt32LE(0) !== DATA_DESCRIPTOR) this.reader.unshift(first);
    const sizeBytes = this.header.zip64 ? 8 : 4;
    const descriptor = await this.reader.read(4 + 2 * sizeBytes);
    const recorded = this.header.zip64 ? Number(descriptor.readBigUInt64LE(4)) : descriptor.readUInt32LE(4);
    if (recorded !== (this.header.zip64 ? compressedSize : compressedSize % 2 ** 32)) {
      throw new Error(`zip entry ${this.header.name}: data descriptor does not match its data`);
    }
  }
}
