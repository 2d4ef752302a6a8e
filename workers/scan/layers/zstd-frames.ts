import { ScanError } from "../errors";

/**
 * The largest window a layer may ask for: zstd's own default decompression
 * limit (ZSTD_WINDOWLOG_LIMIT_DEFAULT, 2^27). fzstd allocates whatever a frame
 * header declares, so a hostile header could otherwise ask for 2 GiB or more.
 */
export const MAX_ZSTD_WINDOW_BYTES = 2 ** 27;
/** RFC 8878 §3.1.1.2: no block is larger than this. */
const MAX_BLOCK_BYTES = 128 * 1024;

const FRAME_MAGIC = 0xfd2fb528;
const isSkippableMagic = (magic: number) => magic >>> 4 === 0x184d2a5;

type State = "magic" | "header" | "block";

function invalid(message: string): ScanError {
  return new ScanError("INVALID_LAYER", `zstd layer: ${message}`);
}

/**
 * Reads the frame and block headers of a zstd stream as it passes (RFC 8878)
 * and refuses a frame whose window exceeds MAX_ZSTD_WINDOW_BYTES or a block
 * larger than the format allows, before the decompressor allocates for it.
 * Keeps at most one header's bytes; everything else is skipped over.
 */
export class ZstdFrameGuard {
  private state: State = "magic";
  private pending = Buffer.alloc(0);
  private skip = 0;
  private checksum = false;

  check(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.skip > 0) {
        const skipped = Math.min(this.skip, chunk.length - at);
        this.skip -= skipped;
        at += skipped;
        continue;
      }
      const need = this.headerLength();
      const take = Math.min(need - this.pending.length, chunk.length - at);
      this.pending = Buffer.concat([this.pending, chunk.subarray(at, at + take)]);
      at += take;
      if (this.pending.length === need && need === this.headerLength()) this.consume();
    }
  }

  /** Bytes of the header being read, as far as the bytes so far tell. */
  private headerLength(): number {
    const p = this.pending;
    switch (this.state) {
      case "magic":
        return p.length >= 4 && isSkippableMagic(p.readUInt32LE(0)) ? 8 : 4;
      case "header": {
        if (p.length === 0) return 1;
        const descriptor = p[0];
        const singleSegment = (descriptor & 0x20) !== 0;
        const fcsFlag = descriptor >> 6;
        const dictionaryBytes = [0, 1, 2, 4][descriptor & 0x03];
        const contentSizeBytes = [singleSegment ? 1 : 0, 2, 4, 8][fcsFlag];
        return 1 + (singleSegment ? 0 : 1) + dictionaryBytes + contentSizeBytes;
      }
      case "block":
        return 3;
    }
  }

  private consume(): void {
    const p = this.pending;
    this.pending = Buffer.alloc(0);
    switch (this.state) {
      case "magic": {
        const magic = p.readUInt32LE(0);
        if (isSkippableMagic(magic)) this.skip = p.readUInt32LE(4);
        else if (magic === FRAME_MAGIC) this.state = "header";
        else throw invalid(`not a zstd frame (magic 0x${magic.toString(16)})`);
        return;
      }
      case "header": {
        const descriptor = p[0];
        if (descriptor & 0x08) throw invalid("reserved bit set in a frame header");
        this.checksum = (descriptor & 0x04) !== 0;
        const window = (descriptor & 0x20) !== 0 ? contentSize(p, descriptor) : windowSize(p[1]);
        if (window > MAX_ZSTD_WINDOW_BYTES) {
          throw invalid(`a frame asks for a ${window}-byte window; at most ${MAX_ZSTD_WINDOW_BYTES} is accepted`);
        }
        this.state = "block";
        return;
      }
      case "block": {
        const header = p[0] | (p[1] << 8) | (p[2] << 16);
        const last = (header & 1) === 1;
        const type = (header >> 1) & 3;
        const size = header >>> 3;
        if (type === 3) throw invalid("reserved block type");
        if (size > MAX_BLOCK_BYTES) throw invalid(`a block of ${size} bytes is larger than the format allows`);
        this.skip = type === 1 ? 1 : size; // an RLE block carries one byte
        if (last) {
          this.skip += this.checksum ? 4 : 0;
          this.state = "magic";
        }
        return;
      }
    }
  }
}

function windowSize(descriptor: number): number {
  const base = 2 ** (10 + (descriptor >> 3));
  return base + (base / 8) * (descriptor & 0x07);
}

/** Frame_Content_Size: the window of a single-segment frame. */
function contentSize(header: Buffer, descriptor: number): number {
  const dictionaryBytes = [0, 1, 2, 4][descriptor & 0x03];
  const at = 1 + dictionaryBytes;
  switch (descriptor >> 6) {
    case 0:
      return header[at];
    case 1:
      return header.readUInt16LE(at) + 256;
    case 2:
      return header.readUInt32LE(at);
    default:
      return Number(header.readBigUInt64LE(at));
  }
}
