import type { Duplex, Readable } from "node:stream";
import { extract } from "tar-stream";
import { ScanError } from "../errors";
import { createDecompressor } from "./decompress";
import { LayerSizeLimit } from "./size-limit";
import type { TarEntry } from "./tar-walker";

interface Destroyable {
  destroy(error?: Error): unknown;
  on(event: "error", listener: (error: Error) => void): unknown;
}

/**
 * A layer blob on its way to tar entries: source → decompressor → size
 * limit → tar parser, joined with pipe() for backpressure. The first failure
 * anywhere tears the whole chain down and is the one kept, so the error a
 * caller sees is the cause, not a consequence:
 * - the source's own errors (network, digest) unchanged;
 * - the decompressor's and the tar parser's as INVALID_LAYER;
 * - limits, aborts and the consumer's errors as given to `fail`.
 */
export class LayerStream {
  readonly entries: AsyncIterable<TarEntry>;
  /** Rejects with the first failure; never resolves. */
  readonly failed: Promise<never>;
  private readonly streams: Destroyable[];
  private readonly sizeLimit: LayerSizeLimit;
  private failure: { error: unknown } | null = null;
  private rejectFailed!: (error: unknown) => void;

  /** UNSUPPORTED_MEDIA_TYPE is thrown here, after destroying the source. */
  constructor(source: Readable, mediaType: string, maxLayerBytes: number) {
    this.failed = new Promise<never>((_, reject) => (this.rejectFailed = reject));
    this.failed.catch(() => undefined); // a failure after the consumer stopped listening is no unhandled rejection
    this.streams = [source];
    this.watch(source, (error) => error);
    const decompressor = this.decompressorOf(mediaType);
    this.sizeLimit = new LayerSizeLimit(maxLayerBytes);
    const parser = extract();
    // streamx types what an entry yields as unknown; tar-stream yields Buffers.
    this.entries = parser as AsyncIterable<unknown> as AsyncIterable<TarEntry>;
    this.streams.push(decompressor, this.sizeLimit, parser);
    this.watch(decompressor, invalidLayer);
    this.watch(this.sizeLimit, (error) => error);
    this.watch(parser, invalidLayer);
    source.pipe(decompressor).pipe(this.sizeLimit).pipe(parser);
  }

  /** Uncompressed bytes read so far. */
  get uncompressedBytes(): number {
    return this.sizeLimit.bytes;
  }

  /** Records `error` unless a failure came first, tears the chain down, and returns the failure that is kept. */
  fail(error: unknown): unknown {
    if (!this.failure) {
      this.failure = { error };
      for (const stream of this.streams) stream.destroy(error as Error);
      this.rejectFailed(error);
    }
    return this.failure.error;
  }

  private decompressorOf(mediaType: string): Duplex {
    try {
      return createDecompressor(mediaType);
    } catch (error) {
      this.fail(error);
      throw error;
    }
  }

  private watch(stream: Destroyable, classify: (error: Error) => unknown): void {
    stream.on("error", (error) => {
      if (!this.failure) this.fail(classify(error));
    });
  }
}

function invalidLayer(error: Error): ScanError {
  return new ScanError("INVALID_LAYER", `corrupt layer: ${error.message}`, { cause: error });
}
