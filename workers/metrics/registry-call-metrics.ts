import { Counter, type Registry } from "prom-client";
import type { Logger } from "../../lib/logger";
import { METRICS_PREFIX } from "../../lib/metrics";
import type { ClientOptions } from "../registry/distribution/client";

/**
 * Registry answers and retries, by registry id: counted in each process that
 * calls registries (workers, and the API server for connection tests and
 * reference checks), each on its own /metrics.
 */
export class RegistryCallMetrics {
  private readonly requests: Counter<"registry_id" | "status">;
  private readonly retries: Counter<"registry_id" | "code">;

  constructor(registry: Registry) {
    this.requests = new Counter({
      name: `${METRICS_PREFIX}registry_requests_total`,
      help: "HTTP answers from registries (distribution API and the vendor management APIs; token realms excluded), by registry id and status",
      labelNames: ["registry_id", "status"] as const,
      registers: [registry],
    });
    this.retries = new Counter({
      name: `${METRICS_PREFIX}registry_retries_total`,
      help: "registry requests retried after a retryable failure, by registry id and error code",
      labelNames: ["registry_id", "code"] as const,
      registers: [registry],
    });
  }

  /**
   * The client hooks every registry client of one integration gets: each
   * answer counted by status, each retry counted by code and logged with the
   * registry id. What the hooks see carries no credentials.
   */
  hooks(registryId: string, logger: Logger): Pick<ClientOptions, "onResponse" | "onRetry"> {
    return {
      onResponse: (status) => this.requests.inc({ registry_id: registryId, status: String(status) }),
      onRetry: ({ operation, attempt, code, status, delayMs }) => {
        this.retries.inc({ registry_id: registryId, code });
        logger.warn({ registryId, operation, attempt, code, status, delayMs }, "registry request failed; retrying");
      },
    };
  }
}
