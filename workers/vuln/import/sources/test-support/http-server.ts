/** Test-only: an HTTP server on a free loopback port; close() also ends open (hanging, keep-alive) connections. */
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  close(): Promise<void>;
}

const running = new Set<TestServer>();

export async function startServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<TestServer> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  const started: TestServer = {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        running.delete(started);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  running.add(started);
  return started;
}

export async function stopServers(): Promise<void> {
  await Promise.all([...running].map((server) => server.close()));
}
