import { type ApolloServerPlugin, HeaderMap } from "@apollo/server";
import { GraphQLError } from "graphql";
import type { ErrorCode } from "../../lib/errors";

/**
 * A database drydock needs (MySQL or PostgreSQL) is down or restarting. The
 * answer is a GraphQL error with this code, HTTP 503 and Retry-After, so
 * clients and proxies retry; nothing of the database (address, driver
 * message) is in it. /readyz says which database it is.
 */
export const DATABASE_UNAVAILABLE: ErrorCode = "DATABASE_UNAVAILABLE";
export const DATABASE_UNAVAILABLE_MESSAGE = "a database drydock needs is unavailable; try again shortly";
const RETRY_AFTER_SECONDS = "5";

const http = () => ({ status: 503, headers: new HeaderMap([["retry-after", RETRY_AFTER_SECONDS]]) });

/** For failures before execution (authenticating the token). */
export function databaseUnavailableError(): GraphQLError {
  return new GraphQLError(DATABASE_UNAVAILABLE_MESSAGE, { extensions: { code: DATABASE_UNAVAILABLE, http: http() } });
}

/** Answers 503 + Retry-After when a resolver's error was a database outage (the formatter gave it the code). */
export function databaseUnavailablePlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== "single") return;
          if (!response.body.singleResult.errors?.some((error) => error.extensions?.code === DATABASE_UNAVAILABLE)) return;
          const { status, headers } = http();
          response.http.status = status;
          for (const [name, value] of headers) response.http.headers.set(name, value);
        },
      };
    },
  };
}
