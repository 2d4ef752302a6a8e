/**
 * The one OCI distribution client every registry adapter pulls through
 * (registry-apis.md §1). One instance per endpoint; its layers, one file each:
 *
 *   retry.ts      attempts with backoff, Retry-After        (around each operation)
 *   limits.ts     per-endpoint concurrency, bounded bodies  (a permit per request)
 *   auth.ts       challenges, Basic, Bearer tokens per scope
 *   transport.ts  undici Agent with the endpoint's TLS rules, redirects, network errors
 *
 * Nothing here logs; errors never carry credentials or tokens.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { Readable } from "node:stream";
import { isRegistryError, redactSecrets, RegistryError } from "../errors";
import { type AuthScheme, type AuthScope, Authenticator, type Authorization, BASE_SCOPE, basicAuthorization, CATALOG_SCOPE, pullScope } from "./auth";
import { DigestVerifier, digestOf, mismatch, parseDigest, requireDigest, verifyDigest } from "./digest";
import { type RegistryEndpoint, registryUrl, resolveEndpoint, type ResolvedEndpoint } from "./endpoint";
import { abandon, MiB, readBounded, Semaphore } from "./limits";
import {
  bareMediaType,
  type ImageIndexJson,
  type ImageManifestJson,
  MANIFEST_ACCEPT,
  type ManifestJson,
  type ManifestMediaType,
  parseJson,
  parseManifest,
} from "./media-types";
import { nextPageUrl } from "./pagination";
import { assertReference, assertRepositoryName } from "./reference";
import { errorFromResponse, type Operation } from "./response-errors";
import { DEFAULT_RETRY, type RetryEvent, type RetryOptions, withRetry } from "./retry";
import { describeUrl, discard, Transport, type TransportResponse } from "./transport";

export interface ClientOptions {
  /** Requests in flight to this endpoint at once (a streaming blob counts until it is closed); default 8. */
  concurrency?: number;
  /** Default 4 MiB. */
  maxManifestBytes?: number;
  /** Configs, listings and token answers; default 4 MiB. */
  maxJsonBytes?: number;
  /** Default { attempts: 4, baseDelayMs: 250, maxDelayMs: 8000, maxRetryAfterMs: 60000 }. */
  retry?: RetryOptions;
  /** Per attempt: connect, headers, and idle time between body chunks; default 30 s. */
  requestTimeoutMs?: number;
  userAgent?: string;
  /** Clock for token expiry and Retry-After dates; default Date.now. */
  now?: () => number;
  /** Told about every retry (for logs and metrics; carries no credentials). */
  onRetry?: (event: RetryEvent & { operation: string }) => void;
  /** Every registry answer's status and headers (token realms excluded), before its body is read: pull-quota headers. */
  onResponse?: (status: number, headers: IncomingHttpHeaders) => void;
}

export type FetchedManifest = {
  /** The verified digest of `bytes`. */
  digest: string;
  mediaType: ManifestMediaType;
  /** The exact bytes the digest is over. */
  bytes: Buffer;
} & ({ kind: "image"; json: ImageManifestJson } | { kind: "index"; json: ImageIndexJson });

export interface ManifestHead {
  digest: string;
  mediaType: string;
  size: number;
}

export type { ManifestJson };

interface Call {
  method: "GET" | "HEAD";
  url: URL;
  scope: AuthScope;
  operation: Operation;
  accept?: string;
  signal?: AbortSignal;
}

interface Held {
  response: TransportResponse;
  auth: AuthScheme;
  release: () => void;
}

const ERROR_BODY_LIMIT = 64 * 1024;
const PING_BODY_LIMIT = 64 * 1024;

export class DistributionClient {
  // `#` fields: what holds credentials or tokens stays out of JSON.stringify, util.inspect and loggers.
  readonly #endpoint: ResolvedEndpoint | null;
  readonly #auth: Authenticator | null = null;
  readonly #secrets: string[] = [];
  /** Why the endpoint is unusable (http without insecure, bad URL): every operation rejects with it. */
  private readonly invalid: RegistryError | null = null;
  private readonly transport: Transport | null = null;
  private readonly limiter: Semaphore;
  private readonly retry: RetryOptions;
  private readonly now: () => number;
  private readonly maxManifestBytes: number;
  private readonly maxJsonBytes: number;
  private closed = false;
  private closing: Promise<void> | undefined;

  constructor(
    endpoint: RegistryEndpoint,
    private readonly options: ClientOptions = {},
  ) {
    this.limiter = new Semaphore(options.concurrency ?? 8);
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.now = options.now ?? Date.now;
    this.maxManifestBytes = options.maxManifestBytes ?? 4 * MiB;
    this.maxJsonBytes = options.maxJsonBytes ?? 4 * MiB;
    if (typeof endpoint.credentials === "object" && endpoint.credentials?.secret) {
      const { username, secret } = endpoint.credentials;
      this.#secrets.push(secret, basicAuthorization(username, secret).slice("Basic ".length));
    }
    let resolved: ResolvedEndpoint | null = null;
    try {
      resolved = resolveEndpoint(endpoint);
    } catch (error) {
      if (!isRegistryError(error)) throw error;
      this.invalid = error;
    }
    this.#endpoint = resolved;
    if (!resolved) return;
    this.transport = new Transport({
      insecure: resolved.insecure,
      caCertificate: resolved.caCertificate,
      timeoutMs: options.requestTimeoutMs ?? 30_000,
      userAgent: options.userAgent ?? "drydock/0.1",
    });
    this.#auth = new Authenticator(resolved, (url, authorization) => this.tokenRequest(url, authorization), {
      now: this.now,
      redact: (text) => this.redact(text),
    });
  }

  /** `https://host:port` of the registry, or null when the endpoint is invalid. */
  get origin(): string | null {
    return this.#endpoint?.origin ?? null;
  }

  /** Requests holding a permit now (for tests and metrics). */
  get inFlight(): number {
    return this.limiter.inFlight;
  }

  /** GET /v2/ including the auth handshake: proves the address is a registry and the credentials work. */
  async ping(): Promise<{ status: number; auth: AuthScheme }> {
    return this.operation("check the registry", async () => {
      const url = this.url("");
      const held = await this.request({ method: "GET", url, scope: BASE_SCOPE, operation: "ping" });
      const { response } = held;
      let body: Buffer;
      try {
        body = await this.read(response, PING_BODY_LIMIT, "the /v2/ answer");
      } finally {
        held.release();
      }
      if (!looksLikeRegistry(response, body)) {
        throw new RegistryError(
          "REGISTRY_PROTOCOL",
          `not a registry: ${describeUrl(url)} answered HTTP ${response.status} without Docker-Distribution-API-Version (${bareMediaType(response.headers["content-type"]) ?? "no content type"})`,
          { retryable: false, status: response.status },
        );
      }
      return { status: response.status, auth: held.auth };
    });
  }

  /** Every repository in the catalog, following `Link` pages (`n` = pageSize when given). */
  repositories(pageSize?: number): AsyncIterable<string> {
    return this.pages(() => this.url("_catalog", { n: pageSize }), CATALOG_SCOPE, "catalog", "repositories", "list the catalog");
  }

  /** Every tag of a repository, following `Link` pages (`n` = pageSize when given). */
  tags(repository: string, pageSize?: number): AsyncIterable<string> {
    return this.pages(
      () => {
        assertRepositoryName(repository);
        return this.url(`${repository}/tags/list`, { n: pageSize });
      },
      pullScope(repository),
      "tags",
      "tags",
      `list the tags of ${repository}`,
    );
  }

  /**
   * GET a manifest (Docker schema 2, OCI manifest, Docker list, OCI index),
   * size-capped and digest-verified: against the digest asked for, or the
   * Docker-Content-Digest header when fetched by tag.
   */
  async getManifest(repository: string, reference: string): Promise<FetchedManifest> {
    const what = `manifest ${repository}${reference.includes(":") ? "@" : ":"}${reference}`;
    return this.operation(`get ${what}`, async () => {
      const url = this.manifestUrl(repository, reference);
      const expected = parseDigest(reference) ?? (reference.includes(":") ? requireDigest(reference) : null);
      const { response, body } = await this.fetchBody({ method: "GET", url, scope: pullScope(repository), operation: "manifest", accept: MANIFEST_ACCEPT }, this.maxManifestBytes, what);
      let digest: string;
      if (expected) {
        verifyDigest(body, expected, what);
        digest = expected.value;
      } else {
        const header = headerValue(response.headers["docker-content-digest"]);
        const claimed = parseDigest(header);
        if (claimed) verifyDigest(body, claimed, what);
        digest = claimed?.value ?? digestOf(body);
      }
      const parsed = parseManifest(body, response.headers["content-type"], what);
      return { digest, bytes: body, ...parsed } as FetchedManifest;
    });
  }

  /** HEAD a manifest: existence, digest, media type and size without the body (falls back to GET when headers are missing). */
  async headManifest(repository: string, reference: string): Promise<ManifestHead> {
    const what = `manifest ${repository}${reference.includes(":") ? "@" : ":"}${reference}`;
    const head = await this.operation(`check ${what}`, async () => {
      const url = this.manifestUrl(repository, reference);
      const expected = parseDigest(reference) ?? (reference.includes(":") ? requireDigest(reference) : null);
      const held = await this.request({ method: "HEAD", url, scope: pullScope(repository), operation: "manifest", accept: MANIFEST_ACCEPT });
      await discard(held.response.body);
      held.release();
      const { headers } = held.response;
      const claimed = parseDigest(headerValue(headers["docker-content-digest"]));
      if (expected && claimed && claimed.value !== expected.value) throw mismatch(what, expected.value, claimed.value);
      const digest = expected?.value ?? claimed?.value;
      const size = Number(headerValue(headers["content-length"]));
      const mediaType = bareMediaType(headers["content-type"]);
      if (!digest || !Number.isSafeInteger(size) || size <= 0 || !mediaType) return null;
      return { digest, mediaType, size };
    });
    if (head) return head;
    const manifest = await this.getManifest(repository, reference);
    return { digest: manifest.digest, mediaType: manifest.mediaType, size: manifest.bytes.length };
  }

  /** A small JSON blob (an image config): size-capped, digest-verified, parsed. */
  async getJsonBlob<T>(repository: string, digest: string): Promise<T> {
    const what = `blob ${repository}@${digest}`;
    return this.operation(`get ${what}`, async () => {
      assertRepositoryName(repository);
      const expected = requireDigest(digest);
      const url = this.url(`${repository}/blobs/${expected.value}`);
      const { body } = await this.fetchBody({ method: "GET", url, scope: pullScope(repository), operation: "blob" }, this.maxJsonBytes, what);
      verifyDigest(body, expected, what);
      return parseJson(body, what) as T;
    });
  }

  /**
   * A blob as a stream, never buffered whole. Its digest is checked at the
   * end: a mismatch is an `error` (DIGEST_MISMATCH) instead of `end`. The
   * request holds a concurrency permit until the stream ends or is destroyed.
   * Only the opening is retried; a failure mid-stream is an `error`
   * (REGISTRY_UNREACHABLE, retryable) for the caller to retry.
   */
  async openBlob(repository: string, digest: string, signal?: AbortSignal): Promise<Readable> {
    const what = `blob ${repository}@${digest}`;
    return this.operation(
      `get ${what}`,
      async () => {
        assertRepositoryName(repository);
        const expected = requireDigest(digest);
        const url = this.url(`${repository}/blobs/${expected.value}`);
        const held = await this.request({ method: "GET", url, scope: pullScope(repository), operation: "blob", signal });
        const { body } = held.response;
        const verifier = new DigestVerifier(expected, what);
        verifier.once("close", () => {
          held.release();
          if (!body.destroyed) abandon(body);
        });
        body.on("error", (error) => verifier.destroy(this.transport!.networkError(error, held.response.url, signal) as Error));
        body.pipe(verifier);
        return verifier;
      },
      signal,
    );
  }

  /** Closes the connections; later calls reject. */
  close(): Promise<void> {
    this.closed = true;
    this.closing ??= this.transport?.close() ?? Promise.resolve();
    return this.closing;
  }

  // ------------------------------------------------------------------ internals

  private url(path: string, query?: Record<string, string | number | undefined>): URL {
    return registryUrl(this.#endpoint!, path, query);
  }

  private manifestUrl(repository: string, reference: string): URL {
    assertRepositoryName(repository);
    assertReference(reference);
    return this.url(`${repository}/manifests/${reference}`);
  }

  /** Runs one operation with retries; errors say what was being done. */
  private async operation<T>(what: string, run: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.invalid) throw this.invalid;
    if (this.closed) throw new RegistryError("REGISTRY_UNREACHABLE", "the distribution client is closed", { retryable: false });
    try {
      return await withRetry(run, this.retry, {
        signal,
        onRetry: this.options.onRetry && ((event) => this.options.onRetry!({ ...event, operation: what })),
      });
    } catch (error) {
      throw isRegistryError(error) ? error.withContext(what) : error;
    }
  }

  /**
   * One request under a concurrency permit, through the auth handshake
   * (at most three sends). A non-2xx answer becomes its RegistryError; a
   * 2xx answer is returned with the permit still held.
   */
  private async request(call: Call): Promise<Held> {
    const release = await this.limiter.acquire(call.signal);
    try {
      let sent: Authorization = await this.#auth!.initial(call.scope);
      for (let send = 1; ; send++) {
        const response = await this.transport!.send({
          method: call.method,
          url: call.url,
          headers: call.accept ? { accept: call.accept } : {},
          authorization: sent.header,
          signal: call.signal,
        });
        this.options.onResponse?.(response.status, response.headers);
        // A challenge counts only from the registry itself, not from where a redirect led.
        if (response.status === 401 && send < 3 && response.url.origin === call.url.origin) {
          await discard(response.body);
          sent = await this.#auth!.respond(call.scope, sent, response.headers["www-authenticate"]);
          continue;
        }
        if (response.status >= 200 && response.status < 300) return { response, auth: sent.scheme, release };
        const body = call.method === "HEAD" ? undefined : await this.read(response, ERROR_BODY_LIMIT, "error body").catch(() => undefined);
        if (!body) await discard(response.body);
        throw errorFromResponse(response.status, response.headers, body, {
          operation: call.operation,
          describe: `${call.method} ${describeUrl(call.url)}`,
          now: this.now(),
          redact: (text) => this.redact(text),
        });
      }
    } catch (error) {
      release();
      throw error;
    }
  }

  /** request() and read the whole (bounded) body; the permit is released after. */
  private async fetchBody(call: Call, limit: number, what: string): Promise<{ response: TransportResponse; body: Buffer }> {
    const held = await this.request(call);
    try {
      return { response: held.response, body: await this.read(held.response, limit, what) };
    } finally {
      held.release();
    }
  }

  private read(response: TransportResponse, limit: number, what: string): Promise<Buffer> {
    return readBounded(response.body, limit, what, response.headers["content-length"], (error) =>
      this.transport!.networkError(error, response.url),
    );
  }

  /** Token realm GETs: same agent (the endpoint's CA bundle applies), no concurrency permit (the asking request holds one). */
  private async tokenRequest(url: URL, authorization: string | undefined) {
    const response = await this.transport!.send({ method: "GET", url, authorization });
    const body = await this.read(response, Math.min(this.maxJsonBytes, MiB), "token answer").catch((error: unknown) => {
      if (response.status >= 200 && response.status < 300) throw error;
      return Buffer.alloc(0);
    });
    return { status: response.status, headers: response.headers, body };
  }

  private pages(
    first: () => URL,
    scope: AuthScope,
    operation: "catalog" | "tags",
    key: "repositories" | "tags",
    what: string,
  ): AsyncIterable<string> {
    const client = this;
    return {
      async *[Symbol.asyncIterator]() {
        let url: URL | undefined = await client.operation(what, async () => first());
        const seen = new Set<string>();
        while (url) {
          seen.add(url.href);
          const pageUrl: URL = url;
          const page = await client.operation(what, async () => {
            const { response, body } = await client.fetchBody({ method: "GET", url: pageUrl, scope, operation }, client.maxJsonBytes, `${key} page`);
            const json = parseJson(body, `the ${key} page`) as Record<string, unknown> | null;
            const items = json?.[key] ?? [];
            if (!Array.isArray(items) || !items.every((item) => typeof item === "string")) {
              throw new RegistryError("REGISTRY_PROTOCOL", `the ${key} page has no list of names`, { retryable: false });
            }
            const next = nextPageUrl(response.headers.link, pageUrl);
            if (next && next.origin !== pageUrl.origin) {
              throw new RegistryError("REGISTRY_PROTOCOL", `the next ${key} page is on another origin (${next.origin})`, { retryable: false });
            }
            if (next && seen.has(next.href)) throw new RegistryError("REGISTRY_PROTOCOL", `the ${key} pages loop back to ${describeUrl(next)}`, { retryable: false });
            return { items: items as string[], next };
          });
          yield* page.items;
          url = page.next;
        }
      },
    };
  }

  private redact(text: string): string {
    return redactSecrets(text, [...this.#secrets, ...(this.#auth?.issued ?? [])]);
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** A 2xx from /v2/ is a registry's when it says so in the header, or answers JSON (some registries omit the header). */
function looksLikeRegistry(response: TransportResponse, body: Buffer): boolean {
  if (headerValue(response.headers["docker-distribution-api-version"])?.toLowerCase().startsWith("registry/2")) return true;
  const type = bareMediaType(response.headers["content-type"]);
  if (type !== undefined && type !== "application/json" && !type.endsWith("+json")) return false;
  try {
    const json: unknown = JSON.parse(body.toString("utf8") || "{}");
    return typeof json === "object" && json !== null && !Array.isArray(json);
  } catch {
    return false;
  }
}
