import { run } from "graphile-worker";
import type { Config } from "../lib/config";
import type { Logger } from "../lib/logger";
import { openMysql, waitForSchema } from "../db/mysql";
import { graphileLogger, preparePostgres } from "../db/postgres";
import { loadSecretBox } from "../lib/secret-box";
import { createAdapter } from "./registry/registry";
import { createTaskList, CRONTAB } from "./tasks";

export interface RunningWorker {
  stop(): Promise<void>;
}

/** A graphile-worker runner: takes jobs from PostgreSQL once the MySQL schema is current. */
export async function startWorker(config: Config, logger: Logger): Promise<RunningWorker> {
  const db = await openMysql(config.mysqlUrl, config.workerConcurrency + 2);
  try {
    await waitForSchema(db);
    const secrets = loadSecretBox(config, logger);
    const pg = await preparePostgres(config.databaseUrl, logger);
    const runner = await run({
      pgPool: pg,
      concurrency: config.workerConcurrency,
      taskList: createTaskList(db, (registry, resolver) => createAdapter(registry, secrets, resolver)),
      crontab: CRONTAB,
      noHandleSignals: true,
      logger: graphileLogger(logger),
    });
    logger.info({ concurrency: config.workerConcurrency }, "worker started");
    return {
      async stop() {
        await runner.stop();
        await pg.end();
        await db.destroy();
      },
    };
  } catch (error) {
    await db.destroy();
    throw error;
  }
}
