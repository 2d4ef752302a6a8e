import { type ChildProcess, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DrydockError, StartupError } from "./errors";
import { keyIdOf, loadSecretBox, SecretBox } from "./secret-box";
import { capturingLogger } from "../test/helpers/logs";

const newKey = () => randomBytes(32);
const idOf = (key: Buffer) => createHash("sha256").update(key).digest("hex").slice(0, 12);

const capture = () => capturingLogger();

const quiet = () => capture().logger;
const withKeys = (...keys: Buffer[]) =>
  loadSecretBox({ secretKey: keys.map((k) => k.toString("base64")).join(","), production: false, dataDir: "/nonexistent" }, quiet());

/** Flips one bit of one base64url part of a sealed secret. */
function tamper(sealed: string, part: number): string {
  const parts = sealed.split(".");
  const bytes = Buffer.from(parts[part], "base64url");
  bytes[bytes.length - 1] ^= 0x01;
  parts[part] = bytes.toString("base64url");
  return parts.join(".");
}

const dirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "drydock-secret-box-"));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe("sealing", () => {
  const key = newKey();
  const box = withKeys(key);

  test.each([
    ["a password", "hunter2"],
    ["an empty string", ""],
    ["unicode", "пароль ✓ 🔑 ключ"],
    ["a JSON key with newlines", JSON.stringify({ private_key: "-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n" })],
    ["16 KiB", "s".repeat(16384)],
  ])("round trip: %s", (_label, plaintext) => {
    const sealed = box.seal(plaintext);
    expect(box.open(sealed)).toBe(plaintext);
    if (plaintext.length >= 4) expect(sealed).not.toContain(plaintext);
  });

  test("the format is v1.<key id>.<iv>.<tag>.<ciphertext>, the key id being sha256(key)[0:12]", () => {
    const sealed = box.seal("hunter2");
    const [format, keyId, iv, tag, body, ...rest] = sealed.split(".");
    expect(rest).toEqual([]);
    expect(format).toBe("v1");
    expect(keyId).toBe(idOf(key));
    expect(keyIdOf(key)).toBe(idOf(key));
    expect(box.currentKeyId).toBe(idOf(key));
    expect(Buffer.from(iv, "base64url")).toHaveLength(12);
    expect(Buffer.from(tag, "base64url")).toHaveLength(16);
    expect(Buffer.from(body, "base64url")).toHaveLength(Buffer.byteLength("hunter2"));
  });

  test("sealing the same plaintext twice gives different ciphertexts (fresh IV)", () => {
    const sealed = Array.from({ length: 50 }, () => box.seal("same secret"));
    expect(new Set(sealed).size).toBe(50);
    expect(new Set(sealed.map((s) => s.split(".")[2])).size).toBe(50);
    for (const s of sealed) expect(box.open(s)).toBe("same secret");
  });

  test.each([
    ["the IV", 2],
    ["the authentication tag", 3],
    ["the ciphertext", 4],
  ])("a change to %s is detected", (_label, part) => {
    const sealed = box.seal("do not alter me");
    expect(() => box.open(tamper(sealed, part))).toThrow();
  });

  test("a truncated or re-labelled ciphertext is refused", () => {
    const sealed = box.seal("do not alter me");
    const parts = sealed.split(".");
    expect(() => box.open(parts.slice(0, 4).join("."))).toThrow(DrydockError);
    expect(() => box.open(["v2", ...parts.slice(1)].join("."))).toThrow(DrydockError);
    expect(() => box.open("hunter2")).toThrow(DrydockError);
    const shorter = Buffer.from(parts[4], "base64url").subarray(1).toString("base64url");
    expect(() => box.open([...parts.slice(0, 4), shorter].join("."))).toThrow();
  });

  test("a ciphertext of one key does not open under another key given the same id", () => {
    const other = new SecretBox([{ id: idOf(key), key: newKey() }]);
    expect(() => other.open(box.seal("secret"))).toThrow();
  });
});

describe("keys and rotation", () => {
  test("DRYDOCK_SECRET_KEY=new,old opens old ciphertexts and seals with the new key", () => {
    const oldKey = newKey();
    const nextKey = newKey();
    const before = withKeys(oldKey);
    const sealedOld = before.seal("sealed with the old key");

    const rotated = loadSecretBox(
      { secretKey: ` ${nextKey.toString("base64")} , ${oldKey.toString("base64")} `, production: false, dataDir: "/nonexistent" },
      quiet(),
    );
    expect(rotated.currentKeyId).toBe(idOf(nextKey));
    expect(rotated.open(sealedOld)).toBe("sealed with the old key");
    const sealedNew = rotated.seal("sealed with the new key");
    expect(sealedNew.startsWith(`v1.${idOf(nextKey)}.`)).toBe(true);
    expect(rotated.open(sealedNew)).toBe("sealed with the new key");
    expect(withKeys(nextKey).open(sealedNew)).toBe("sealed with the new key");
  });

  test("a ciphertext of a key that is not configured → DrydockError SECRET_KEY naming the key id", () => {
    const gone = newKey();
    const sealed = withKeys(gone).seal("orphan");
    const box = withKeys(newKey());
    let error: unknown;
    try {
      box.open(sealed);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DrydockError);
    expect((error as DrydockError).code).toBe("SECRET_KEY");
    expect((error as DrydockError).message).toContain(idOf(gone));
    expect((error as DrydockError).message).not.toContain(gone.toString("base64"));
  });

  test("a box needs at least one key", () => {
    expect(() => new SecretBox([])).toThrow(DrydockError);
  });

  test.each([
    ["16 bytes", randomBytes(16).toString("base64")],
    ["33 bytes", randomBytes(33).toString("base64")],
    ["not base64", "this is not a key at all"],
    ["a second key that is too short", `${newKey().toString("base64")},${randomBytes(31).toString("base64")}`],
  ])("a key of the wrong length (%s) → StartupError without the key in the message", (_label, secretKey) => {
    let error: unknown;
    try {
      loadSecretBox({ secretKey, production: true, dataDir: "/nonexistent" }, quiet());
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StartupError);
    for (const part of secretKey.split(",")) expect((error as Error).message).not.toContain(part.trim());
  });
});

describe("without DRYDOCK_SECRET_KEY", () => {
  test("production refuses to start, even when a generated key file exists", () => {
    const dataDir = tempDir();
    expect(() => loadSecretBox({ secretKey: undefined, production: true, dataDir }, quiet())).toThrow(StartupError);
    expect(fs.existsSync(path.join(dataDir, "secret.key"))).toBe(false);

    loadSecretBox({ secretKey: undefined, production: false, dataDir }, quiet());
    expect(fs.existsSync(path.join(dataDir, "secret.key"))).toBe(true);
    expect(() => loadSecretBox({ secretKey: undefined, production: true, dataDir }, quiet())).toThrow(StartupError);
  });

  test("outside production a key file is created once (0600, warned about) and reused", () => {
    const dataDir = path.join(tempDir(), "nested", "data");
    const file = path.join(dataDir, "secret.key");
    const first = capture();
    const box = loadSecretBox({ secretKey: undefined, production: false, dataDir }, first.logger);

    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const content = fs.readFileSync(file, "utf8");
    const key = Buffer.from(content.trim(), "base64");
    expect(key).toHaveLength(32);
    expect(box.currentKeyId).toBe(idOf(key));

    const warnings = first.lines.map((l) => JSON.parse(l)).filter((l) => l.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0].msg).toMatch(/DRYDOCK_SECRET_KEY/);
    expect(first.lines.join("")).not.toContain(content.trim());

    const sealed = box.seal("kept across restarts");
    const mtime = fs.statSync(file).mtimeMs;
    const second = capture();
    const again = loadSecretBox({ secretKey: undefined, production: false, dataDir }, second.logger);
    expect(again.currentKeyId).toBe(box.currentKeyId);
    expect(again.open(sealed)).toBe("kept across restarts");
    expect(fs.readFileSync(file, "utf8")).toBe(content);
    expect(fs.statSync(file).mtimeMs).toBe(mtime);
    expect(second.lines.join("")).not.toContain(content.trim());
  });

  test("a key file another process has just created but not yet written: its key is used", async () => {
    const dataDir = tempDir();
    const file = path.join(dataDir, "secret.key");
    const theirs = newKey();
    // The other process has opened the file exclusively and writes its key a moment later.
    fs.writeFileSync(file, "", { flag: "wx", mode: 0o600 });
    const writer = spawn(process.execPath, [
      "-e",
      `setTimeout(() => require("fs").writeFileSync(${JSON.stringify(file)}, ${JSON.stringify(theirs.toString("base64") + "\n")}), 150)`,
    ]);
    const exited = new Promise((resolve) => writer.on("exit", resolve));
    try {
      const box = loadSecretBox({ secretKey: undefined, production: false, dataDir }, quiet());
      expect(box.currentKeyId).toBe(idOf(theirs));
    } finally {
      await exited;
    }
  });

  test("processes creating the key file at once all agree on one key", async () => {
    const dataDir = tempDir();
    const tsNode = require.resolve("ts-node");
    const project = path.resolve(__dirname, "..", "tsconfig.json");
    const moduleFile = path.resolve(__dirname, "secret-box.ts");
    const child = `
      require(${JSON.stringify(tsNode)}).register({ transpileOnly: true, swc: true, project: ${JSON.stringify(project)} });
      const { loadSecretBox } = require(${JSON.stringify(moduleFile)});
      const logger = { warn() {}, info() {}, debug() {}, error() {} };
      process.stdout.write("ready\\n");
      process.stdin.once("data", () => {
        try {
          process.stdout.write("key " + loadSecretBox({ secretKey: undefined, production: false, dataDir: process.argv[1] }, logger).currentKeyId + "\\n");
        } catch (error) {
          process.stdout.write("error " + error.message + "\\n");
        }
        process.exit(0);
      });`;
    const children: ChildProcess[] = [];
    const results: Promise<string>[] = [];
    const ready: Promise<void>[] = [];
    for (let i = 0; i < 6; i++) {
      const proc = spawn(process.execPath, ["-e", child, dataDir], { stdio: ["pipe", "pipe", "inherit"] });
      children.push(proc);
      let out = "";
      ready.push(
        new Promise((resolve) =>
          proc.stdout!.on("data", (chunk) => {
            out += chunk;
            if (out.includes("ready\n")) resolve();
          }),
        ),
      );
      results.push(new Promise((resolve) => proc.on("exit", () => resolve(out.replace("ready\n", "").trim()))));
    }
    await Promise.all(ready);
    for (const proc of children) proc.stdin!.write("go\n");
    const answers = await Promise.all(results);

    const onDisk = Buffer.from(fs.readFileSync(path.join(dataDir, "secret.key"), "utf8").trim(), "base64");
    expect(answers).toEqual(answers.map(() => `key ${idOf(onDisk)}`));
  }, 30_000);
});
