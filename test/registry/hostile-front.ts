/**
 * A hostile registry for tests: an HTTP server on 127.0.0.1 in front of a real
 * registry (registry-server.ts) that forwards every request, except those a
 * test takes over with `answer(method, path, handler)`: the handler gets the
 * request, the response and how many requests of that method and path came
 * before, and either answers (returns true) or lets the request through.
 *
 *   const front = await startHostileFront(registry.url);
 *   front.answer("GET", `/v2/shop/app/blobs/${digest}`, (_req, res) => { res.writeHead(307, { location: … }).end(); return true; });
 *
 * stop() also cuts answers that never end (endless streams).
 */
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { pipeline } from "node:stream";

export type HostileHandler = (req: IncomingMessage, res: ServerResponse, seenBefore: number) => boolean;

export interface HostileFront {
  /** `http://127.0.0.1:<port>` */
  url: string;
  answer(method: string, path: string, handler: HostileHandler): void;
  /** Every request so far, as `METHOD /path`. */
  requests(): string[];
  /** Answers still being written (an endless stream the client hung up on is no longer one). */
  inFlight(): number;
  stop(): Promise<void>;
}

export async function startHostileFront(target: string): Promise<HostileFront> {
  const upstream = new URL(target);
  const handlers = new Map<string, HostileHandler>();
  const seen = new Map<string, number>();
  const log: string[] = [];
  const sockets = new Set<Socket>();
  const agent = new http.Agent({ keepAlive: true });
  let open = 0;

  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const outgoing = http.request({
      hostname: upstream.hostname,
      port: upstream.port,
      method: req.method,
      path: req.url,
      headers: { ...req.headers, host: upstream.host },
      agent,
    });
    outgoing.once("response", (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      pipeline(answer, res, () => undefined);
    });
    outgoing.once("error", () => res.destroy());
    pipeline(req, outgoing, () => undefined);
  };

  const server = http.createServer((req, res) => {
    open++;
    res.once("close", () => open--);
    const key = `${req.method} ${new URL(req.url ?? "/", "http://x").pathname}`;
    const before = seen.get(key) ?? 0;
    seen.set(key, before + 1);
    log.push(key);
    const handler = handlers.get(key);
    if (handler?.(req, res, before)) return;
    forward(req, res);
  });
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    answer: (method, path, handler) => void handlers.set(`${method} ${path}`, handler),
    requests: () => [...log],
    inFlight: () => open,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        agent.destroy();
      }),
  };
}
