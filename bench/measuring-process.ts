/**
 * A benchmark's measuring process: a child running plain JavaScript, as a
 * worker does in production (ts-node alone would add ~90 MB of compiler to
 * its RSS), so that what it measures — time, requests, peak RSS — is the
 * measured code's and not the bench setup's (pushing, the API server, floors).
 */
import { fork } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

export type Cleanup = (() => Promise<unknown>)[];

type FromChild = { ok: true; value: unknown } | { ok: false; error: string };

const ROOT = path.resolve(__dirname, "..");

/**
 * The bench and the code it measures, transpiled with swc (as jest does)
 * under node_modules/.cache, so that packages resolve as usual; removed by
 * `cleanup`. Answers the transpiled path of `entry` (relative to the root).
 */
async function transpileForChild(cleanup: Cleanup, entry: string): Promise<string> {
  const { transformFileSync } = await import("@swc/core");
  const cache = path.join(ROOT, "node_modules", ".cache");
  const madeCache = !existsSync(cache);
  mkdirSync(cache, { recursive: true });
  const out = mkdtempSync(path.join(cache, "drydock-bench-"));
  cleanup.push(async () => {
    rmSync(out, { recursive: true, force: true });
    if (madeCache && readdirSync(cache).length === 0) rmdirSync(cache);
  });
  for (const top of ["bench", "db", "lib", "server", "workers"]) {
    for (const file of readdirSync(path.join(ROOT, top), { recursive: true, withFileTypes: true })) {
      if (!file.isFile() || !file.name.endsWith(".ts") || file.name.endsWith(".test.ts")) continue;
      const source = path.join(file.parentPath, file.name);
      const { code } = transformFileSync(source, {
        swcrc: false,
        jsc: {
          parser: { syntax: "typescript", decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
          target: "es2022",
        },
        module: { type: "commonjs" },
      });
      const target = path.join(out, path.relative(ROOT, source)).replace(/\.ts$/, ".js");
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, code);
    }
  }
  return path.join(out, entry.replace(/\.ts$/, ".js"));
}

export interface MeasuringProcess<ToChild> {
  /** Sends one message and waits for its answer. */
  ask<T>(message: ToChild): Promise<T>;
  /** Waits (at most 30 s) for it to end by itself after its last message. */
  exited(): Promise<void>;
}

/**
 * Forks the transpiled `entry` with `--measure`, with `env` added to this
 * process's environment; it is killed with the rest of `cleanup` if anything fails.
 */
export async function startMeasuringProcess<ToChild>(cleanup: Cleanup, entry: string, env: Record<string, string> = {}): Promise<MeasuringProcess<ToChild>> {
  const script = await transpileForChild(cleanup, entry);
  const child = fork(script, ["--measure"], {
    env: { ...process.env, ...env },
    execArgv: (process.env.BENCH_CHILD_NODE_OPTIONS ?? "").split(/\s+/).filter(Boolean),
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  cleanup.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited;
  });
  return {
    ask<T>(message: ToChild): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const onExit = (code: number | null, signal: string | null) => reject(new Error(`measuring process ended (${code ?? signal}) without an answer`));
        child.once("exit", onExit);
        child.once("message", (answer: FromChild) => {
          child.off("exit", onExit);
          if (answer.ok) resolve(answer.value as T);
          else reject(new Error(`measuring process: ${answer.error}`));
        });
        child.send(message as object);
      });
    },
    async exited(): Promise<void> {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 30_000)))]);
      clearTimeout(timer);
    },
  };
}

/** The child's side: answers each message with `handle`'s result; disconnects after the one `isLast` names. */
export function serveMessages<ToChild>(handle: (message: ToChild) => Promise<unknown>, isLast: (message: ToChild) => boolean): void {
  process.on("message", (message: ToChild) => {
    handle(message).then(
      (value) => process.send!({ ok: true, value }, () => isLast(message) && process.disconnect()),
      (error: unknown) => process.send!({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
    );
  });
}

/** A bench file's entry: with `--measure` it is the measuring child, otherwise the bench itself. */
export function benchMain(entry: NodeModule, run: () => Promise<unknown>, serveMeasurements: () => void): void {
  if (require.main !== entry) return;
  if (process.argv.includes("--measure")) {
    serveMeasurements();
  } else {
    run().catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
  }
}
