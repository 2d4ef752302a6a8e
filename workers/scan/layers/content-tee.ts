/**
 * Shares one tar entry's content among the analyzers that asked for it, in
 * lockstep: the next chunk is pulled from the entry only once every open
 * reader has taken the last one, so nothing is buffered whatever pace each
 * analyzer reads at. A reader that is closed (its analyzer is done) no
 * longer holds the others back; once all are closed the rest of the entry
 * is drained, which the tar stream needs to reach the next entry.
 */
export class ContentTee {
  private readonly open = new Set<TeeReader>();
  private wakePump: (() => void) | null = null;

  constructor(private readonly entry: AsyncIterable<Buffer>) {}

  /** A reader of the whole content; create them all before `pump`. */
  reader(): TeeReader {
    const reader = new TeeReader(
      () => this.progress(),
      () => {
        this.open.delete(reader);
        this.progress();
      },
    );
    this.open.add(reader);
    return reader;
  }

  /** Reads the entry to its end; an entry error is handed to the readers and rethrown. */
  async pump(): Promise<void> {
    try {
      for await (const chunk of this.entry) {
        while ([...this.open].some((reader) => reader.holdsChunk)) {
          await new Promise<void>((resolve) => (this.wakePump = resolve));
        }
        this.deliver({ chunk });
      }
      this.deliver({ end: true });
    } catch (error) {
      this.deliver({ error });
      throw error;
    }
  }

  private deliver(delivery: Delivery): void {
    for (const reader of this.open) reader.deliver(delivery);
  }

  private progress(): void {
    const wake = this.wakePump;
    this.wakePump = null;
    wake?.();
  }
}

type Delivery = { chunk: Buffer } | { end: true } | { error: unknown };

export class TeeReader implements AsyncIterable<Buffer> {
  /** At most a chunk, then the end or an error. */
  private readonly queue: Delivery[] = [];
  private wakeReader: (() => void) | null = null;
  private closed = false;

  constructor(
    private readonly onTaken: () => void,
    private readonly onClosed: () => void,
  ) {}

  get holdsChunk(): boolean {
    return this.queue.length > 0 && "chunk" in this.queue[0];
  }

  deliver(delivery: Delivery): void {
    this.queue.push(delivery);
    const wake = this.wakeReader;
    this.wakeReader = null;
    wake?.();
  }

  /** Stops holding the other readers back; later content is dropped. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    this.onClosed();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    try {
      while (!this.closed) {
        while (this.queue.length === 0) await new Promise<void>((resolve) => (this.wakeReader = resolve));
        const next = this.queue.shift() as Delivery;
        this.onTaken();
        if ("error" in next) throw next.error;
        if ("end" in next) return;
        yield next.chunk;
      }
    } finally {
      this.close();
    }
  }
}
