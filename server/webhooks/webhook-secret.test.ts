import { newWebhookToken, nexusSignatureMatches } from "./webhook-secret";

test("webhook tokens are 256 random bits, URL-safe", () => {
  const tokens = new Set(Array.from({ length: 100 }, newWebhookToken));
  expect(tokens.size).toBe(100);
  for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
});

test("Nexus signatures are the hex HMAC-SHA1 of the body (RFC 2202 test case 2), case-insensitive", () => {
  const body = Buffer.from("what do ya want for nothing?");
  const signature = "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79";
  expect(nexusSignatureMatches(body, "Jefe", signature)).toBe(true);
  expect(nexusSignatureMatches(body, "Jefe", signature.toUpperCase())).toBe(true);
  expect(nexusSignatureMatches(body, "jefe", signature)).toBe(false);
  expect(nexusSignatureMatches(Buffer.from("what do ya want for nothing!"), "Jefe", signature)).toBe(false);
  expect(nexusSignatureMatches(body, "Jefe", undefined)).toBe(false);
  expect(nexusSignatureMatches(body, "Jefe", "")).toBe(false);
});
