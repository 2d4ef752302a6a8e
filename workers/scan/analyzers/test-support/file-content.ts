import type { FileContent } from "../analyzer";

const CHUNK_BYTES = 64 * 1024;

/** A FileContent over bytes in memory, for analyzer tests. Like the walker's, it can be consumed only once. */
export function fileFromBuffer(path: string, content: Buffer | string, mode = 0o644): FileContent {
  const buffer = typeof content === "string" ? Buffer.from(content) : content;
  let consumed = false;
  const consume = (): void => {
    if (consumed) throw new Error(`${path}: content already consumed`);
    consumed = true;
  };
  return {
    path,
    size: buffer.length,
    mode,
    async read() {
      consume();
      return buffer;
    },
    async *stream() {
      consume();
      for (let at = 0; at < buffer.length; at += CHUNK_BYTES) yield buffer.subarray(at, at + CHUNK_BYTES);
    },
  };
}
