import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import type { Logger } from "../../lib/logger";
import { answerScrape } from "../../lib/metrics";

export interface MetricsServer {
  /** `http://host:port/metrics` */
  url: string;
  close(): Promise<void>;
}

/** A worker's own HTTP listener: GET /metrics and nothing else. */
export async function serveMetrics(registry: Registry, options: { host: string; port: number; token: string | null }, logger: Logger): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    if (req.method === "GET" && req.url?.split("?")[0] === "/metrics") {
      void answerScrape(req, res, registry, options.token, logger);
      return;
    }
    res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("not found: a worker serves GET /metrics only\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const named = options.host === "0.0.0.0" || options.host === "::" ? "localhost" : options.host;
  const host = named.includes(":") ? `[${named}]` : named;
  return {
    url: `http://${host}:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
