import { constants, createPublicKey, generateKeyPairSync, verify } from "node:crypto";
import { parseServiceAccountKey, serviceAccountJwt } from "./service-account-key";

const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const keyJson = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ id: "ajekey1", service_account_id: "ajesa1", created_at: "2024-01-01T00:00:00Z", key_algorithm: "RSA_2048", private_key: pem, ...extra });

test("the JWT is PS256 over header.payload with kid, iss, aud, iat and exp at most an hour later", () => {
  const key = parseServiceAccountKey(keyJson());
  const now = Date.UTC(2024, 0, 1, 12);
  const jwt = serviceAccountJwt(key, "http://127.0.0.1:1/iam/v1/tokens", now);
  const [header, payload, signature] = jwt.split(".");
  expect(JSON.parse(Buffer.from(header, "base64url").toString())).toEqual({ typ: "JWT", alg: "PS256", kid: "ajekey1" });
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
  expect(claims).toEqual({ iss: "ajesa1", aud: "http://127.0.0.1:1/iam/v1/tokens", iat: now / 1000, exp: expect.any(Number) });
  expect(claims.exp - claims.iat).toBeGreaterThan(0);
  expect(claims.exp - claims.iat).toBeLessThanOrEqual(3600);
  const ok = verify("sha256", Buffer.from(`${header}.${payload}`), {
    key: createPublicKey(privateKey),
    padding: constants.RSA_PKCS1_PSS_PADDING,
    saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
  }, Buffer.from(signature, "base64url"));
  expect(ok).toBe(true);
});

test("a console key's warning line before the PEM is skipped", () => {
  const key = parseServiceAccountKey(keyJson({ private_key: `PLEASE DO NOT REMOVE THIS LINE! Yandex.Cloud SA Key ID <ajekey1>\n${pem}` }));
  expect(key.serviceAccountId).toBe("ajesa1");
});

test("unusable keys are refused without quoting them", () => {
  for (const [secret, reason] of [
    ["not json at all", /not JSON/],
    [JSON.stringify({ id: "k" }), /missing service_account_id, private_key/],
    [keyJson({ private_key: "Sup3r-not-a-pem" }), /no PEM private key/],
  ] as const) {
    expect(() => parseServiceAccountKey(secret)).toThrow(reason);
    try {
      parseServiceAccountKey(secret);
    } catch (error) {
      expect((error as Error).message).not.toContain("Sup3r");
      expect((error as Error).message).not.toContain(secret);
    }
  }
});
