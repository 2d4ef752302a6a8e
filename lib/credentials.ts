import { createHash, timingSafeEqual } from "node:crypto";

/** Reads the bearer token of an Authorization header; null when there is none. */
export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return match ? match[1] : null;
}

const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();

/** Constant-time equality of two secrets of any length: compares their SHA-256 digests, which are always 32 bytes. */
export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}
