import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** A fresh path token of a registry's push webhook: 256 random bits, URL-safe. */
export function newWebhookToken(): string {
  return randomBytes(32).toString("base64url");
}

const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();

/** Constant-time equality of two secrets of any length: compares their SHA-256 digests, which are always 32 bytes. */
export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * Nexus Repository's webhook signature: the hex HMAC-SHA1 of the request body
 * under the capability's secret key, sent as X-Nexus-Webhook-Signature.
 */
export function nexusSignatureMatches(body: Buffer, key: string, signature: string | undefined): boolean {
  if (!signature) return false;
  const expected = createHmac("sha1", key).update(body).digest("hex");
  return sameSecret(signature.trim().toLowerCase(), expected);
}

export const webhookPath = (registryId: string, token: string) => `/webhooks/registries/${registryId}/${token}`;
