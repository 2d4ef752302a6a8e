import { Duplex } from "node:stream";
import { Decompress } from "fzstd";
import { ZstdFrameGuard } from "./zstd-frames";

/**
 * fzstd decompresses everything a `push` makes complete before returning,
 * and a zstd RLE block turns 4 bytes into up to 128 KiB (2 MiB when
 * crafted), so input is fed in small slices: one slice yields at most
 * ~8 MiB (~128 MiB crafted), and the output is handed on block by block
 * as the reader asks for it. Measured: slices of 128, 256 or 1024 bytes
 * decompress a 44 MB tar at the same speed; 1024 let a bomb's slice hold
 * ~32 MiB at once.
 */
const SLICE_BYTES = 256;

/** A streaming zstd decompressor with pull-based backpressure. fzstd's errors (corrupt or truncated data) come out as stream errors. */
export function createZstdDecompressor(): Duplex {
  return Duplex.from(async function* (compressed: AsyncIterable<Buffer>) {
    const guard = new ZstdFrameGuard();
    const blocks: Uint8Array[] = [];
    const decoder = new Decompress((block) => {
      if (block.length > 0) blocks.push(block);
    });
    for await (const chunk of compressed) {
      guard.check(chunk);
      for (let at = 0; at < chunk.length; at += SLICE_BYTES) {
        decoder.push(chunk.subarray(at, at + SLICE_BYTES));
        yield* takeAll(blocks);
      }
    }
    decoder.push(new Uint8Array(0), true);
    yield* takeAll(blocks);
  });
}

function* takeAll(blocks: Uint8Array[]): Generator<Buffer> {
  for (let block = blocks.shift(); block; block = blocks.shift()) {
    yield Buffer.from(block.buffer, block.byteOffset, block.byteLength);
  }
}
