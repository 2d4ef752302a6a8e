import type { IncomingMessage, ServerResponse } from "node:http";
import { collectDefaultMetrics, Registry } from "prom-client";
import { bearerToken, sameSecret } from "./credentials";
import type { Logger } from "./logger";

/** Every series drydock exposes starts with this. */
export const METRICS_PREFIX = "drydock_";

/**
 * A registry of one process (never prom-client's global one: tests run a
 * server and workers in one process), with the Node process metrics
 * (CPU, memory, event loop lag, GC) under the drydock_ prefix.
 */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: METRICS_PREFIX });
  return registry;
}

/**
 * Answers a scrape in the Prometheus text format: 401 without the token when
 * one is configured (DRYDOCK_METRICS_TOKEN), 500 when collecting fails.
 */
export async function answerScrape(req: IncomingMessage, res: ServerResponse, registry: Registry, token: string | null, logger: Logger): Promise<void> {
  if (token !== null && !sameSecret(bearerToken(req.headers.authorization) ?? "", token)) {
    res.writeHead(401, { "content-type": "text/plain; charset=utf-8", "www-authenticate": 'Bearer realm="drydock metrics"' });
    res.end("the metrics token is required: send Authorization: Bearer <DRYDOCK_METRICS_TOKEN>\n");
    return;
  }
  try {
    const text = await registry.metrics();
    res.writeHead(200, { "content-type": registry.contentType });
    res.end(text);
  } catch (error) {
    logger.warn({ err: (error as Error).message }, "collecting metrics failed");
    res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
    res.end("collecting metrics failed\n");
  }
}
