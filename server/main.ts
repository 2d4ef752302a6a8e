import type { AddressInfo } from "node:net";
import { makeWorkerUtils } from "graphile-worker";
import type { Config } from "../lib/config";
import type { Logger } from "../lib/logger";
import { loadSecretBox } from "../lib/secret-box";
import { migrateMysql, openMysql } from "../db/mysql";
import { graphileLogger, preparePostgres } from "../db/postgres";
import { trustKnownServices } from "../workers/registry/known-services";
import { createApp } from "./app";
import { issueFirstAdminToken } from "./bootstrap";
import { GraphileJobQueue } from "./jobs";
import { LiveUpdates } from "./live/live-updates";

export interface RunningServer {
  url: string;
  stop(): Promise<void>;
}

/** Console lines meant for the operator who started the process (not the JSON log). */
export type Announce = (line: string) => void;

/**
 * Creates missing databases, migrates under a lock, issues the first ADMIN
 * token on the very first start, and serves HTTP.
 */
export async function startServer(config: Config, logger: Logger, announce: Announce): Promise<RunningServer> {
  trustKnownServices(config);
  const secrets = loadSecretBox(config, logger);
  const db = await openMysql(config.mysqlUrl);
  const cleanup: (() => Promise<unknown>)[] = [() => db.destroy()];
  const stop = async () => {
    for (const step of cleanup.reverse()) await step().catch((e) => logger.warn({ err: String(e) }, "shutdown step failed"));
  };
  try {
    const firstToken = await migrateMysql(db, issueFirstAdminToken);
    const pg = await preparePostgres(config.databaseUrl, logger);
    cleanup.push(() => pg.end());
    const utils = await makeWorkerUtils({ pgPool: pg, logger: graphileLogger(logger) });
    cleanup.push(async () => utils.release());
    const live = new LiveUpdates(db, config.databaseUrl, logger);
    await live.start();
    cleanup.push(() => live.close());
    const { app, apollo, serveSubscriptions } = await createApp({
      db,
      pg,
      jobs: new GraphileJobQueue(utils),
      secrets,
      logger,
      timezone: config.timezone,
      importRoots: config.importRoots,
      publicUrl: config.publicUrl,
      metricsToken: config.metricsToken,
      live,
    });
    cleanup.push(() => apollo.stop());
    const http = await new Promise<import("node:http").Server>((resolve, reject) => {
      const server = app.listen(config.port, config.host, (error?: Error) => (error ? reject(error) : resolve(server)));
    });
    cleanup.push(() => closeHttp(http));
    const subscriptions = serveSubscriptions(http);
    cleanup.push(() => subscriptions.close());
    const { port } = http.address() as AddressInfo;
    const host = config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host;
    const url = `http://${host}:${port}`;
    logger.info({ url }, "server listening");
    announce(`drydock GraphQL API: ${url}/graphql`);
    announce(`drydock GraphiQL:    ${url}/graphiql`);
    if (firstToken) announce(`First ADMIN API token (shown only this once; store it now): ${firstToken}`);
    return { url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

const DRAIN_MS = 5000;

/** Stops accepting, lets requests in flight finish for up to DRAIN_MS, then drops what is left (idle keep-alives at once). */
function closeHttp(http: import("node:http").Server): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => http.closeAllConnections(), DRAIN_MS);
    http.close(() => {
      clearTimeout(force);
      resolve();
    });
    http.closeIdleConnections();
  });
}
