import type { FileContent } from "../../analyzer";
import { fileFromBuffer } from "../../test-support/file-content";

/** A FileContent whose stream yields chunks of `chunkBytes`, to exercise records split across chunks. */
export function fileInChunks(path: string, content: Buffer, chunkBytes: number, mode?: number): FileContent {
  return fileSplitAt(path, content, [], mode, chunkBytes);
}

/** A FileContent whose stream is cut at the given offsets, and every `chunkBytes` in between. */
export function fileSplitAt(
  path: string,
  content: Buffer,
  offsets: readonly number[],
  mode?: number,
  chunkBytes = Infinity,
): FileContent {
  const cuts = [...offsets.filter((at) => at > 0 && at < content.length), content.length].sort((a, b) => a - b);
  return {
    ...fileFromBuffer(path, content, mode),
    async *stream() {
      let at = 0;
      for (const cut of cuts) {
        while (at < cut) {
          const end = Math.min(cut, at + chunkBytes);
          yield content.subarray(at, end);
          at = end;
        }
      }
    },
  };
}
