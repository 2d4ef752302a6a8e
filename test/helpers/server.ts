import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { request } from "undici";
import { type Config, loadConfig } from "../../lib/config";
import { startServer } from "../../server/main";
import { testDatabases } from "./databases";
import { capturingLogger } from "./logs";

export interface GraphQLAnswer<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, unknown> & { code?: string } }[];
}

export interface TestServer {
  url: string;
  config: Config;
  /** The first ADMIN token the server printed. */
  adminToken: string;
  /** Everything the server logged or printed, for checks that secrets stay out. */
  output: string[];
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<GraphQLAnswer<T>>;
  stop(): Promise<void>;
}

/** A real server (HTTP, MySQL, PostgreSQL) on a free loopback port, with databases of its own. */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const databases = testDatabases();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "drydock-test-"));
  const { lines: output, logger } = capturingLogger();
  const config = loadConfig({
    MYSQL_URL: databases.mysqlUrl,
    DATABASE_URL: databases.databaseUrl,
    PORT: "0",
    HOST: "127.0.0.1",
    DRYDOCK_DATA_DIR: dataDir,
    TZ: "UTC",
    LOG_LEVEL: "debug",
    ...env,
  });
  const announced: string[] = [];
  const server = await startServer(config, logger, (line) => {
    announced.push(line);
    output.push(line);
  });
  const tokenLine = announced.find((line) => line.startsWith("First ADMIN API token"));
  const adminToken = tokenLine?.split(": ").pop() ?? "";

  return {
    url: server.url,
    config,
    adminToken,
    output,
    async gql(query, variables = {}, token = adminToken) {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (token) headers.authorization = `Bearer ${token}`;
      const answer = await request(`${server.url}/graphql`, {
        method: "POST",
        headers,
        body: JSON.stringify({ query, variables }),
      });
      const body = (await answer.body.json()) as Omit<GraphQLAnswer, "status">;
      return { status: answer.statusCode, ...body } as GraphQLAnswer<any>;
    },
    async stop() {
      await server.stop();
      await databases.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The `code` of the first error, for compact assertions. */
export function errorCode(answer: GraphQLAnswer): string | undefined {
  return answer.errors?.[0]?.extensions?.code;
}
