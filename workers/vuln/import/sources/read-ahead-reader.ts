import { type FileHandle, open } from "node:fs/promises";

/** Bytes read from the archive at once. */
const WINDOW_BYTES = 4 * 1024 * 1024;
/**
 * Windows kept: the central directory at the end of the archive is walked
 * while the entries are read from the front, so one window would be thrown
 * away at every step (measured: 93 records/s instead of thousands).
 */
const WINDOWS = 4;

/**
 * Random access to a zip archive that reads ahead in large windows: a zip's
 * entries lie one after the other, so reading an `all.zip` of 100,000 small
 * records entry by entry otherwise costs two small reads each, and the
 * import waits on the disk instead of parsing (npm run bench:match).
 */
export class ReadAheadReader {
  /** Most recently used last. */
  private readonly windows: Array<{ start: number; bytes: Buffer }> = [];
  private reading: Promise<Buffer> = Promise.resolve(Buffer.alloc(0));

  private constructor(private readonly file: FileHandle) {}

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

  close(): Promise<void> {
    return this.file.close();
  }

  private async range(start: number, end: number): Promise<Buffer> {
    const at = this.windows.findIndex((w) => start >= w.start && end <= w.start + w.bytes.length);
    if (at >= 0) {
      const [window] = this.windows.splice(at, 1);
      this.windows.push(window);
      return window.bytes.subarray(start - window.start, end - window.start);
    }
    const length = Math.max(WINDOW_BYTES, end - start);
    const buffer = Buffer.allocUnsafe(length);
    const { bytesRead } = await this.file.read(buffer, 0, length, start);
    if (start + bytesRead < end) throw new Error(`the archive ends at ${start + bytesRead}, before byte ${end}`);
    this.windows.push({ start, bytes: buffer.subarray(0, bytesRead) });
    if (this.windows.length > WINDOWS) this.windows.shift();
    return buffer.subarray(0, end - start);
  }
}
