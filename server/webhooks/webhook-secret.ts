import { createHmac, randomBytes } from "node:crypto";
import { sameSecret } from "../../lib/credentials";

/** A fresh path token of a registry's push webhook: 256 random bits, URL-safe. */
export function newWebhookToken(): string {
  return randomBytes(32).toString("base64url");
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
