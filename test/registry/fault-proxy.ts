/**
 * A fault-injecting HTTP reverse proxy for tests, in front of a real registry
 * (registry-server.ts). It forwards everything — method, path, query, headers,
 * bodies streamed both ways — and, on a seeded schedule, answers a request
 * itself with a fault instead:
 *
 *   "429"    distribution-style TOOMANYREQUESTS body + `Retry-After: N`
 *   "500"    distribution-style UNKNOWN body
 *   "503"    distribution-style UNAVAILABLE body (+ `Retry-After: N` unless retryAfterOn503 is false)
 *   "reset"  the socket is reset (RST) without any response
 *   "slow"   forwarded, but the response headers are held back `slowMs`, or
 *            the body is dribbled out over `slowMs` ("mixed": the schedule picks)
 *
 * A faulted request (other than "slow") never reaches the registry, so a
 * retried upload finds the registry in the state it left it in.
 *
 *   const proxy = await startFaultProxy({ target: registry.url, seed: 7, rate: 0.2,
 *     faults: ["429", "500", "reset", "slow"], maxConsecutive: 3, retryAfterSeconds: 1 });
 *   ... point the client at proxy.url ...
 *   expect(proxy.retryAfterViolations()).toBe(0);
 *   await proxy.stop();
 *
 * The schedule is reproducible even when the client runs requests
 * concurrently: every request key (method + path + query) has its own PRNG
 * stream (mulberry32 seeded from `seed` and the key), so the n-th request of a
 * key gets the same fate whatever the interleaving. A key never gets more than
 * `maxConsecutive` faults in a row ("slow" counts as a fault), so a client
 * whose retry budget is at least that always gets through.
 *
 * Retry-After is measured: the proxy remembers when it last sent each key an
 * answer carrying Retry-After (429, and 503 unless retryAfterOn503 is false)
 * and counts every later request for that key that arrives sooner.
 */
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { pipeline, Transform } from "node:stream";
import { mulberry32 } from "../../lib/seeded-random";

export type Fault = "429" | "500" | "503" | "reset" | "slow";

export const ALL_FAULTS: readonly Fault[] = ["429", "500", "503", "reset", "slow"];

/** What `only` is given (a function taking just `{ method, path }` fits too). */
export interface FaultRequestInfo {
  method: string;
  /** The path without the query, e.g. `/v2/team/api/manifests/1.0`. */
  path: string;
  /** The query without `?`, or "". */
  query: string;
  /** method + " " + path and query: the key the schedule and the stats use. */
  key: string;
}

export interface FaultProxyOptions {
  /** The registry, e.g. `http://127.0.0.1:5000` (a path prefix is kept). */
  target: string;
  /** Seeds the schedule: same seed, same requests → same faults. */
  seed: number;
  /** Probability (0..1) that an eligible request gets a fault, e.g. 0.2. */
  rate: number;
  /** The kinds drawn from, uniformly. */
  faults: Fault[];
  /** Never more than this many consecutive faults for one request key. */
  maxConsecutive: number;
  /** Sent with 429 (and 503) as `Retry-After: N`; default 1. */
  retryAfterSeconds?: number;
  /** Send Retry-After with 503 too (and measure it); default true. */
  retryAfterOn503?: boolean;
  /** "slow": how long to hold back the headers, or to dribble the body over; default 200. */
  slowMs?: number;
  /** "slow" holds back the headers, dribbles the body, or lets the schedule pick per request (default "mixed"). */
  slowMode?: "headers" | "body" | "mixed";
  /** Which requests may get faults (default: all). Others pass through and do not advance the schedule. */
  only?: (req: FaultRequestInfo) => boolean;
  /** A request this much earlier than Retry-After is still not a violation (timer granularity); default 10. */
  retryAfterToleranceMs?: number;
}

/** One request as the proxy saw it. */
export interface FaultEvent {
  /** 0, 1, 2, … in arrival order. */
  seq: number;
  key: string;
  method: string;
  path: string;
  /** The fault it got, or null when it went through untouched. */
  fault: Fault | null;
  /** For "slow": which kind. */
  slowMode?: "headers" | "body";
  /** Whether `only` let it take part in the schedule. */
  eligible: boolean;
  /** It came sooner than the Retry-After its key was last given. */
  retryAfterViolation: boolean;
  /** performance.now() at arrival. */
  at: number;
}

export interface FaultProxyStats {
  /** Every request that reached the proxy. */
  requests: number;
  /** Faults injected, by kind. */
  faults: Record<Fault, number>;
  /** Requests per key (method + " " + path and query). */
  byKey: Map<string, number>;
  /** Faults per key. */
  faultsByKey: Map<string, number>;
  /** The longest run of consecutive faults any key got. */
  maxConsecutiveSeen: number;
}

export interface FaultProxy {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `127.0.0.1:<port>` */
  host: string;
  stats(): FaultProxyStats;
  /** Requests for a key that arrived sooner than Retry-After after the answer (429/503) that carried it. */
  retryAfterViolations(): number;
  /** Every request in arrival order (a copy). */
  log(): FaultEvent[];
  /** Requests whose response has not closed yet (a client hanging up closes it). */
  inFlight(): number;
  stop(): Promise<void>;
}

// ---------------------------------------------------------------- schedule

/** FNV-1a over the UTF-16 code units of a string. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

interface KeyState {
  random: () => number;
  requests: number;
  faults: number;
  consecutive: number;
  /** performance.now() when the last answer with Retry-After finished, and how long it asked to wait. */
  retryAfter?: { sentAt: number; ms: number };
}

export interface Decision {
  fault: Fault | null;
  slowMode?: "headers" | "body";
}

/**
 * The schedule: per key, a PRNG stream; always three draws per eligible
 * request (whether, which, slow mode) so that the cap does not shift what
 * follows.
 */
export function decide(
  state: Pick<KeyState, "random" | "consecutive">,
  options: Pick<FaultProxyOptions, "rate" | "faults" | "maxConsecutive" | "slowMode">,
): Decision {
  const whether = state.random();
  const which = state.random();
  const mode = state.random();
  if (options.faults.length === 0 || whether >= options.rate || state.consecutive >= options.maxConsecutive) {
    return { fault: null };
  }
  const fault = options.faults[Math.min(options.faults.length - 1, Math.floor(which * options.faults.length))];
  if (fault !== "slow") return { fault };
  const slowMode = options.slowMode === "headers" || options.slowMode === "body" ? options.slowMode : mode < 0.5 ? "headers" : "body";
  return { fault, slowMode };
}

// ---------------------------------------------------------------- headers

/** Hop-by-hop headers (RFC 9110 §7.6.1) are not forwarded; Host is rewritten. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

/** The origins a header value may name the target by (127.0.0.1 and localhost are the same loopback). */
function targetOrigins(target: URL): string[] {
  const origins = [target.origin];
  const port = target.port ? `:${target.port}` : "";
  if (target.hostname === "127.0.0.1") origins.push(`${target.protocol}//localhost${port}`);
  if (target.hostname === "localhost") origins.push(`${target.protocol}//127.0.0.1${port}`);
  return origins;
}

/**
 * Rewrites absolute URLs that point at the target so they point at the proxy:
 * in `Location`, `Content-Location`, `Link` and the `realm` of `WWW-Authenticate`.
 * Other headers pass unchanged; relative URLs too.
 */
export function rewriteResponseHeader(name: string, value: string, target: URL, proxyOrigin: string): string {
  const lower = name.toLowerCase();
  if (lower !== "location" && lower !== "content-location" && lower !== "link" && lower !== "www-authenticate") return value;
  const targetPath = target.pathname.replace(/\/+$/, "");
  let out = value;
  for (const origin of targetOrigins(target)) {
    const from = origin + targetPath;
    if (lower === "www-authenticate") {
      out = out.replace(/(realm\s*=\s*"?)([^",\s]*)/gi, (match, head: string, realm: string) =>
        realm.startsWith(from) ? head + proxyOrigin + realm.slice(from.length) : match,
      );
    } else {
      out = out.split(from).join(proxyOrigin);
    }
  }
  return out;
}

// ---------------------------------------------------------------- faults

const FAULT_BODIES: Record<"429" | "500" | "503", { code: string; message: string }> = {
  "429": { code: "TOOMANYREQUESTS", message: "fault-proxy: too many requests, retry later" },
  "500": { code: "UNKNOWN", message: "fault-proxy: injected internal server error" },
  "503": { code: "UNAVAILABLE", message: "fault-proxy: service unavailable (injected)" },
};

/**
 * A Transform that lets a body through in 8 pieces, each after a pause of
 * `totalMs / 8`: with a known length the whole body is spread over `totalMs`
 * (the client sees the last byte no sooner), else the first 8 KiB are.
 */
function dribble(totalMs: number, contentLength: number | undefined, timers: Set<NodeJS.Timeout>): Transform {
  const STEPS = 8;
  const PIECE = contentLength && contentLength > 0 ? Math.ceil(contentLength / STEPS) : 1024;
  const stepMs = totalMs / STEPS;
  let left = STEPS;
  const wait = (ms: number, then: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      then();
    }, ms);
    timers.add(timer);
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const pump = (rest: Buffer): void => {
        if (rest.length === 0) return done();
        if (left === 0) {
          this.push(rest);
          return done();
        }
        left--;
        wait(stepMs, () => {
          this.push(rest.subarray(0, PIECE));
          pump(rest.subarray(PIECE));
        });
      };
      pump(chunk);
    },
    flush(done) {
      // A short body still takes the whole time.
      if (left === 0) return done();
      wait(left * stepMs, () => done());
      left = 0;
    },
  });
}

// ---------------------------------------------------------------- proxy

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  if (!(options.rate >= 0 && options.rate <= 1)) throw new Error(`rate must be within 0..1, got ${options.rate}`);
  if (!Number.isInteger(options.maxConsecutive) || options.maxConsecutive < 0) {
    throw new Error(`maxConsecutive must be a non-negative integer, got ${options.maxConsecutive}`);
  }
  for (const fault of options.faults) if (!ALL_FAULTS.includes(fault)) throw new Error(`unknown fault: ${fault}`);

  const target = new URL(options.target);
  if (target.protocol !== "http:") throw new Error(`fault proxy target must be http://, got ${options.target}`);
  const targetPrefix = target.pathname.replace(/\/+$/, "");
  const retryAfterSeconds = options.retryAfterSeconds ?? 1;
  const retryAfterOn503 = options.retryAfterOn503 ?? true;
  const slowMs = options.slowMs ?? 200;
  const toleranceMs = options.retryAfterToleranceMs ?? 10;

  const agent = new http.Agent({ keepAlive: true });
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const keys = new Map<string, KeyState>();
  const events: FaultEvent[] = [];
  const faultCounts: Record<Fault, number> = { "429": 0, "500": 0, "503": 0, reset: 0, slow: 0 };
  let maxConsecutiveSeen = 0;
  let violations = 0;
  let open = 0;
  let stopping = false;
  let proxyOrigin = "";

  const keyState = (key: string): KeyState => {
    let state = keys.get(key);
    if (!state) {
      state = { random: mulberry32((options.seed ^ fnv1a(key)) >>> 0), requests: 0, faults: 0, consecutive: 0 };
      keys.set(key, state);
    }
    return state;
  };

  const later = (ms: number, then: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      then();
    }, ms);
    timers.add(timer);
  };

  /** Answers with a fault status once the request body is in (discarded), so keep-alive stays sound. */
  const answerFault = (req: IncomingMessage, res: ServerResponse, fault: "429" | "500" | "503", state: KeyState) => {
    const body = JSON.stringify({ errors: [{ ...FAULT_BODIES[fault], detail: { injectedBy: "fault-proxy" } }] });
    const headers: Record<string, string | number> = {
      "content-type": "application/json; charset=utf-8",
      "content-length": Buffer.byteLength(body),
      "docker-distribution-api-version": "registry/2.0",
      "x-fault-proxy": fault,
    };
    const withRetryAfter = fault === "429" || (fault === "503" && retryAfterOn503);
    if (withRetryAfter) headers["retry-after"] = String(retryAfterSeconds);
    const respond = () => {
      if (res.headersSent || res.destroyed) return;
      res.writeHead(Number(fault), headers);
      res.end(body);
    };
    if (withRetryAfter) {
      res.once("finish", () => (state.retryAfter = { sentAt: performance.now(), ms: retryAfterSeconds * 1000 }));
    }
    req.once("end", respond);
    req.once("error", () => undefined);
    req.resume();
  };

  const forward = (req: IncomingMessage, res: ServerResponse, slow: "headers" | "body" | undefined) => {
    const headers: http.OutgoingHttpHeaders = {};
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i];
      const lower = name.toLowerCase();
      // Host is the target's; Expect: 100-continue was answered here already.
      if (HOP_BY_HOP.has(lower) || lower === "host" || lower === "expect") continue;
      const value = req.rawHeaders[i + 1];
      const existing = headers[lower];
      headers[lower] = existing === undefined ? value : ([] as string[]).concat(existing as string | string[], value);
    }
    headers.host = target.host;

    const upstream = http.request({
      protocol: target.protocol,
      hostname: target.hostname,
      port: target.port,
      method: req.method,
      path: targetPrefix + (req.url ?? "/"),
      headers,
      agent,
    });

    upstream.once("response", (answer) => {
      const out: string[] = [];
      for (let i = 0; i < answer.rawHeaders.length; i += 2) {
        const name = answer.rawHeaders[i];
        if (HOP_BY_HOP.has(name.toLowerCase())) continue;
        out.push(name, rewriteResponseHeader(name, answer.rawHeaders[i + 1], target, proxyOrigin));
      }
      const send = () => {
        if (res.destroyed) return answer.destroy();
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, out);
        const done = (error: Error | null | undefined) => {
          if (error) res.destroy();
        };
        const length = Number(answer.headers["content-length"]);
        if (slow === "body") pipeline(answer, dribble(slowMs, Number.isFinite(length) ? length : undefined, timers), res, done);
        else pipeline(answer, res, done);
      };
      if (slow === "headers") later(slowMs, send);
      else send();
    });

    upstream.once("error", (error) => {
      if (res.headersSent || res.destroyed) return void res.destroy();
      const body = JSON.stringify({ errors: [{ code: "UNKNOWN", message: `fault-proxy: upstream ${target.origin}: ${error.message}` }] });
      res.writeHead(502, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(body) });
      res.end(body);
    });

    // Streams the request body; a client that goes away takes the upstream request with it.
    pipeline(req, upstream, () => undefined);
    res.once("close", () => {
      if (!res.writableFinished) upstream.destroy();
    });
  };

  const server = http.createServer((req, res) => {
    open++;
    res.once("close", () => open--);
    const at = performance.now();
    const method = req.method ?? "GET";
    const rawUrl = req.url ?? "/";
    const queryAt = rawUrl.indexOf("?");
    const path = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
    const query = queryAt === -1 ? "" : rawUrl.slice(queryAt + 1);
    const key = `${method} ${rawUrl}`;
    const state = keyState(key);
    state.requests++;

    let retryAfterViolation = false;
    if (state.retryAfter && at - state.retryAfter.sentAt < state.retryAfter.ms - toleranceMs) {
      retryAfterViolation = true;
      violations++;
    }

    const eligible = options.only ? options.only({ method, path, query, key }) : true;
    const decision: Decision = eligible ? decide(state, options) : { fault: null };
    if (eligible) {
      if (decision.fault) {
        state.consecutive++;
        state.faults++;
        faultCounts[decision.fault]++;
        maxConsecutiveSeen = Math.max(maxConsecutiveSeen, state.consecutive);
      } else {
        state.consecutive = 0;
      }
    }
    events.push({
      seq: events.length,
      key,
      method,
      path,
      fault: decision.fault,
      ...(decision.slowMode ? { slowMode: decision.slowMode } : {}),
      eligible,
      retryAfterViolation,
      at,
    });

    switch (decision.fault) {
      case "429":
      case "500":
      case "503":
        return answerFault(req, res, decision.fault, state);
      case "reset": {
        const socket = req.socket as Socket & { resetAndDestroy?: () => void };
        if (typeof socket.resetAndDestroy === "function") socket.resetAndDestroy();
        else socket.destroy();
        return;
      }
      case "slow":
        return forward(req, res, decision.slowMode);
      default:
        return forward(req, res, undefined);
    }
  });

  server.on("connection", (socket: Socket) => {
    if (stopping) return void socket.destroy();
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  server.on("clientError", (_error, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  proxyOrigin = `http://127.0.0.1:${port}`;

  let stopped: Promise<void> | undefined;
  return {
    url: proxyOrigin,
    host: `127.0.0.1:${port}`,
    stats: () => {
      const byKey = new Map<string, number>();
      const faultsByKey = new Map<string, number>();
      for (const [key, state] of keys) {
        byKey.set(key, state.requests);
        if (state.faults) faultsByKey.set(key, state.faults);
      }
      return { requests: events.length, faults: { ...faultCounts }, byKey, faultsByKey, maxConsecutiveSeen };
    },
    retryAfterViolations: () => violations,
    log: () => events.map((event) => ({ ...event })),
    inFlight: () => open,
    stop: () => {
      stopped ??= new Promise<void>((resolve) => {
        stopping = true;
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
        agent.destroy();
      });
      return stopped;
    },
  };
}
