import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Config } from "./config";
import { DrydockError, StartupError } from "./errors";
import type { Logger } from "./logger";

const FORMAT = "v1";
const KEY_BYTES = 32;
const IV_BYTES = 12;

interface SecretKey {
  id: string;
  key: Buffer;
}

/**
 * AES-256-GCM encryption of registry secrets. Each ciphertext names the id of
 * the key that sealed it, so a new key can be put first while rows sealed with
 * an older one still decrypt (and are re-sealed when next written).
 */
export class SecretBox {
  private readonly keys: Map<string, Buffer>;
  private readonly current: SecretKey;

  constructor(keys: SecretKey[]) {
    if (keys.length === 0) throw new DrydockError("SECRET_KEY", "at least one secret key is needed");
    this.current = keys[0];
    this.keys = new Map(keys.map((k) => [k.id, k.key]));
  }

  get currentKeyId(): string {
    return this.current.id;
  }

  seal(plaintext: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.current.key, iv);
    const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    const parts = [iv, cipher.getAuthTag(), body].map((b) => b.toString("base64url"));
    return [FORMAT, this.current.id, ...parts].join(".");
  }

  open(sealed: string): string {
    const [format, keyId, iv, tag, body] = sealed.split(".");
    if (format !== FORMAT || body === undefined) {
      throw new DrydockError("SECRET_KEY", "stored secret is not in a format this version reads");
    }
    const key = this.keys.get(keyId);
    if (!key) {
      throw new DrydockError("SECRET_KEY", `stored secret was sealed with key ${keyId}, which DRYDOCK_SECRET_KEY does not hold`);
    }
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
  }
}

export function keyIdOf(key: Buffer): string {
  return createHash("sha256").update(key).digest("hex").slice(0, 12);
}

function parseKey(encoded: string, position: number): SecretKey {
  const key = Buffer.from(encoded.trim(), "base64");
  if (key.length !== KEY_BYTES) {
    throw new StartupError(
      `DRYDOCK_SECRET_KEY key ${position + 1} must be base64 of exactly ${KEY_BYTES} bytes (it decodes to ${key.length}); make one with: openssl rand -base64 32`,
    );
  }
  return { id: keyIdOf(key), key };
}

/** How long a process waits for a key file that another process has created but not yet written. */
const KEY_FILE_WAIT_MS = 5000;

/** Reads or creates the key file; `wx` makes concurrent first starts agree on one key. */
function keyFromFile(file: string, logger: Logger): SecretKey {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  try {
    fs.writeFileSync(file, randomBytes(KEY_BYTES).toString("base64") + "\n", { flag: "wx", mode: 0o600 });
    logger.warn({ file }, "DRYDOCK_SECRET_KEY is not set: generated a secret key file; set DRYDOCK_SECRET_KEY in production");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    logger.warn({ file }, "DRYDOCK_SECRET_KEY is not set: using the generated secret key file");
  }
  // `wx` creates the file empty and then writes it: a process that lost the race
  // may get here in between, so an incomplete key is read again for a while.
  const deadline = Date.now() + KEY_FILE_WAIT_MS;
  for (;;) {
    try {
      return parseKey(fs.readFileSync(file, "utf8"), 0);
    } catch (error) {
      if (!(error instanceof StartupError) || Date.now() >= deadline) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
}

export function loadSecretBox(config: Pick<Config, "secretKey" | "production" | "dataDir">, logger: Logger): SecretBox {
  if (config.secretKey) {
    return new SecretBox(config.secretKey.split(",").map(parseKey));
  }
  if (config.production) {
    throw new StartupError(
      "NODE_ENV=production needs DRYDOCK_SECRET_KEY (base64 of 32 bytes, e.g. from: openssl rand -base64 32)",
    );
  }
  return new SecretBox([keyFromFile(path.join(config.dataDir, "secret.key"), logger)]);
}
