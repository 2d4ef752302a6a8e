/**
 * A real CNCF distribution registry (Debian's `docker-registry` package, 2.8)
 * on a free loopback port, with its own storage in a temp dir. No Docker.
 *
 *   const registry = await startRegistry({ auth: { username: "ci", password: "s3cret" } });
 *   // or token auth (JWTs from a token service, see test/emulators/shared/):
 *   const registry = await startRegistry({ token: { realm, service, issuer, rootCertBundlePem } });
 *   ... registry.url === "http://127.0.0.1:<port>" ...
 *   await registry.stop();
 *
 * Cleanup is layered so that no registry outlives the test process:
 *  - stop() ends it and removes its temp dir;
 *  - the registry runs under a tiny sh watchdog whose stdin is a pipe from this
 *    process: when this process dies in any way (even SIGKILL, or a jest worker
 *    being force-exited) the pipe closes and the watchdog ends the registry;
 *  - a process "exit" hook kills what is left (outside jest: jest hands test
 *    code a copy of `process` whose "exit" never fires, so there the pipe does it).
 * The child is unref'd: a forgotten stop() does not keep jest from exiting.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { randomBytes } from "node:crypto";
import os from "node:os";
import path from "node:path";
import bcrypt from "bcryptjs";
import { request } from "undici";

export interface RegistryAuth {
  username: string;
  password: string;
}

/** The registry's `auth: token:` config: it sends clients to `realm` and trusts JWTs signed by a certificate in the bundle. */
export interface RegistryTokenAuth {
  /** The token service URL the registry's Bearer challenge names. */
  realm: string;
  /** The `service` of the challenge; tokens must carry it as `aud`. */
  service: string;
  /** Tokens must carry it as `iss`. */
  issuer: string;
  /** PEM certificate(s) whose keys sign the tokens. */
  rootCertBundlePem: string;
}

export interface RegistryOptions {
  /** Turn on htpasswd Basic auth with this one user. */
  auth?: RegistryAuth;
  /** Turn on token (Bearer) auth instead. */
  token?: RegistryTokenAuth;
  /** The registry binary; default `$DRYDOCK_REGISTRY_BIN` or `/usr/bin/docker-registry`. */
  binary?: string;
  /** How long to wait for `GET /v2/` to answer; default 15 s. */
  startTimeoutMs?: number;
}

export interface RunningRegistry {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `127.0.0.1:<port>` (what an image reference starts with). */
  host: string;
  /** The credentials it requires, when started with `auth`. */
  auth?: RegistryAuth;
  /** Its temp dir (config.yml, htpasswd, registry.log, data/). */
  dir: string;
  /** What the registry logged so far (level warn and above). */
  log(): string;
  stop(): Promise<void>;
}

const DEFAULT_BINARY = "/usr/bin/docker-registry";

/**
 * Runs `$1 serve $2` and ends it when stdin reaches EOF (parent gone, or stop()).
 * stdin of an async list is /dev/null in a non-interactive sh, hence fd 3.
 */
const WATCHDOG = [
  'exec 3<&0',
  '"$1" serve "$2" </dev/null &',
  "pid=$!",
  '( while read -r _ <&3; do :; done; kill -TERM "$pid" 2>/dev/null ) &',
  "exec 3<&-",
  'wait "$pid"',
].join("\n");

interface Live {
  child: ChildProcess;
  dir: string;
}
const live = new Set<Live>();

function killGroup(entry: Live, signal: NodeJS.Signals): void {
  if (entry.child.pid === undefined) return;
  try {
    process.kill(-entry.child.pid, signal); // the watchdog leads its own process group
  } catch {
    // already gone
  }
}

function onProcessExit(): void {
  for (const entry of live) {
    killGroup(entry, "SIGKILL");
    rmSync(entry.dir, { recursive: true, force: true });
  }
  live.clear();
}

function track(entry: Live): void {
  if (live.size === 0) process.on("exit", onProcessExit);
  live.add(entry);
}

function untrack(entry: Live): void {
  live.delete(entry);
  if (live.size === 0) process.removeListener("exit", onProcessExit);
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error("no port assigned"))));
    });
  });
}

/** An htpasswd line the registry accepts (bcrypt; cost 4 keeps every authenticated request cheap). */
export function htpasswdLine(username: string, password: string): string {
  if (username.includes(":") || /\s/.test(username)) throw new Error(`invalid htpasswd user name: ${username}`);
  return `${username}:${bcrypt.hashSync(password, 4)}`;
}

function registryConfig(dir: string, port: number, auth: RegistryAuth | undefined, token: RegistryTokenAuth | undefined): string {
  const config: Record<string, unknown> = {
    version: "0.1",
    log: { level: "warn", formatter: "text", accesslog: { disabled: true } },
    storage: {
      filesystem: { rootdirectory: path.join(dir, "data") },
      delete: { enabled: true },
      cache: { blobdescriptor: "inmemory" },
      maintenance: { uploadpurging: { enabled: false } },
    },
    http: {
      addr: `127.0.0.1:${port}`,
      secret: randomBytes(16).toString("hex"), // else it warns about generating one
      headers: { "X-Content-Type-Options": ["nosniff"] },
    },
    health: { storagedriver: { enabled: false } },
  };
  if (auth) {
    const file = path.join(dir, "htpasswd");
    writeFileSync(file, htpasswdLine(auth.username, auth.password) + "\n", { mode: 0o600 });
    config.auth = { htpasswd: { realm: "drydock-test-registry", path: file } };
  }
  if (token) {
    const rootcertbundle = path.join(dir, "token-roots.pem");
    writeFileSync(rootcertbundle, token.rootCertBundlePem);
    config.auth = { token: { realm: token.realm, service: token.service, issuer: token.issuer, rootcertbundle } };
  }
  return JSON.stringify(config, null, 2) + "\n"; // JSON is YAML
}

function resolveBinary(binary: string | undefined): string {
  const candidate = binary ?? process.env.DRYDOCK_REGISTRY_BIN ?? DEFAULT_BINARY;
  try {
    accessSync(candidate, constants.X_OK);
  } catch {
    throw new Error(
      `registry binary ${candidate} is missing: install Debian's docker-registry package ` +
        "(apt-get install docker-registry) or set DRYDOCK_REGISTRY_BIN",
    );
  }
  return candidate;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function v2Status(url: string): Promise<number | undefined> {
  try {
    const answer = await request(`${url}/v2/`, { method: "GET", headersTimeout: 1000, bodyTimeout: 1000 });
    await answer.body.dump();
    return answer.statusCode;
  } catch {
    return undefined; // not listening yet
  }
}

async function startOnce(binary: string, options: RegistryOptions): Promise<RunningRegistry> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "drydock-registry-"));
  const logFile = path.join(dir, "registry.log");
  const configFile = path.join(dir, "config.yml");
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  writeFileSync(configFile, registryConfig(dir, port, options.auth, options.token));

  const logFd = openSync(logFile, "a");
  let child: ChildProcess;
  try {
    child = spawn("/bin/sh", ["-c", WATCHDOG, "registry-watchdog", binary, configFile], {
      stdio: ["pipe", logFd, logFd],
      detached: true, // own process group: stop() can end the watchdog and the registry together
    });
  } finally {
    closeSync(logFd);
  }
  const entry: Live = { child, dir };
  track(entry);
  child.unref();
  const stdin = child.stdin as (NodeJS.WritableStream & { unref?: () => void; destroy?: () => void }) | null;
  stdin?.unref?.();
  child.stdin?.on("error", () => undefined); // EPIPE once the watchdog is gone

  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", (code, signal) => {
      exitCode = code ?? (signal ? -1 : null);
      resolve();
    });
    child.once("error", () => {
      exitCode = -1;
      resolve();
    });
  });

  const log = () => {
    try {
      return readFileSync(logFile, "utf8");
    } catch {
      return "";
    }
  };

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      child.stdin?.end(); // EOF: the watchdog sends the registry SIGTERM
      const timer = setTimeout(() => killGroup(entry, "SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
      killGroup(entry, "SIGKILL"); // sweep the watchdog's reader, if still there
      untrack(entry);
      rmSync(dir, { recursive: true, force: true });
    })();
    return stopped;
  };

  const expected = options.auth || options.token ? 401 : 200;
  const deadline = Date.now() + (options.startTimeoutMs ?? 15000);
  for (;;) {
    if (exitCode !== undefined) {
      const output = log();
      await stop();
      throw Object.assign(new Error(`registry exited (code ${exitCode}) before answering:\n${output}`), {
        portTaken: /address already in use/i.test(output),
      });
    }
    const status = await v2Status(url);
    if (status === expected) break;
    if (status !== undefined) {
      const output = log();
      await stop();
      throw new Error(`GET ${url}/v2/ answered ${status}, expected ${expected}:\n${output}`);
    }
    if (Date.now() > deadline) {
      const output = log();
      await stop();
      throw new Error(`registry did not answer on ${url} in time:\n${output}`);
    }
    await sleep(50);
  }

  return {
    url,
    host: `127.0.0.1:${port}`,
    ...(options.auth ? { auth: { ...options.auth } } : {}),
    dir,
    log,
    stop,
  };
}

/** Starts a registry and resolves once `GET /v2/` answers (401 with auth or token, 200 without). */
export async function startRegistry(options: RegistryOptions = {}): Promise<RunningRegistry> {
  if (options.auth && options.token) throw new Error("startRegistry: choose htpasswd auth or token auth, not both");
  const binary = resolveBinary(options.binary);
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(binary, options);
    } catch (error) {
      // The free port can be taken between probing and binding: try another.
      if (attempt < 3 && (error as { portTaken?: boolean }).portTaken) continue;
      throw error;
    }
  }
}
