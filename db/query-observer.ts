import { AsyncLocalStorage } from "node:async_hooks";
import type { Logger as TypeOrmLogger } from "typeorm";

/** Called with every SQL statement sent while it observes. */
export type QueryObserver = (query: string, parameters: readonly unknown[] | undefined) => void;

const observers = new AsyncLocalStorage<QueryObserver>();

/**
 * Runs `work` with `observer` seeing every statement a drydock DataSource
 * sends on its behalf (its async continuations included): how a GraphQL
 * request's statements are counted, so that an N+1 shows.
 */
export function observeQueries<T>(observer: QueryObserver, work: () => T): T {
  return observers.run(observer, work);
}

/** The DataSource's logger: hands statements to the current observer and logs nothing itself (lib/logger logs). */
export const observingLogger: TypeOrmLogger = {
  logQuery(query, parameters) {
    observers.getStore()?.(query, parameters as readonly unknown[] | undefined);
  },
  logQueryError() {},
  logQuerySlow() {},
  logSchemaBuild() {},
  logMigration() {},
  log() {},
};
