/**
 * A private MariaDB and a private PostgreSQL for tests that stop and start
 * their database (test/integration/restarts.test.ts): each runs from Debian's
 * binaries on a free loopback port with a temporary data directory, never
 * touching the machine's shared services (3306/5432) that other test files use.
 *
 *   const mariadb = await startPrivateMariaDb();   // mysql://root@127.0.0.1:<port>/drydock
 *   const postgres = await startPrivatePostgres(); // postgres://postgres@127.0.0.1:<port>/drydock
 *   await mariadb.stop();  await mariadb.start();  // same port, same data
 *   await mariadb.destroy();                       // stopped, data directory removed
 *
 * PostgreSQL refuses to run as root: when this process is root, initdb and
 * postgres run as the `postgres` OS user (uid/gid set by spawn) in a data
 * directory owned by that user. MariaDB runs as the current user (`--user=root`
 * when root). Each server runs under a small sh watchdog reading a pipe from
 * this process: if the test process dies in any way, the pipe closes and the
 * watchdog stops the server, so no private database outlives its test.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { chownSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import mysql from "mysql2/promise";
import { Client } from "pg";
import { freePort } from "../registry/registry-server";

const MARIADBD = "/usr/sbin/mariadbd";
const MARIADB_INSTALL_DB = "/usr/bin/mariadb-install-db";
/** Debian's newest installed PostgreSQL (15 on Debian 12). */
const PG_BIN = (() => {
  const root = "/usr/lib/postgresql";
  const newest = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a))[0] : undefined;
  return path.join(root, newest ?? "15", "bin");
})();
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 30_000;

export interface PrivateDatabase {
  /** Connection URL of the `drydock` database (created by drydock on first start). */
  url: string;
  port: number;
  /** Starts the server on the same port and data directory; resolves when it answers queries. */
  start(): Promise<void>;
  /** Stops the server the way an operator does (MariaDB: SIGTERM; PostgreSQL: SIGINT, "fast" as pg_ctl stop) and waits for it to exit. */
  stop(): Promise<void>;
  /** Freezes the server (SIGSTOP): connections are accepted by the kernel but nothing answers, as with a hung host. */
  pause(): void;
  /** Thaws a paused server (SIGCONT). */
  resume(): void;
  /** Stops it if running and removes its data directory. */
  destroy(): Promise<void>;
}

/** Runs "$@" and sends it $STOP_SIGNAL when stdin reaches EOF (the test process is gone). */
const WATCHDOG = [
  "exec 3<&0",
  '"$@" </dev/null &',
  "pid=$!",
  '( while read -r _ <&3; do :; done; kill -"$STOP_SIGNAL" "$pid" 2>/dev/null ) &',
  "exec 3<&-",
  'wait "$pid"',
].join("\n");

interface OsUser {
  uid: number;
  gid: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The OS user servers run as: `postgres` for PostgreSQL when this process is root, else none (this process's user). */
function postgresUser(): OsUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
  return { uid: id("-u"), gid: id("-g") };
}

interface ServerSpec {
  dir: string;
  port: number;
  url: string;
  command: string;
  args: string[];
  user?: OsUser;
  stopSignal: NodeJS.Signals;
  /** Where the server writes its pid (first line). */
  pidFile: string;
  /** Resolves once the server answers a query, or throws. */
  answers(): Promise<void>;
}

/** start/stop/destroy of one server process under the watchdog. */
function managed(spec: ServerSpec): PrivateDatabase {
  const logFile = path.join(spec.dir, "server.log");
  let child: ChildProcess | undefined;
  let serverPid: number | undefined;
  let exited: Promise<void> = Promise.resolve();
  const log = () => {
    try {
      return readFileSync(logFile, "utf8");
    } catch {
      return "";
    }
  };

  async function start(): Promise<void> {
    if (child) throw new Error("already running");
    const logFd = openSync(logFile, "a");
    const ownChild = spawn("/bin/sh", ["-c", WATCHDOG, "db-watchdog", spec.command, ...spec.args], {
      stdio: ["pipe", logFd, logFd],
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", STOP_SIGNAL: spec.stopSignal.replace(/^SIG/, "") },
      detached: true,
      ...(spec.user ?? {}),
    });
    closeSync(logFd);
    child = ownChild;
    ownChild.unref();
    (ownChild.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    ownChild.stdin?.on("error", () => undefined);
    let ended = false;
    exited = new Promise((resolve) => ownChild.once("exit", () => resolve()));
    serverPid = undefined;
    void exited.then(() => (ended = true));
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      try {
        await spec.answers();
        return;
      } catch (error) {
        if (ended || Date.now() > deadline) {
          await stop();
          throw new Error(`${spec.command} did not answer on port ${spec.port} (${(error as Error).message}):\n${log().slice(-3000)}`);
        }
        await sleep(100);
      }
    }
  }

  /** The server's pid, from the pid file it writes once it runs. */
  function server(): number {
    if (!child) throw new Error("not running");
    serverPid ??= Number(readFileSync(spec.pidFile, "utf8").split("\n")[0]);
    if (!(serverPid > 0)) throw new Error(`no pid in ${spec.pidFile}`);
    return serverPid;
  }

  async function stop(): Promise<void> {
    const running = child;
    if (!running) return;
    const killer = setTimeout(() => killGroup(running, "SIGKILL"), STOP_TIMEOUT_MS);
    // Signal the server itself (thawed, if paused), then let the pipe's EOF end the watchdog's reader.
    try {
      process.kill(server(), "SIGCONT");
      process.kill(server(), spec.stopSignal);
    } catch {
      // it already ended
    }
    running.stdin?.end();
    await exited;
    clearTimeout(killer);
    killGroup(running, "SIGKILL"); // the reader, if still there
    child = undefined;
  }

  return {
    url: spec.url,
    port: spec.port,
    start,
    stop,
    pause: () => process.kill(server(), "SIGSTOP"),
    resume: () => process.kill(server(), "SIGCONT"),
    async destroy() {
      await stop().catch(() => undefined);
      rmSync(spec.dir, { recursive: true, force: true });
    },
  };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

function tempDir(prefix: string, owner?: OsUser): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  if (owner) chownSync(dir, owner.uid, owner.gid);
  return dir;
}

const run = promisify(execFile);

/** A fresh MariaDB (root without password over TCP) on a free port. */
export async function startPrivateMariaDb(): Promise<PrivateDatabase> {
  const dir = tempDir("drydock-mariadb-");
  const data = path.join(dir, "data");
  const asRoot = process.getuid?.() === 0 ? ["--user=root"] : [];
  const tuning = ["--innodb-buffer-pool-size=32M", "--innodb-log-file-size=16M", "--innodb-flush-log-at-trx-commit=2", "--skip-innodb-doublewrite"];
  await run(MARIADB_INSTALL_DB, [
    "--no-defaults",
    `--datadir=${data}`,
    "--auth-root-authentication-method=normal",
    "--skip-test-db",
    ...asRoot,
    ...tuning,
  ]);
  const port = await freePort();
  const pidFile = path.join(dir, "mariadb.pid");
  const database = managed({
    dir,
    port,
    url: `mysql://root@127.0.0.1:${port}/drydock`,
    command: MARIADBD,
    args: [
      "--no-defaults",
      `--datadir=${data}`,
      `--port=${port}`,
      `--socket=${path.join(dir, "mariadb.sock")}`,
      `--pid-file=${pidFile}`,
      "--bind-address=127.0.0.1",
      "--skip-name-resolve",
      ...asRoot,
      ...tuning,
    ],
    stopSignal: "SIGTERM",
    pidFile,
    async answers() {
      const connection = await mysql.createConnection({ host: "127.0.0.1", port, user: "root", connectTimeout: 1000 });
      try {
        await connection.query("SELECT 1");
      } finally {
        connection.destroy();
      }
    },
  });
  await database.start();
  return database;
}

/** A fresh PostgreSQL (postgres trusted on loopback) on a free port. */
export async function startPrivatePostgres(): Promise<PrivateDatabase> {
  const user = postgresUser();
  const dir = tempDir("drydock-postgres-", user);
  const data = path.join(dir, "data");
  mkdirSync(data, { mode: 0o700 });
  if (user) chownSync(data, user.uid, user.gid);
  await run(`${PG_BIN}/initdb`, ["-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"], {
    ...(user ?? {}),
    cwd: dir,
  });
  const port = await freePort();
  const database = managed({
    dir,
    port,
    url: `postgres://postgres@127.0.0.1:${port}/drydock`,
    command: `${PG_BIN}/postgres`,
    args: ["-D", data, "-p", String(port), "-k", dir, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=100"],
    user,
    stopSignal: "SIGINT",
    pidFile: path.join(data, "postmaster.pid"),
    async answers() {
      const client = new Client({ host: "127.0.0.1", port, user: "postgres", database: "postgres", connectionTimeoutMillis: 1000 });
      client.on("error", () => undefined);
      try {
        await client.connect();
        await client.query("SELECT 1");
      } finally {
        await client.end().catch(() => undefined);
      }
    },
  });
  await database.start();
  return database;
}
