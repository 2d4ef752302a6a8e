/**
 * A Yandex Cloud service account's authorized key (the `json_key` secret)
 * and the JWT it signs to get an IAM token. Per Yandex IAM's guide "Getting
 * an IAM token for a service account" (checked with the search tool: the
 * yandex-cloud/docs page and its examples): header `{typ: "JWT", alg:
 * "PS256", kid: <key id>}`, claims `{iss: <service account id>, aud: <the IAM
 * tokens URL>, iat, exp}` with `exp - iat <= 3600`; PS256 = RSASSA-PSS with
 * SHA-256 and a salt as long as the hash. The private key is used here only:
 * the signed JWT is what leaves the process.
 */
import { constants, createPrivateKey, type KeyObject, sign } from "node:crypto";
import { RegistryError } from "../../errors";

export interface ServiceAccountKey {
  keyId: string;
  serviceAccountId: string;
  privateKey: KeyObject;
}

const JWT_LIFETIME_SECONDS = 600;

function invalid(what: string): RegistryError {
  return new RegistryError("REGISTRY_UNAUTHORIZED", `the json_key secret is not a usable service account key: ${what}`, { retryable: false });
}

/** Parses the key JSON as `yc iam key create` writes it; errors never quote it. */
export function parseServiceAccountKey(secret: string): ServiceAccountKey {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(secret) as Record<string, unknown>;
  } catch {
    throw invalid("it is not JSON");
  }
  const missing = ["id", "service_account_id", "private_key"].filter((field) => typeof json?.[field] !== "string" || !json[field]);
  if (missing.length > 0) throw invalid(`missing ${missing.join(", ")}`);
  // Keys from the console start with a "PLEASE DO NOT REMOVE THIS LINE! ..." line before the PEM block.
  const pem = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]+?-----END [A-Z ]*PRIVATE KEY-----/.exec(json.private_key as string)?.[0];
  if (!pem) throw invalid("private_key holds no PEM private key");
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch {
    throw invalid("private_key cannot be read");
  }
  if (privateKey.asymmetricKeyType !== "rsa") throw invalid("private_key is not an RSA key");
  return { keyId: json.id as string, serviceAccountId: json.service_account_id as string, privateKey };
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** A PS256 JWT for the IAM token exchange at `audience` (the IAM tokens URL). */
export function serviceAccountJwt(key: ServiceAccountKey, audience: string, nowMs: number): string {
  const iat = Math.floor(nowMs / 1000);
  const signingInput = `${base64url({ typ: "JWT", alg: "PS256", kid: key.keyId })}.${base64url({
    iss: key.serviceAccountId,
    aud: audience,
    iat,
    exp: iat + JWT_LIFETIME_SECONDS,
  })}`;
  const signature = sign("sha256", Buffer.from(signingInput), {
    key: key.privateKey,
    padding: constants.RSA_PKCS1_PSS_PADDING,
    saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
  });
  return `${signingInput}.${signature.toString("base64url")}`;
}
