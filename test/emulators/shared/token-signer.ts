/**
 * Mints registry tokens the real distribution registry (2.8) accepts with
 * `auth: token:` (registry/auth/token/token.go): a compact JWT, ES256, whose
 * header carries the signing certificate in `x5c` (base64 DER); the registry
 * verifies that certificate against its `rootcertbundle` (our self-signed
 * certificate is its own root), then the signature, `iss` (== issuer),
 * `aud` (== service) and `exp`/`nbf` (60 s leeway), and grants what `access` lists.
 *
 * The key pair and certificate come from the `openssl` CLI (Node's crypto
 * cannot make certificates) and live in memory only.
 */
import { execFileSync } from "node:child_process";
import { createPrivateKey, randomUUID, sign, X509Certificate, type KeyObject } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Access } from "./scopes";

export interface SignOptions {
  /** `sub`: the account ("" for anonymous). */
  subject: string;
  access: Access[];
  /** Default 300. */
  expiresInSeconds?: number;
  /** Overrides, for tests of tokens the registry must refuse. */
  audience?: string;
  issuer?: string;
}

export interface TokenSigner {
  readonly issuer: string;
  readonly service: string;
  /** The certificate to hand the registry as its root bundle. */
  readonly certificatePem: string;
  sign(options: SignOptions): string;
}

export interface TokenSignerOptions {
  /** The registry's `service`: every token's `aud`. */
  service: string;
  /** Default "drydock-emulator-token-issuer". */
  issuer?: string;
}

function keyAndCertificate(): { key: KeyObject; certificatePem: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "drydock-token-signer-"));
  try {
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "key.pem", "-out", "cert.pem", "-days", "2", "-subj", "/CN=drydock emulator token issuer"],
      { cwd: dir, stdio: "pipe" },
    );
    return { key: createPrivateKey(readFileSync(path.join(dir, "key.pem"))), certificatePem: readFileSync(path.join(dir, "cert.pem"), "utf8") };
  } catch (error) {
    throw new Error(`openssl could not make the token signing certificate (apt-get install openssl): ${String(error)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

export function createTokenSigner(options: TokenSignerOptions): TokenSigner {
  const issuer = options.issuer ?? "drydock-emulator-token-issuer";
  const { key, certificatePem } = keyAndCertificate();
  const x5c = [new X509Certificate(certificatePem).raw.toString("base64")];
  return {
    issuer,
    service: options.service,
    certificatePem,
    sign({ subject, access, expiresInSeconds = 300, audience = options.service, issuer: iss = issuer }) {
      const now = Math.floor(Date.now() / 1000);
      const claims = { iss, sub: subject, aud: audience, exp: now + expiresInSeconds, nbf: now - 1, iat: now, jti: randomUUID(), access };
      const signed = `${base64url({ typ: "JWT", alg: "ES256", x5c })}.${base64url(claims)}`;
      const signature = sign("sha256", Buffer.from(signed), { key, dsaEncoding: "ieee-p1363" }); // JWS wants r||s, not DER
      return `${signed}.${signature.toString("base64url")}`;
    },
  };
}

export interface TokenClaims {
  iss: string;
  sub: string;
  aud: string;
  exp: number;
  nbf: number;
  iat: number;
  jti: string;
  access: Access[];
}

/** A token's header and claims, unverified (for assertions). */
export function decodeToken(token: string): { header: Record<string, unknown>; claims: TokenClaims } {
  const [header, claims] = token.split(".").slice(0, 2).map((part) => JSON.parse(Buffer.from(part, "base64url").toString("utf8")));
  return { header, claims };
}
