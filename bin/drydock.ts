#!/usr/bin/env node
import "reflect-metadata";
import { fork } from "node:child_process";
import { parseArgs } from "node:util";
import { loadConfig } from "../lib/config";
import { DrydockError } from "../lib/errors";
import { createLogger } from "../lib/logger";
import { maskUrlsIn } from "../lib/mask";
import { openMysql, waitForSchema } from "../db/mysql";
import { Role } from "../db/enums";
import { startServer } from "../server/main";
import { issueToken } from "../server/modules/token/token.service";
import { startWorker } from "../workers/main";

const USAGE = `usage: drydock <command>
  start                          API server and one worker process
  server                         API server only
  worker                         worker process only (run as many as you like)
  token --role ROLE --name NAME  create an API token (ROLE: ADMIN, OPERATOR, VIEWER)`;

const announce = (line: string) => process.stdout.write(line + "\n");

/** A stop that takes longer than this is abandoned: the process exits anyway. */
const STOP_DEADLINE_MS = 15_000;

function onSignal(stop: () => Promise<void>): void {
  let stopping = false;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      setTimeout(() => {
        process.stderr.write(`drydock: did not stop within ${STOP_DEADLINE_MS / 1000}s; exiting\n`);
        process.exit(1);
      }, STOP_DEADLINE_MS).unref();
      stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
}

async function createToken(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { role: { type: "string" }, name: { type: "string" } } });
  const role = String(values.role ?? "").toUpperCase() as Role;
  if (!Object.values(Role).includes(role) || !values.name) {
    throw new DrydockError("BAD_USER_INPUT", "token needs --role ADMIN|OPERATOR|VIEWER and --name NAME");
  }
  const config = loadConfig();
  const db = await openMysql(config.mysqlUrl, 2);
  try {
    await waitForSchema(db);
    const { token, record } = await issueToken(db.manager, values.name, role);
    announce(`Created ${record.role} token "${record.name}" (id ${record.id}). Shown only this once:`);
    announce(token);
  } finally {
    await db.destroy();
  }
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === "token") return createToken(rest);
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  if (command === "server") {
    const server = await startServer(config, logger, announce);
    onSignal(server.stop);
  } else if (command === "worker") {
    const worker = await startWorker(config, logger);
    onSignal(worker.stop);
  } else if (command === "start") {
    const server = await startServer(config, logger, announce);
    const child = fork(__filename, ["worker"], { stdio: "inherit" });
    child.on("exit", (code, signal) => {
      logger.error({ code, signal }, "worker process ended; stopping");
      process.exit(1);
    });
    onSignal(async () => {
      child.removeAllListeners("exit");
      child.kill("SIGTERM");
      await server.stop();
    });
  } else {
    process.stderr.write(USAGE + "\n");
    process.exit(2);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const message = error instanceof DrydockError ? error.message : maskUrlsIn(String((error as Error)?.stack ?? error));
  process.stderr.write(`drydock: ${message}\n`);
  process.exit(1);
});
