import type { Server } from "node:http";
import {
  createSourceEventStream,
  execute,
  type ExecutionArgs,
  getOperationAST,
  GraphQLError,
  type GraphQLFormattedError,
  type GraphQLSchema,
  parse,
  validate,
} from "graphql";
import { CloseCode } from "graphql-ws";
import { useServer } from "graphql-ws/use/ws";
import { type WebSocket, WebSocketServer } from "ws";
import { bearerToken } from "../../lib/credentials";
import { type Context, createLoaders, type Services } from "../context";
import type { QueryLimits } from "../graphql/limits";
import type { Principal } from "../modules/token/token.service";
import { mapAsyncIterator } from "./map-async-iterator";

export type ErrorFormatter = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

export interface SubscriptionServer {
  /** Closes every subscriber's socket (1001 going away) and stops accepting new ones. */
  close(): Promise<void>;
}

/** How long subscribers get to answer the close at shutdown before their sockets are cut. */
const CLOSE_GRACE_MS = 3000;

/** Subscription messages are small; the same bound as POST /graphql bodies. */
const MAX_MESSAGE_BYTES = 1024 * 1024;

const MISSING_TOKEN = 'an API token is required: connectionParams { authorization: "Bearer <token>" }';
const UNKNOWN_TOKEN = "the API token is unknown or was revoked";
const REVOKED_TOKEN = "the API token was revoked";

const ONLY_SUBSCRIPTIONS = new GraphQLError("only subscriptions are served over WebSocket; send queries and mutations to POST /graphql", {
  extensions: { code: "BAD_REQUEST" },
});

/**
 * Each event runs with fresh loaders, as each HTTP request does: a long
 * subscription would otherwise answer `registry { name }` from its first event forever.
 */
async function subscribeWithFreshLoaders(args: ExecutionArgs) {
  const stream = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in stream)) return stream;
  const context = args.contextValue as Context;
  return mapAsyncIterator(stream[Symbol.asyncIterator](), (event) =>
    execute({ ...args, rootValue: event, contextValue: { ...context, loaders: createLoaders(context.services.db) } }),
  );
}

/**
 * GraphQL subscriptions over WebSocket (graphql-ws protocol) on the HTTP
 * server's `/graphql`. The API token comes in the connection's
 * `connectionParams.authorization` (browsers cannot set headers on a
 * WebSocket) or the upgrade request's Authorization header; without a valid
 * one the socket is closed with 4401 and the reason.
 */
export function serveSubscriptions(
  http: Server,
  schema: GraphQLSchema,
  limits: QueryLimits,
  services: Services,
  formatError: ErrorFormatter,
  publicUrl: string | null,
): SubscriptionServer {
  const sockets = new WebSocketServer({ server: http, path: "/graphql", maxPayload: MAX_MESSAGE_BYTES });
  // A revoked token's subscriptions end at once, on every server (the revocation comes through LISTEN).
  const socketsByToken = new Map<string, Set<WebSocket>>();
  const stopWatching = services.live.watchTokens({
    revoked(tokenId) {
      for (const socket of socketsByToken.get(tokenId) ?? []) socket.close(CloseCode.Unauthorized, REVOKED_TOKEN);
    },
    listening() {},
  });
  const format = (errors: readonly GraphQLError[], code?: string) =>
    errors.map((error) => {
      const formatted = error.toJSON();
      return formatError(code ? { ...formatted, extensions: { code, ...formatted.extensions } } : formatted, error);
    });

  const server = useServer<Record<string, unknown> | undefined, { principal: Principal }>(
    {
      schema,
      // Close reasons never carry internals.
      isProd: true,
      async onConnect(ctx) {
        const fromParams = ctx.connectionParams?.authorization;
        const token = bearerToken(typeof fromParams === "string" ? fromParams : ctx.extra.request.headers.authorization);
        const principal = token ? await services.tokens.authenticate(token) : null;
        if (!principal) {
          // Closed here for the reason; graphql-ws's own close that follows `false` is then a no-op.
          ctx.extra.socket.close(CloseCode.Unauthorized, token ? UNKNOWN_TOKEN : MISSING_TOKEN);
          return false;
        }
        ctx.extra.principal = principal;
        const socket = ctx.extra.socket;
        const ofToken = socketsByToken.get(principal.tokenId) ?? new Set<WebSocket>();
        socketsByToken.set(principal.tokenId, ofToken.add(socket));
        socket.once("close", () => {
          ofToken.delete(socket);
          if (ofToken.size === 0 && socketsByToken.get(principal.tokenId) === ofToken) socketsByToken.delete(principal.tokenId);
        });
        return true;
      },
      // What graphql-ws does by default (parse, validate), and then the same depth and cost limits as POST /graphql.
      onSubscribe(_ctx, _id, payload) {
        let document;
        try {
          document = parse(payload.query);
        } catch (error) {
          return [error as GraphQLError];
        }
        const invalid = validate(schema, document);
        if (invalid.length > 0) return invalid;
        const operation = getOperationAST(document, payload.operationName);
        const refused = operation && limits(document, operation, payload.operationName ?? undefined, payload.variables ?? {});
        if (refused) return [refused];
        return { schema, document, operationName: payload.operationName, variableValues: payload.variables };
      },
      context: (ctx): Context => ({
        principal: ctx.extra.principal ?? null,
        services,
        loaders: createLoaders(services.db),
        baseUrl: publicUrl ?? `http://${ctx.extra.request.headers.host}`,
      }),
      subscribe: subscribeWithFreshLoaders,
      execute: () => ({ errors: [ONLY_SUBSCRIPTIONS] }),
      onNext: (_ctx, _id, _payload, _args, result) => (result.errors ? { ...result, errors: format(result.errors) } : undefined),
      // Reached by documents that do not validate against the schema.
      onError: (_ctx, _id, _payload, errors) => format(errors, "GRAPHQL_VALIDATION_FAILED"),
    },
    sockets,
  );
  return {
    async close() {
      stopWatching();
      const cut = setTimeout(() => sockets.clients.forEach((socket) => socket.terminate()), CLOSE_GRACE_MS);
      try {
        await server.dispose();
      } finally {
        clearTimeout(cut);
      }
    },
  };
}
