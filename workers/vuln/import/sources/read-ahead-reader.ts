import { type FileHandle, open } from "node:fs/promises";
import { Readable } from "node:stream";
import yauzl from "yauzl";

/** Bytes read from the archive at once. */
const WINDOW_BYTES = 4 * 1024 * 1024;

/**
 * A yauzl reader over a file that reads ahead in large windows: a zip's
 * entries lie one after the other, so reading an `all.zip` of 100,000 small
 * records entry by entry otherwise costs two small reads each, and the
 * import waits on the disk instead of parsing (npm run bench:match).
 */
export class ReadAheadReader extends yauzl.RandomAccessReader {
  private window: { start: number; bytes: Buffer } | null = null;
  private reading: Promise<Buffer> = Promise.resolve(Buffer.alloc(0));

  private constructor(private readonly file: FileHandle) {
    super();
  }

  static async open(path: string): Promise<{ reader: ReadAheadReader; size: number }> {
    const file = await open(path, "r");
    try {
      return { reader: new ReadAheadReader(file), size: (await file.stat()).size };
    } catch (error) {
      await file.close();
      throw error;
    }
  }

  /** Bytes [start, end) of the archive; requests are served one after another, so a window read for one serves the next. */
  bytes(start: number, end: number): Promise<Buffer> {
    return (this.reading = this.reading.then(
      () => this.range(start, end),
      () => this.range(start, end),
    ));
  }

  _readStreamForRange(start: number, end: number): Readable {
    const bytes = this.bytes(start, end);
    return Readable.from(
      (async function* () {
        yield await bytes;
      })(),
    );
  }

  close(callback: (error: Error | null) => void): void {
    this.file.close().then(
      () => callback(null),
      (error: Error) => callback(error),
    );
  }

  private async range(start: number, end: number): Promise<Buffer> {
    const window = this.window;
    if (window && start >= window.start && end <= window.start + window.bytes.length) {
      return window.bytes.subarray(start - window.start, end - window.start);
    }
    const length = Math.max(WINDOW_BYTES, end - start);
    const buffer = Buffer.allocUnsafe(length);
    const { bytesRead } = await this.file.read(buffer, 0, length, start);
    this.window = { start, bytes: buffer.subarray(0, bytesRead) };
    if (start + bytesRead < end) throw new Error(`the archive ends at ${start + bytesRead}, before byte ${end}`);
    return this.window.bytes.subarray(0, end - start);
  }
}
