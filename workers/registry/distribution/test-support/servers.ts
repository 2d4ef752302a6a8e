/**
 * Local HTTP(S) servers for the distribution client's tests: free loopback
 * ports, every request recorded (method, path, headers — so tests can prove
 * where Authorization went), in-flight counting, and a close() that ends
 * keep-alive connections too. Test-only code.
 */
import { createServer as createHttpServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { createHash } from "node:crypto";

export interface RecordedRequest {
  method: string;
  /** Path and query. */
  url: string;
  headers: IncomingHttpHeaders;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, server: TestServer) => void | Promise<void>;

export interface TestServer {
  /** `http://127.0.0.1:<port>` (or https). */
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Requests being answered now, and the most at once. */
  inFlight: number;
  maxInFlight: number;
  /** Replace the handler. */
  handler: Handler;
  close(): Promise<void>;
}

const open = new Set<TestServer>();

export async function startServer(handler: Handler, tls?: { key: string; cert: string }): Promise<TestServer> {
  const state: TestServer = {
    url: "",
    port: 0,
    requests: [],
    inFlight: 0,
    maxInFlight: 0,
    handler,
    close: async () => undefined,
  };
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    state.requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers });
    state.inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
    let counted = true;
    const done = () => {
      if (counted) state.inFlight--;
      counted = false;
    };
    res.once("finish", done);
    res.once("close", done);
    Promise.resolve()
      .then(() => state.handler(req, res, state))
      .catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(599).end(String(error));
        else res.destroy();
      });
  };
  const server: Server = tls ? createHttpsServer({ key: tls.key, cert: tls.cert }, listener) : createHttpServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  state.port = port;
  state.url = `${tls ? "https" : "http"}://127.0.0.1:${port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      open.delete(state);
      server.close(() => resolve());
      server.closeAllConnections();
    });
  open.add(state);
  return state;
}

/** Closes every server still open (for afterAll/afterEach). */
export async function closeAll(): Promise<void> {
  await Promise.all([...open].map((server) => server.close()));
}

export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string | string[]> = {}): void {
  const body = Buffer.from(JSON.stringify(value));
  res.writeHead(status, { "content-type": "application/json", "content-length": body.length, ...headers });
  res.end(body);
}

export function sendError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string | string[]> = {}): void {
  sendJson(res, status, { errors: [{ code, message, detail: {} }] }, headers);
}

export function sha256(bytes: Buffer | string): string {
  return "sha256:" + createHash("sha256").update(bytes).digest("hex");
}

export const V2_HEADERS = { "docker-distribution-api-version": "registry/2.0" };

/** `Basic base64(user:secret)` as a client sends it. */
export function basic(username: string, secret: string): string {
  return "Basic " + Buffer.from(`${username}:${secret}`).toString("base64");
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The path of a request without its query. */
export const pathOf = (req: IncomingMessage) => new URL(req.url ?? "/", "http://x").pathname;
export const queryOf = (req: IncomingMessage) => new URL(req.url ?? "/", "http://x").searchParams;

/** A port nothing listens on (bound, then closed). */
export async function closedPort(): Promise<number> {
  const server = await startServer(() => undefined);
  const port = server.port;
  await server.close();
  return port;
}
