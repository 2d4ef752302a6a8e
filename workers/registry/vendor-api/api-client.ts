/**
 * JSON over HTTP for a vendor's management API (Harbor, GitLab, Artifactory,
 * Nexus, Docker Hub, Yandex), on the same transport rules as the registry
 * client: the integration's TLS settings, bounded bodies, retries with
 * backoff and Retry-After, redirects that drop the Authorization header when
 * they leave the origin, and a POST that is never redirected.
 *
 * The Authorization header goes to the base URL's origin only; a caller that
 * asks for another origin (a vendor's login service) passes its own.
 */
import type { IncomingHttpHeaders } from "node:http";
import { printable, redactSecrets, RegistryError } from "../errors";
import { MiB, readBounded, Semaphore } from "../distribution/limits";
import { DEFAULT_RETRY, parseRetryAfter, withRetry, type RetryEvent, type RetryOptions } from "../distribution/retry";
import { describeUrl, discard, Transport, type TransportResponse } from "../distribution/transport";

export interface VendorApiOptions {
  /** The API base every relative path is resolved under, e.g. `https://harbor.example.com/api/v2.0`. */
  baseUrl: string;
  /** How messages name this API: `the Harbor API`. */
  label: string;
  insecure: boolean;
  caCertificate: string | null;
  /** The Authorization header for the base URL's origin; called per request (logins and short-lived tokens may refresh). */
  authorization?: () => Promise<string | undefined> | string | undefined;
  /** Texts never to repeat in a message (the secret, derived tokens). */
  secrets?: () => readonly string[];
  /** Requests in flight at once; default 8. */
  concurrency?: number;
  retry?: RetryOptions;
  /** Per attempt: connect, headers, and idle time between body chunks; default 30 s. */
  requestTimeoutMs?: number;
  /** Default 8 MiB: vendor listings are paged, so one page stays well under it. */
  maxJsonBytes?: number;
  userAgent?: string;
  now?: () => number;
  onRetry?: (event: RetryEvent & { operation: string }) => void;
  /** Every answer's status and headers, before its body is read (rate-limit headers, pagination totals). */
  onResponse?: (status: number, headers: IncomingHttpHeaders, url: URL) => void;
}

export interface ApiAnswer<T> {
  status: number;
  headers: IncomingHttpHeaders;
  /** Where the answer came from, after redirects. */
  url: URL;
  body: T;
}

export interface ApiRequest {
  /** Extra headers; `authorization` here replaces the API's own. */
  headers?: Record<string, string>;
  /** Statuses answered as `{ status, body: null }` instead of an error (e.g. 404 for "absent"). */
  accept?: readonly number[];
  /** Statuses answered with their JSON body instead of an error (a login's 401 that says why). */
  acceptWithBody?: readonly number[];
  signal?: AbortSignal;
}

type Query = Record<string, string | number | boolean | undefined>;

const ERROR_BODY_LIMIT = 64 * 1024;

export class VendorApiClient {
  readonly #options: VendorApiOptions;
  private readonly base: URL;
  private readonly transport: Transport;
  private readonly limiter: Semaphore;
  private readonly retry: RetryOptions;
  private readonly now: () => number;

  constructor(options: VendorApiOptions) {
    this.#options = options;
    this.base = parseBase(options.baseUrl, options.label, options.insecure);
    this.limiter = new Semaphore(options.concurrency ?? 8);
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.now = options.now ?? Date.now;
    this.transport = new Transport({
      insecure: options.insecure,
      caCertificate: options.caCertificate?.trim() ? options.caCertificate : null,
      timeoutMs: options.requestTimeoutMs ?? 30_000,
      userAgent: options.userAgent ?? "drydock/0.1",
    });
  }

  get origin(): string {
    return this.base.origin;
  }

  /** `path` under the base (`projects` → `<base>/projects`; an absolute URL is taken as is) with its query. */
  url(path: string | URL, query: Query = {}): URL {
    const url = typeof path === "string" ? new URL(/^https?:\/\//.test(path) ? path : `${this.base.href.replace(/\/$/, "")}/${path.replace(/^\//, "")}`) : new URL(path);
    for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, String(value));
    return url;
  }

  getJson<T>(path: string | URL, query: Query = {}, request: ApiRequest = {}): Promise<ApiAnswer<T>> {
    return this.call<T>("GET", this.url(path, query), undefined, request);
  }

  postJson<T>(path: string | URL, value: unknown, request: ApiRequest = {}): Promise<ApiAnswer<T>> {
    return this.call<T>("POST", this.url(path), JSON.stringify(value), request);
  }

  /** Every page from `first` on, each answer handed out before the next is asked; `next` says where the next page is. */
  async *pages<T>(first: URL, next: (answer: ApiAnswer<T>) => URL | undefined, request: ApiRequest = {}): AsyncIterable<ApiAnswer<T>> {
    const seen = new Set<string>();
    for (let url: URL | undefined = first; url; ) {
      if (seen.has(url.href)) throw new RegistryError("REGISTRY_PROTOCOL", `${this.#options.label}: pagination loops back to a page already read (${describeUrl(url)})`, { retryable: false });
      seen.add(url.href);
      const answer: ApiAnswer<T> = await this.getJson<T>(url, {}, request);
      yield answer;
      url = next(answer);
    }
  }

  close(): Promise<void> {
    return this.transport.close();
  }

  private async call<T>(method: "GET" | "POST", url: URL, body: string | undefined, request: ApiRequest): Promise<ApiAnswer<T>> {
    const what = `${method} ${describeUrl(url)}`;
    return withRetry(
      () => this.limiter.run(() => this.once<T>(method, url, body, request, what), request.signal),
      this.retry,
      { signal: request.signal, onRetry: (event) => this.#options.onRetry?.({ ...event, operation: what }) },
    );
  }

  private async once<T>(method: "GET" | "POST", url: URL, body: string | undefined, request: ApiRequest, what: string): Promise<ApiAnswer<T>> {
    const headers: Record<string, string> = { accept: "application/json", ...request.headers };
    if (body !== undefined) headers["content-type"] = "application/json";
    let authorization: string | undefined = headers.authorization;
    delete headers.authorization;
    if (authorization === undefined && url.origin === this.base.origin) authorization = await this.#options.authorization?.();
    const response = await this.transport.send({ method, url, headers, authorization, body, signal: request.signal });
    this.#options.onResponse?.(response.status, response.headers, response.url);
    const ok = response.status >= 200 && response.status < 300;
    const withBody = request.acceptWithBody?.includes(response.status) ?? false;
    if (!ok && !withBody && !request.accept?.includes(response.status)) throw await this.failure(response, what);
    if (!ok && !withBody) {
      await discard(response.body);
      return { status: response.status, headers: response.headers, url: response.url, body: null as T };
    }
    const bytes = await readBounded(response.body, this.#options.maxJsonBytes ?? 8 * MiB, `${this.#options.label} answer`, response.headers["content-length"], (error) =>
      this.transport.networkError(error, response.url),
    );
    if (bytes.length === 0) return { status: response.status, headers: response.headers, url: response.url, body: null as T };
    try {
      return { status: response.status, headers: response.headers, url: response.url, body: JSON.parse(bytes.toString("utf8")) as T };
    } catch {
      throw new RegistryError("REGISTRY_PROTOCOL", `${what}: ${this.#options.label} answered with invalid JSON`, { retryable: false, status: response.status });
    }
  }

  private async failure(response: TransportResponse, what: string): Promise<RegistryError> {
    const bytes = await readBounded(response.body, ERROR_BODY_LIMIT, "error body", undefined).catch(() => undefined);
    if (!bytes) await discard(response.body);
    const said = this.redact(errorText(bytes)).slice(0, 300);
    const detail = `HTTP ${response.status}${said ? ` (${said})` : ""}`;
    const options = { status: response.status, retryAfterMs: parseRetryAfter(response.headers["retry-after"], this.now()) };
    const label = this.#options.label;
    if (response.status === 429) return new RegistryError("RATE_LIMITED", `${what}: ${label} is rate limiting, ${detail}`, { ...options, retryable: true });
    if (response.status >= 500 || response.status === 408) return new RegistryError("REGISTRY_UNREACHABLE", `${what}: ${label} failed, ${detail}`, { ...options, retryable: true });
    if (response.status === 401) return new RegistryError("REGISTRY_UNAUTHORIZED", `${what}: ${label} refused the credentials, ${detail}`, options);
    if (response.status === 403) return new RegistryError("REGISTRY_FORBIDDEN", `${what}: not permitted by ${label}, ${detail}`, options);
    if (response.status === 404) return new RegistryError("REGISTRY_PROTOCOL", `${what}: not found in ${label}, ${detail}`, { ...options, retryable: false });
    return new RegistryError("REGISTRY_PROTOCOL", `${what}: unexpected answer from ${label}, ${detail}`, { ...options, retryable: false });
  }

  private redact(text: string): string {
    return redactSecrets(text, this.#options.secrets?.() ?? []);
  }
}

function parseBase(raw: string, label: string, insecure: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new RegistryError("REGISTRY_PROTOCOL", `the address of ${label} is not a valid URL`, { retryable: false });
  }
  if (url.username || url.password) throw new RegistryError("REGISTRY_PROTOCOL", `the address of ${label} must not contain credentials`, { retryable: false });
  if (url.protocol === "http:" && !insecure) {
    throw new RegistryError("REGISTRY_TLS", `${url.origin} uses plain http://, which is only allowed when the integration is marked insecure`, { retryable: false });
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new RegistryError("REGISTRY_PROTOCOL", `the address of ${label} must start with https://`, { retryable: false });
  return url;
}

/** What a vendor said in an error body: the shapes Harbor, GitLab, Artifactory, Nexus, Docker Hub and Yandex use, else printable text. */
function errorText(bytes: Buffer | undefined): string {
  if (!bytes || bytes.length === 0) return "";
  const text = bytes.toString("utf8");
  try {
    const json = JSON.parse(text) as Record<string, unknown>;
    const parts: string[] = [];
    const add = (value: unknown) => {
      if (typeof value === "string" && value) parts.push(value);
      else if (value && typeof value === "object" && !Array.isArray(value)) for (const inner of Object.values(value)) add(inner);
    };
    for (const list of [json.errors]) if (Array.isArray(list)) for (const e of list) add((e as Record<string, unknown>)?.message ?? (e as Record<string, unknown>)?.code);
    add(json.message);
    add(json.detail);
    add(json.error_description ?? json.error);
    return printable(parts.join("; "));
  } catch {
    return printable(text);
  }
}
