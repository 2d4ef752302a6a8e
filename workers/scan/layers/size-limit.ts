import { Transform, type TransformCallback } from "node:stream";
import { ScanError } from "../errors";

/** Passes a layer's uncompressed bytes on, counting them; fails with LAYER_TOO_LARGE as soon as they pass `maxBytes`. */
export class LayerSizeLimit extends Transform {
  /** Bytes passed so far. */
  bytes = 0;

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      callback(new ScanError("LAYER_TOO_LARGE", `the layer is larger than ${this.maxBytes} bytes uncompressed`));
    } else {
      callback(null, chunk);
    }
  }
}
