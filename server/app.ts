import { ApolloServer } from "@apollo/server";
import { expressMiddleware } from "@as-integrations/express5";
import express, { type Express } from "express";
import { GraphQLError } from "graphql";
import type { Pool } from "pg";
import type { DataSource } from "typeorm";
import type { Logger } from "../lib/logger";
import type { SecretBox } from "../lib/secret-box";
import { bearerToken } from "./auth";
import { type Context, createLoaders, type Services } from "./context";
import { createErrorFormatter } from "./graphql/errors";
import { queryLimitsPlugin } from "./graphql/limits";
import { buildDrydockSchema } from "./graphql/schema";
import { graphiqlRouter } from "./graphiql/graphiql.route";
import type { JobQueue } from "./jobs";
import { DiscoveryService } from "./modules/discovery/discovery.service";
import { ImageService } from "./modules/image/image.service";
import { PolicyService } from "./modules/policy/policy.service";
import { RegistryService } from "./modules/registry/registry.service";
import { IntakeService } from "./modules/scan/intake.service";
import { ScanJobService } from "./modules/scan/scan-job.service";
import { SyncService } from "./modules/sync/sync.service";
import { TokenService } from "./modules/token/token.service";
import { ImportRunService } from "./modules/vuln/import-run.service";
import { VulnerabilityService } from "./modules/vuln/vulnerability.service";

export interface AppDependencies {
  db: DataSource;
  pg: Pool;
  jobs: JobQueue;
  secrets: SecretBox;
  logger: Logger;
  timezone: string;
  /** Where vulnerability imports may read (DRYDOCK_IMPORT_ROOTS). */
  importRoots: readonly string[];
}

export function createServices(deps: AppDependencies): Services {
  const registries = new RegistryService(deps.db, deps.secrets, deps.jobs, deps.timezone);
  const policies = new PolicyService(deps.db, deps.timezone);
  return {
    db: deps.db,
    registries,
    policies,
    tokens: new TokenService(deps.db),
    syncs: new SyncService(deps.db, registries, deps.jobs),
    discovery: new DiscoveryService(deps.db, deps.secrets, registries, policies),
    intake: new IntakeService(deps.db, deps.secrets, registries, deps.jobs),
    images: new ImageService(deps.db, registries),
    scanJobs: new ScanJobService(deps.db, deps.jobs),
    vulnerabilities: new VulnerabilityService(deps.db),
    imports: new ImportRunService(deps.db, deps.jobs, deps.importRoots),
  };
}

const unauthenticated = (message: string) =>
  new GraphQLError(message, { extensions: { code: "UNAUTHENTICATED", http: { status: 401 } } });

/** Every GraphQL request names a token; the role check happens per operation. */
async function contextFor(header: string | undefined, services: Services): Promise<Context> {
  const token = bearerToken(header);
  if (!token) throw unauthenticated("an API token is required: send Authorization: Bearer <token>");
  const principal = await services.tokens.authenticate(token);
  if (!principal) throw unauthenticated("the API token is unknown or was revoked");
  return { principal, services, loaders: createLoaders(services.db) };
}

export async function createApp(deps: AppDependencies): Promise<{ app: Express; apollo: ApolloServer<Context> }> {
  const schema = await buildDrydockSchema();
  const services = createServices(deps);
  const apollo = new ApolloServer<Context>({
    schema,
    formatError: createErrorFormatter(deps.logger),
    includeStacktraceInErrorResponses: false,
    plugins: [queryLimitsPlugin(schema)],
    // bin/drydock.ts handles SIGINT/SIGTERM and stops Apollo itself. Apollo's own
    // handlers (on outside NODE_ENV=test) would stop it concurrently, and its
    // stop() then never resolves for the second caller: the process hung on SIGTERM.
    stopOnTerminationSignals: false,
  });
  await apollo.start();

  const app = express();
  app.disable("x-powered-by");
  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.get("/readyz", async (_req, res) => {
    try {
      await Promise.all([deps.db.query("SELECT 1"), deps.pg.query("SELECT 1")]);
      res.json({ status: "ready" });
    } catch (error) {
      deps.logger.warn({ err: (error as Error).message }, "readiness check failed");
      res.status(503).json({ status: "unavailable" });
    }
  });
  app.use(graphiqlRouter());
  app.use(
    "/graphql",
    express.json({ limit: "1mb" }),
    expressMiddleware(apollo, { context: async ({ req }) => contextFor(req.headers.authorization, services) }),
  );
  return { app, apollo };
}
