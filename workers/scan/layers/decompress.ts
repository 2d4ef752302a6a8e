import { type Duplex, PassThrough } from "node:stream";
import { createGunzip } from "node:zlib";
import { ScanError } from "../errors";
import { createZstdDecompressor } from "./zstd";

type Compression = "none" | "gzip" | "zstd";

/**
 * zlib's output buffer. Its 16 KiB default makes a gigabyte layer into
 * 65,000 buffers and as many callbacks; 128 KiB cut the allocation and GC
 * time of a cold scan markedly (npm run bench:scan).
 */
export const GUNZIP_CHUNK_BYTES = 128 * 1024;

/** Layer media types (OCI image-spec, Docker image manifest v2.2), nondistributable ones included. */
const LAYER_COMPRESSION: ReadonlyMap<string, Compression> = new Map([
  ["application/vnd.oci.image.layer.v1.tar", "none"],
  ["application/vnd.oci.image.layer.v1.tar+gzip", "gzip"],
  ["application/vnd.oci.image.layer.v1.tar+zstd", "zstd"],
  ["application/vnd.oci.image.layer.nondistributable.v1.tar", "none"],
  ["application/vnd.oci.image.layer.nondistributable.v1.tar+gzip", "gzip"],
  ["application/vnd.oci.image.layer.nondistributable.v1.tar+zstd", "zstd"],
  ["application/vnd.docker.image.rootfs.diff.tar", "none"],
  ["application/vnd.docker.image.rootfs.diff.tar.gzip", "gzip"],
  ["application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", "gzip"],
]);

/**
 * A stream turning a layer blob of `mediaType` into its tar bytes;
 * UNSUPPORTED_MEDIA_TYPE for anything that is no layer we can read.
 * Corrupt input makes the stream fail with the decompressor's own error.
 */
export function createDecompressor(mediaType: string): Duplex {
  switch (LAYER_COMPRESSION.get(mediaType)) {
    case "none":
      return new PassThrough();
    case "gzip":
      return createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES });
    case "zstd":
      return createZstdDecompressor();
    case undefined:
      throw new ScanError("UNSUPPORTED_MEDIA_TYPE", `unsupported layer media type ${JSON.stringify(mediaType)}`);
  }
}
