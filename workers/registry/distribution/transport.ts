/**
 * HTTP for one endpoint: an undici Agent with that endpoint's TLS rules
 * (certificate verification unless insecure; its CA bundle added to the
 * system CAs), timeouts, manual redirects (at most 5; the Authorization header
 * is dropped once the origin changes; no https → http downgrade unless
 * insecure), and network failures mapped to REGISTRY_TLS / REGISTRY_UNREACHABLE.
 */
import type { IncomingHttpHeaders } from "node:http";
import { rootCertificates } from "node:tls";
import { Agent, request, type Dispatcher } from "undici";
import { RegistryError } from "../errors";

export interface TransportOptions {
  insecure: boolean;
  caCertificate: string | null;
  /** Per-attempt timeout for connecting, for the headers, and between body chunks. */
  timeoutMs: number;
  userAgent: string;
  maxRedirects?: number;
}

export interface TransportRequest {
  method: "GET" | "HEAD" | "POST";
  url: URL;
  headers?: Record<string, string>;
  /** POST only. A POST is never redirected: its body may carry a secret. */
  body?: string;
  /** Sent to `url`'s origin only: dropped when a redirect leaves it. */
  authorization?: string;
  signal?: AbortSignal;
}

export type ResponseBody = Dispatcher.ResponseData["body"];

export interface TransportResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** Where the answer came from, after redirects. */
  url: URL;
  body: ResponseBody;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export class Transport {
  private readonly agent: Agent;
  private readonly maxRedirects: number;

  constructor(private readonly options: TransportOptions) {
    this.maxRedirects = options.maxRedirects ?? 5;
    this.agent = new Agent({
      connect: {
        rejectUnauthorized: !options.insecure,
        // `ca` replaces Node's default trust store: keep the system CAs and add the bundle.
        ...(options.caCertificate ? { ca: [...rootCertificates, options.caCertificate] } : {}),
        timeout: options.timeoutMs,
      },
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      keepAliveTimeout: 10_000,
    });
  }

  async send(req: TransportRequest): Promise<TransportResponse> {
    let url = req.url;
    let authorization = req.authorization;
    for (let hop = 0; ; hop++) {
      const headers: Record<string, string> = { "user-agent": this.options.userAgent, ...req.headers };
      if (authorization) headers.authorization = authorization;
      let answer: Dispatcher.ResponseData;
      try {
        // undici closes the socket after every HEAD by default (against servers that send a body anyway);
        // registries do not, and listing HEADs every tag, so keep the connection.
        answer = await request(url, { dispatcher: this.agent, method: req.method, headers, body: req.body, signal: req.signal, reset: false });
      } catch (error) {
        throw this.networkError(error, url, req.signal);
      }
      const location = answer.headers.location;
      if (!REDIRECTS.has(answer.statusCode) || typeof location !== "string") {
        return { status: answer.statusCode, headers: answer.headers, url, body: answer.body };
      }
      await discard(answer.body);
      if (req.method === "POST") {
        throw new RegistryError("REGISTRY_PROTOCOL", `POST ${describeUrl(req.url)}: refused to follow a redirect with a request body`, {
          retryable: false,
          status: answer.statusCode,
        });
      }
      if (hop >= this.maxRedirects) {
        throw new RegistryError("REGISTRY_PROTOCOL", `${req.method} ${describeUrl(req.url)}: more than ${this.maxRedirects} redirects`, {
          retryable: false,
          status: answer.statusCode,
        });
      }
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw new RegistryError("REGISTRY_PROTOCOL", `${req.method} ${describeUrl(url)}: redirect to an invalid URL`, { retryable: false });
      }
      if (next.protocol !== "https:" && !(next.protocol === "http:" && this.options.insecure)) {
        throw new RegistryError("REGISTRY_PROTOCOL", `${req.method} ${describeUrl(url)}: refused a redirect to ${next.protocol}//${next.host}`, {
          retryable: false,
        });
      }
      if (next.origin !== url.origin) authorization = undefined; // and never again in this chain
      url = next;
    }
  }

  /** Maps an undici/Node failure; a caller's abort passes through as is. */
  networkError(error: unknown, url: URL, signal?: AbortSignal): unknown {
    if (error instanceof RegistryError) return error;
    if (signal?.aborted) return signal.reason ?? error;
    return mapNetworkError(error, url);
  }

  async close(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const graceful = this.agent.close().catch(() => undefined);
    const late = new Promise<"late">((resolve) => {
      timer = setTimeout(() => resolve("late"), 1000);
      timer.unref();
    });
    if ((await Promise.race([graceful, late])) === "late") await this.agent.destroy();
    clearTimeout(timer);
  }
}

/** Reads and drops a body that nobody needs (bounded), ignoring its errors. */
export async function discard(body: ResponseBody): Promise<void> {
  try {
    await body.dump({ limit: 64 * 1024 });
  } catch {
    // the connection goes away with it
  }
}

/** `https://host:port/path` without query, for messages (queries may hold an account name). */
export function describeUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

const TLS_UNTRUSTED = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_UNTRUSTED",
  "CERT_SIGNATURE_FAILURE",
  "CERT_REJECTED",
  "INVALID_CA",
  "CERT_CHAIN_TOO_LONG",
]);
const TLS_DATES = new Set(["CERT_HAS_EXPIRED", "CERT_NOT_YET_VALID"]);
const TIMEOUTS = new Set(["UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "ETIMEDOUT", "ESOCKETTIMEDOUT"]);
const RESETS = new Set(["ECONNRESET", "EPIPE", "UND_ERR_SOCKET", "ECONNABORTED", "UND_ERR_RES_CONTENT_LENGTH_MISMATCH"]);
const NO_HOST = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_NONAME", "EAI_FAIL"]);
const NO_ROUTE = new Set(["EHOSTUNREACH", "ENETUNREACH", "EHOSTDOWN", "ENETDOWN", "EADDRNOTAVAIL"]);

/** Every `code` on an error, its causes and aggregated errors. */
function errorCodes(error: unknown, depth = 0, into: string[] = []): string[] {
  if (depth > 4 || typeof error !== "object" || error === null) return into;
  const e = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === "string") into.push(e.code);
  errorCodes(e.cause, depth + 1, into);
  if (Array.isArray(e.errors)) for (const inner of e.errors) errorCodes(inner, depth + 1, into);
  return into;
}

export function mapNetworkError(error: unknown, url: URL): RegistryError {
  const codes = errorCodes(error);
  const where = url.host;
  const has = (set: ReadonlySet<string>) => codes.find((c) => set.has(c));
  const fail = (code: "REGISTRY_TLS" | "REGISTRY_UNREACHABLE", message: string, retryable: boolean) =>
    new RegistryError(code, message, { retryable, cause: error });
  let found: string | undefined;
  if ((found = has(TLS_UNTRUSTED))) {
    return fail("REGISTRY_TLS", `the TLS certificate of ${where} is not trusted (${found}): add its CA certificate to the integration, or mark it insecure`, false);
  }
  if ((found = has(TLS_DATES))) return fail("REGISTRY_TLS", `the TLS certificate of ${where} is not trusted: it is outside its validity period (${found})`, false);
  if (codes.includes("ERR_TLS_CERT_ALTNAME_INVALID")) {
    return fail("REGISTRY_TLS", `the TLS certificate of ${where} is not trusted: it is not issued for this host name`, false);
  }
  if (codes.some((c) => c.startsWith("ERR_SSL_") || c === "EPROTO" || c.startsWith("ERR_TLS_"))) {
    return fail("REGISTRY_TLS", `the TLS handshake with ${where} failed (${codes.find((c) => c.startsWith("ERR_") || c === "EPROTO")}): does it speak https on this port?`, false);
  }
  if ((found = has(TIMEOUTS))) return fail("REGISTRY_UNREACHABLE", `${where} did not answer in time (${found})`, true);
  if (codes.includes("ECONNREFUSED")) return fail("REGISTRY_UNREACHABLE", `${where} refused the connection`, true);
  if ((found = has(NO_HOST))) return fail("REGISTRY_UNREACHABLE", `the host name of ${where} could not be resolved (${found})`, true);
  if ((found = has(NO_ROUTE))) return fail("REGISTRY_UNREACHABLE", `${where} is not reachable (${found})`, true);
  if ((found = has(RESETS))) return fail("REGISTRY_UNREACHABLE", `the connection to ${where} was closed unexpectedly (${found})`, true);
  return fail("REGISTRY_UNREACHABLE", `the request to ${where} failed (${codes[0] ?? (error as Error)?.name ?? "unknown error"})`, true);
}
