/** Content digests: `sha256:<64 hex>` and `sha512:<128 hex>`, computed over the exact bytes. */
import { createHash, type Hash } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";
import { RegistryError } from "../errors";

const HEX_LENGTH = { sha256: 64, sha512: 128 } as const;
export type DigestAlgorithm = keyof typeof HEX_LENGTH;

/** Any digest the OCI grammar allows (verifiable or not). */
export const DIGEST_GRAMMAR = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

export interface ParsedDigest {
  algorithm: DigestAlgorithm;
  hex: string;
  /** `algorithm:hex` */
  value: string;
}

/** A digest drydock can verify, or null. */
export function parseDigest(value: string | undefined | null): ParsedDigest | null {
  const match = /^([a-z0-9]+):([a-f0-9]+)$/.exec(value?.trim() ?? "");
  if (!match) return null;
  const algorithm = match[1] as DigestAlgorithm;
  if (!Object.hasOwn(HEX_LENGTH, algorithm) || match[2].length !== HEX_LENGTH[algorithm]) return null;
  return { algorithm, hex: match[2], value: `${algorithm}:${match[2]}` };
}

/** Like parseDigest, but a RegistryError for what cannot be verified. */
export function requireDigest(value: string): ParsedDigest {
  const parsed = parseDigest(value);
  if (!parsed) {
    throw new RegistryError("REGISTRY_PROTOCOL", `unsupported or malformed digest ${JSON.stringify(value.slice(0, 200))} (sha256 and sha512 are supported)`, {
      retryable: false,
    });
  }
  return parsed;
}

export function digestOf(bytes: Buffer, algorithm: DigestAlgorithm = "sha256"): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest("hex")}`;
}

export function mismatch(what: string, expected: string, actual: string): RegistryError {
  return new RegistryError("DIGEST_MISMATCH", `${what}: content has digest ${actual}, expected ${expected}`, { retryable: false });
}

/** Throws DIGEST_MISMATCH unless `bytes` hash to `expected`. */
export function verifyDigest(bytes: Buffer, expected: ParsedDigest, what: string): void {
  const actual = digestOf(bytes, expected.algorithm);
  if (actual !== expected.value) throw mismatch(what, expected.value, actual);
}

/**
 * Passes bytes through unchanged and hashes them; at the end, emits
 * `error` (DIGEST_MISMATCH) instead of `end` when the digest differs, so a
 * consumer never sees a clean end of wrong content.
 */
export class DigestVerifier extends Transform {
  private readonly hash: Hash;

  constructor(
    private readonly expected: ParsedDigest,
    private readonly what: string,
  ) {
    super();
    this.hash = createHash(expected.algorithm);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    const actual = `${this.expected.algorithm}:${this.hash.digest("hex")}`;
    callback(actual === this.expected.value ? null : mismatch(this.what, this.expected.value, actual));
  }
}
