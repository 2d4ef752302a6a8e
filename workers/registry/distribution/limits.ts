/** Bounds on what one endpoint may cost: requests in flight, and bytes read into memory. */
import { RegistryError } from "../errors";

export const MiB = 1024 * 1024;

/** A FIFO counting semaphore. `acquire` resolves a release function (calling it twice is harmless). */
export class Semaphore {
  private active = 0;
  private readonly waiting: Array<{ grant: () => void; reject: (reason: unknown) => void; signal?: AbortSignal; onAbort?: () => void }> = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`concurrency must be a positive integer, got ${limit}`);
  }

  /** Requests holding a permit now. */
  get inFlight(): number {
    return this.active;
  }

  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.active < this.limit) {
      this.active++;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const waiter: (typeof this.waiting)[number] = { grant: () => resolve(this.releaser()), reject, signal };
      if (signal) {
        waiter.onAbort = () => {
          const index = this.waiting.indexOf(waiter);
          if (index >= 0) this.waiting.splice(index, 1);
          reject(signal.reason);
        };
        signal.addEventListener("abort", waiter.onAbort, { once: true });
      }
      this.waiting.push(waiter);
    });
  }

  async run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const release = await this.acquire(signal);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) {
        if (next.onAbort) next.signal?.removeEventListener("abort", next.onAbort);
        next.grant(); // the permit passes on: `active` stays
      } else {
        this.active--;
      }
    };
  }
}

export interface ReadableBody extends AsyncIterable<Buffer | Uint8Array | string> {
  destroy(error?: Error): unknown;
  on(event: "error", listener: (error: Error) => void): unknown;
}

/** Hangs up on a body nobody will read (undici reports that as an error event: ignored here). */
export function abandon(body: ReadableBody): void {
  body.on("error", () => undefined);
  body.destroy();
}

/**
 * Reads a body into memory, at most `limit` bytes: a larger declared
 * `Content-Length` is refused before reading, a longer stream is cut off
 * as soon as it passes the limit. Stream errors go through `mapError`.
 */
export async function readBounded(
  body: ReadableBody,
  limit: number,
  what: string,
  declaredLength: string | string[] | undefined,
  mapError: (error: unknown) => unknown = (error) => error,
): Promise<Buffer> {
  const declared = Number(Array.isArray(declaredLength) ? declaredLength[0] : declaredLength);
  if (Number.isFinite(declared) && declared > limit) {
    abandon(body);
    throw tooLarge(what, limit, `${declared} bytes declared`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of body) {
      const buffer = typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      total += buffer.length;
      if (total > limit) {
        abandon(body);
        throw tooLarge(what, limit, `more than ${limit} bytes sent`);
      }
      chunks.push(buffer);
    }
  } catch (error) {
    if (error instanceof RegistryError) throw error;
    throw mapError(error);
  }
  return Buffer.concat(chunks, total);
}

function tooLarge(what: string, limit: number, detail: string): RegistryError {
  return new RegistryError("RESPONSE_TOO_LARGE", `${what} exceeds the limit of ${limit} bytes (${detail})`, { retryable: false });
}
