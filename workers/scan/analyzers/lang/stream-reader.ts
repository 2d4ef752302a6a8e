/**
 * Pulls bytes on demand from a stream of chunks of any size: exact reads,
 * skips, and handing back bytes a consumer read past the end of its record.
 */
export class StreamReader {
  private readonly pending: Buffer[] = [];
  private exhausted = false;

  constructor(private readonly source: AsyncIterator<Buffer>) {}

  /** The next available bytes, at most `max` of them; null at the end of the stream. */
  async next(max = Infinity): Promise<Buffer | null> {
    let chunk = this.pending.shift();
    while (chunk === undefined) {
      if (this.exhausted) return null;
      const result = await this.source.next();
      if (result.done) this.exhausted = true;
      else if (result.value.length > 0) chunk = result.value;
    }
    if (chunk.length > max) {
      this.pending.unshift(chunk.subarray(max));
      return chunk.subarray(0, max);
    }
    return chunk;
  }

  /** Puts bytes back in front of the stream. */
  unshift(bytes: Buffer): void {
    if (bytes.length > 0) this.pending.unshift(bytes);
  }

  /** Exactly `length` bytes; throws when the stream ends first. */
  async read(length: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    for (let got = 0; got < length; ) {
      const chunk = await this.next(length - got);
      if (chunk === null) throw new Error(`unexpected end of data (needed ${length} bytes, got ${got})`);
      parts.push(chunk);
      got += chunk.length;
    }
    return parts.length === 1 ? parts[0] : Buffer.concat(parts, length);
  }

  /** Discards exactly `length` bytes; throws when the stream ends first. */
  async skip(length: number): Promise<void> {
    for (let skipped = 0; skipped < length; ) {
      const chunk = await this.next(length - skipped);
      if (chunk === null) throw new Error(`unexpected end of data (skipping ${length} bytes, got ${skipped})`);
      skipped += chunk.length;
    }
  }
}

/** Runs `consume` over a file's stream, then releases the stream, which `consume` may have left unfinished. */
export async function consumeStream<T>(
  stream: AsyncIterable<Buffer>,
  consume: (reader: StreamReader) => Promise<T>,
): Promise<T> {
  const iterator = stream[Symbol.asyncIterator]();
  try {
    return await consume(new StreamReader(iterator));
  } finally {
    await iterator.return?.();
  }
}
