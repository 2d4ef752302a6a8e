/**
 * The HTTP side of an emulator: a server on 127.0.0.1 and a free port (the
 * distribution tests' `startServer`), a small router, every request recorded,
 * and a streaming reverse proxy for `/v2/` to the real registry.
 *
 * Routes match the raw (still percent-encoded) path segment by segment:
 * `/api/projects/:project/repositories/:repository` binds one segment per
 * `:name`, `*name` binds the rest (zero or more segments). `params` are decoded
 * once, `rawParams` not at all: Harbor sends `a/b` as `a%252Fb`, which is
 * `rawParams.repository === "a%252Fb"` and `params.repository === "a%2Fb"`.
 */
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from "node:http";
import { sendError, startServer, type TestServer } from "../../../workers/registry/distribution/test-support/servers";

export interface RecordedRequest {
  method: string;
  /** Path and query exactly as sent. */
  url: string;
  /** The raw (percent-encoded) path. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  authorization: string | undefined;
  /** The request body, on servers started with `recordBodies`. */
  body?: Buffer;
}

export type ParsedAuthorization =
  | { scheme: "basic"; username: string; password: string }
  | { scheme: "bearer"; token: string }
  | { scheme: "other"; value: string };

/** An Authorization header's credentials; a malformed Basic value counts as "other". */
export function parseAuthorization(header: string | undefined): ParsedAuthorization | null {
  if (!header) return null;
  const [scheme, value = ""] = header.trim().split(/\s+/, 2);
  if (/^basic$/i.test(scheme)) {
    const decoded = Buffer.from(value, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon >= 0 && Buffer.from(decoded, "utf8").toString("base64").replace(/=+$/, "") === value.replace(/=+$/, "")) {
      return { scheme: "basic", username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
    }
  }
  if (/^bearer$/i.test(scheme) && value) return { scheme: "bearer", token: value };
  return { scheme: "other", value: header };
}

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  /** The raw path. */
  path: string;
  query: URLSearchParams;
  /** Path parameters decoded once. */
  params: Record<string, string>;
  /** Path parameters as sent. */
  rawParams: Record<string, string>;
  authorization: ParsedAuthorization | null;
  server: EmulatorServer;
  /** The whole request body (read once, then cached). */
  body(): Promise<Buffer>;
  /** The body parsed as JSON (undefined when empty). */
  json<T = unknown>(): Promise<T>;
}

export type RouteHandler = (context: RouteContext) => void | Promise<void>;

export interface EmulatorServer {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  readonly url: string;
  /** `127.0.0.1:<port>` */
  readonly host: string;
  /** Adds a route; the first match (in order added) answers. `method` "*" matches any method. */
  route(method: string | string[], pattern: string, handler: RouteHandler): EmulatorServer;
  /** Answers what no route matches; default a 404 in the distribution error format. */
  fallback: RouteHandler;
  /** Every request so far, oldest first. */
  requests(): RecordedRequest[];
  clearRequests(): void;
  stop(): Promise<void>;
}

export interface EmulatorServerOptions {
  /** Buffer and record every request body (not for servers that proxy uploads). */
  recordBodies?: boolean;
}

interface Route {
  methods: string[] | "*";
  pattern: string[];
  handler: RouteHandler;
}

function matchPath(pattern: string[], segments: string[]): Record<string, string> | null {
  const raw: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const part = pattern[i];
    if (part.startsWith("*")) {
      raw[part.slice(1)] = segments.slice(i).join("/");
      return raw;
    }
    if (i >= segments.length) return null;
    if (part.startsWith(":")) {
      if (!segments[i]) return null;
      raw[part.slice(1)] = segments[i];
    } else if (part !== segments[i]) return null;
  }
  return pattern.length === segments.length ? raw : null;
}

function decodeOnce(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.once("end", () => resolve(Buffer.concat(chunks)));
    req.once("error", reject);
  });
}

const notFound: RouteHandler = ({ res, method, path }) => sendError(res, 404, "NOT_FOUND", `no route for ${method} ${path}`);

export async function startEmulatorServer(options: EmulatorServerOptions = {}): Promise<EmulatorServer> {
  const routes: Route[] = [];
  const recorded: RecordedRequest[] = [];
  let test: TestServer | undefined;

  const server: EmulatorServer = {
    get url() {
      return test!.url;
    },
    get host() {
      return new URL(test!.url).host;
    },
    route(method, pattern, handler) {
      const methods = method === "*" ? "*" : [method].flat().map((m) => m.toUpperCase());
      routes.push({ methods, pattern: pattern.split("/"), handler });
      return server;
    },
    fallback: notFound,
    requests: () => [...recorded],
    clearRequests: () => void recorded.splice(0),
    stop: () => test!.close(),
  };

  test = await startServer(async (req, res) => {
    const rawUrl = req.url ?? "/";
    const parsed = new URL(rawUrl, "http://emulator");
    const method = (req.method ?? "GET").toUpperCase();
    const path = rawUrl.split("?")[0];
    const record: RecordedRequest = {
      method,
      url: rawUrl,
      path,
      query: parsed.searchParams,
      headers: req.headers,
      authorization: req.headers.authorization,
    };
    recorded.push(record);
    let body: Promise<Buffer> | undefined;
    if (options.recordBodies) {
      record.body = await readBody(req);
      body = Promise.resolve(record.body);
    }
    const segments = path.split("/");
    let handler = server.fallback;
    let rawParams: Record<string, string> = {};
    for (const route of routes) {
      if (route.methods !== "*" && !route.methods.includes(method)) continue;
      const matched = matchPath(route.pattern, segments);
      if (!matched) continue;
      handler = route.handler;
      rawParams = matched;
      break;
    }
    const context: RouteContext = {
      req,
      res,
      method,
      path,
      query: parsed.searchParams,
      params: Object.fromEntries(Object.entries(rawParams).map(([key, value]) => [key, decodeOnce(value)])),
      rawParams,
      authorization: parseAuthorization(req.headers.authorization),
      server,
      body: () => (body ??= readBody(req)),
      json: async <T>() => {
        const text = (await context.body()).toString("utf8");
        return (text ? JSON.parse(text) : undefined) as T;
      },
    };
    await handler(context);
  });
  return server;
}

const HOP_BY_HOP = ["connection", "keep-alive", "proxy-connection", "upgrade"];

function withoutHopByHop<T extends IncomingHttpHeaders>(headers: T): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = { ...headers };
  for (const name of HOP_BY_HOP) delete out[name];
  return out;
}

/**
 * A handler that streams the request to `target` (same path and query) and
 * the answer back: status and headers as they are (`WWW-Authenticate`,
 * `Link`, `Docker-Content-Digest`), except a `Location` on the target's
 * origin, which is moved to the emulator's.
 */
export function proxyTo(target: string): RouteHandler {
  const upstream = new URL(target);
  return ({ req, res, server }) =>
    new Promise<void>((resolve) => {
      const outgoing = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...withoutHopByHop(req.headers), host: upstream.host },
        },
        (answer) => {
          const headers = withoutHopByHop(answer.headers);
          if (typeof answer.headers.location === "string") {
            const location = new URL(answer.headers.location, upstream);
            if (location.origin === upstream.origin) headers.location = `${server.url}${location.pathname}${location.search}`;
          }
          res.writeHead(answer.statusCode ?? 502, headers);
          answer.once("error", () => res.destroy());
          answer.pipe(res);
          res.once("close", resolve);
        },
      );
      outgoing.once("error", (error) => {
        if (!res.headersSent) sendError(res, 502, "PROXY_ERROR", `the registry behind the emulator failed: ${error.message}`);
        else res.destroy();
        resolve();
      });
      req.pipe(outgoing);
    });
}
