import zlib from "node:zlib";

/**
 * Decodes a raw deflate stream fed in pieces and tells where it ended, so
 * that the bytes after it (the next record of a zip) can be handed back.
 * Node's zlib stream stops consuming input at the end of the deflate data:
 * `bytesWritten` then counts only what was used.
 */
export class RawInflater {
  private readonly inflate = zlib.createInflateRaw();
  private output: Buffer[] = [];
  private fed = 0;

  constructor() {
    this.inflate.on("readable", () => this.collect());
    // Errors also reject the pending write or end; this listener only keeps a late one from crashing the process.
    this.inflate.on("error", () => undefined);
  }

  /**
   * Feeds compressed bytes. Returns what they decoded to and, once the
   * deflate stream has ended, the unused rest of the input (possibly empty).
   */
  async write(input: Buffer): Promise<{ output: Buffer[]; rest: Buffer | null }> {
    this.fed += input.length;
    await this.settle((done) => this.inflate.write(input, done));
    const unused = this.fed - this.inflate.bytesWritten;
    return { output: this.takeOutput(), rest: unused > 0 ? input.subarray(input.length - unused) : null };
  }

  /** Declares the input complete; throws when the deflate stream is truncated. */
  async end(): Promise<Buffer[]> {
    if (!this.inflate.readableEnded) {
      await this.settle((done) => {
        this.inflate.once("end", done);
        this.inflate.end();
      });
    }
    return this.takeOutput();
  }

  close(): void {
    this.inflate.destroy();
  }

  private async settle(start: (done: (error?: Error | null) => void) => void): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      // A zlib data error destroys the stream without calling the write callback.
      const onError = (error: Error): void => reject(new Error(`invalid deflate data: ${error.message}`));
      this.inflate.once("error", onError);
      start((error) => {
        this.inflate.off("error", onError);
        if (error) onError(error);
        else resolve();
      });
    });
  }

  private collect(): void {
    for (let chunk: Buffer | null; (chunk = this.inflate.read() as Buffer | null) !== null; ) this.output.push(chunk);
  }

  private takeOutput(): Buffer[] {
    this.collect();
    const output = this.output;
    this.output = [];
    return output;
  }
}
