import type { RequestHandler } from "express";
import { observeQueries } from "../../db/query-observer";
import type { Logger } from "../../lib/logger";

/**
 * Counts the SQL statements each GraphQL request sends and logs the count at
 * debug level once the answer is sent: an N+1 shows as a count that grows
 * with the page size. Mounted after the body parser, so that everything the
 * request runs afterwards (authentication, resolvers, loaders) is counted.
 */
export function sqlStatementLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    // Observing continues every promise of the request through AsyncLocalStorage: a cost paid only when the count is logged.
    if (!logger.isLevelEnabled("debug")) return next();
    let statements = 0;
    res.on("finish", () => {
      const operationName = (req.body as { operationName?: unknown } | undefined)?.operationName;
      logger.debug({ operationName: typeof operationName === "string" ? operationName : null, sqlStatements: statements }, "graphql request");
    });
    observeQueries(() => statements++, next);
  };
}
