import type { Logger } from "../../lib/logger";
import type { ClientOptions } from "../registry/distribution/client";
import type { WorkerMetrics } from "./worker-metrics";

/**
 * The client hooks every registry client of one integration gets: each
 * answer counted by status, each retry counted by code and logged with the
 * registry id. What the hooks see carries no credentials.
 */
export function registryCallHooks(registryId: string, metrics: WorkerMetrics, logger: Logger): Pick<ClientOptions, "onResponse" | "onRetry"> {
  return {
    onResponse: (status) => metrics.registryAnswered(registryId, status),
    onRetry: ({ operation, attempt, code, status, delayMs }) => {
      metrics.registryRetried(registryId, code);
      logger.warn({ registryId, operation, attempt, code, status, delayMs }, "registry request failed; retrying");
    },
  };
}
