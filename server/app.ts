import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginCacheControlDisabled } from "@apollo/server/plugin/disabled";
import { expressMiddleware } from "@as-integrations/express5";
import express, { type Express } from "express";
import { GraphQLError } from "graphql";
import type { Pool } from "pg";
import type { DataSource } from "typeorm";
import type { Server } from "node:http";
import { isDatabaseUnavailable } from "../db/availability";
import { PgUpdateNotifier } from "../db/live-updates";
import type { Logger } from "../lib/logger";
import { answerScrape, createMetricsRegistry } from "../lib/metrics";
import type { SecretBox } from "../lib/secret-box";
import { bearerToken } from "../lib/credentials";
import { type Context, createLoaders, type Services } from "./context";
import { createErrorFormatter } from "./graphql/errors";
import { queryLimits, queryLimitsPlugin } from "./graphql/limits";
import { requireJsonPost, transportErrorHandler } from "./graphql/transport-errors";
import { buildDrydockSchema } from "./graphql/schema";
import { sqlStatementLog } from "./graphql/statement-count";
import { graphiqlRouter } from "./graphiql/graphiql.route";
import { databaseUnavailableError, databaseUnavailablePlugin } from "./graphql/unavailable";
import { healthRouter } from "./health";
import { registerQueueDepth } from "./metrics/queue-depth";
import type { JobQueue } from "./jobs";
import type { LiveUpdates } from "./live/live-updates";
import { serveSubscriptions, type SubscriptionServer } from "./live/subscription-server";
import { RegistryCallMetrics } from "../workers/metrics/registry-call-metrics";
import { DiscoveryService } from "./modules/discovery/discovery.service";
import { SERVER_CLIENT_OPTIONS } from "./registry-calls/bounded-calls";
import { ImageService } from "./modules/image/image.service";
import { PolicyService } from "./modules/policy/policy.service";
import { RegistryService } from "./modules/registry/registry.service";
import { IntakeService } from "./modules/scan/intake.service";
import { ScanJobService } from "./modules/scan/scan-job.service";
import { SyncService } from "./modules/sync/sync.service";
import { TokenService } from "./modules/token/token.service";
import { ImportRunService } from "./modules/vuln/import-run.service";
import { VulnerabilityService } from "./modules/vuln/vulnerability.service";
import { WebhookReceiver } from "./webhooks/webhook.receiver";
import { webhookRouter } from "./webhooks/webhook.route";

export interface AppDependencies {
  db: DataSource;
  pg: Pool;
  jobs: JobQueue;
  secrets: SecretBox;
  logger: Logger;
  timezone: string;
  /** Where vulnerability imports may read (DRYDOCK_IMPORT_ROOTS). */
  importRoots: readonly string[];
  /** Bearer token /metrics requires (DRYDOCK_METRICS_TOKEN); null: none. */
  metricsToken: string | null;
  /** DRYDOCK_PUBLIC_URL; null: URLs are built on the address each request came to. */
  publicUrl: string | null;
  /** Scan job and sync run changes, for subscriptions. */
  live: LiveUpdates;
}

export function createServices(deps: AppDependencies, registryCalls: RegistryCallMetrics): Services {
  const registries = new RegistryService(deps.db, deps.secrets, deps.jobs, deps.timezone);
  const clientOptions = (registryId: string) => ({ ...SERVER_CLIENT_OPTIONS, ...registryCalls.hooks(registryId, deps.logger) });
  const policies = new PolicyService(deps.db, deps.timezone);
  const updates = new PgUpdateNotifier(deps.pg, deps.logger);
  return {
    db: deps.db,
    registries,
    policies,
    tokens: new TokenService(deps.db, { feed: deps.live, notifier: updates }),
    syncs: new SyncService(deps.db, registries, deps.jobs),
    discovery: new DiscoveryService(deps.db, deps.secrets, registries, policies, clientOptions),
    intake: new IntakeService(deps.db, deps.secrets, registries, deps.jobs, updates, clientOptions),
    images: new ImageService(deps.db, registries),
    scanJobs: new ScanJobService(deps.db, deps.jobs, updates),
    vulnerabilities: new VulnerabilityService(deps.db),
    imports: new ImportRunService(deps.db, deps.jobs, deps.importRoots),
    live: deps.live,
  };
}

const unauthenticated = (message: string) =>
  new GraphQLError(message, { extensions: { code: "UNAUTHENTICATED", http: { status: 401 } } });

/** Every GraphQL request names a token; the role check happens per operation. */
async function contextFor(header: string | undefined, services: Services, baseUrl: string): Promise<Context> {
  const token = bearerToken(header);
  if (!token) throw unauthenticated("an API token is required: send Authorization: Bearer <token>");
  const principal = await services.tokens.authenticate(token).catch((error: unknown) => {
    throw isDatabaseUnavailable(error) ? databaseUnavailableError() : error;
  });
  if (!principal) throw unauthenticated("the API token is unknown or was revoked");
  return { principal, services, loaders: createLoaders(services.db), baseUrl };
}

export interface App {
  app: Express;
  apollo: ApolloServer<Context>;
  /** Serves subscriptions on the HTTP server's /graphql WebSocket upgrade. */
  serveSubscriptions(http: Server): SubscriptionServer;
}

export async function createApp(deps: AppDependencies): Promise<App> {
  const schema = await buildDrydockSchema();
  const limits = queryLimits(schema);
  const metrics = createMetricsRegistry();
  const services = createServices(deps, new RegistryCallMetrics(metrics));
  const apollo = new ApolloServer<Context>({
    schema,
    formatError: createErrorFormatter(deps.logger),
    includeStacktraceInErrorResponses: false,
    // Apollo's own warnings (a document too deep to cache, …) go to the JSON log, not the console.
    logger: deps.logger,
    // Apollo turns introspection off under NODE_ENV=production, which is how drydock runs; GraphiQL needs it, and it needs a token like any query.
    introspection: true,
    // No cache hints are used: without Apollo's cache-control plugin no resolver is wrapped per field (a cost per field of every page).
    plugins: [queryLimitsPlugin(limits), databaseUnavailablePlugin(), ApolloServerPluginCacheControlDisabled()],
    // bin/drydock.ts handles SIGINT/SIGTERM and stops Apollo itself. Apollo's own
    // handlers (on outside NODE_ENV=test) would stop it concurrently, and its
    // stop() then never resolves for the second caller: the process hung on SIGTERM.
    stopOnTerminationSignals: false,
  });
  await apollo.start();

  const app = express();
  app.disable("x-powered-by");
  // An ETag hashes every answer; GraphQL answers POSTs, which no cache revalidates.
  app.set("etag", false);
  app.use(healthRouter(deps));
  registerQueueDepth(metrics, deps.pg, deps.logger);
  app.get("/metrics", (req, res) => answerScrape(req, res, metrics, deps.metricsToken, deps.logger));
  app.use(graphiqlRouter());
  app.use(webhookRouter(new WebhookReceiver(deps.db, deps.secrets, deps.jobs, deps.logger), deps.logger));
  app.use(
    "/graphql",
    express.json({ limit: "1mb" }),
    requireJsonPost,
    sqlStatementLog(deps.logger),
    expressMiddleware(apollo, {
      context: async ({ req }) => contextFor(req.headers.authorization, services, deps.publicUrl ?? `${req.protocol}://${req.get("host")}`),
    }),
    transportErrorHandler(deps.logger),
  );
  const serve = (http: Server) => serveSubscriptions(http, schema, limits, services, createErrorFormatter(deps.logger), deps.publicUrl);
  return { app, apollo, serveSubscriptions: serve };
}
