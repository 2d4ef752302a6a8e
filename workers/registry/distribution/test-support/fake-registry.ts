/**
 * An in-memory distribution registry and token service for the client's
 * unit tests (the real registry is in test/registry/). Auth: none, Basic, or
 * Bearer with tokens from `tokenService` and scope checks that answer
 * `error="insufficient_scope"` like distribution does. Test-only code.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { basic, type Handler, pathOf, queryOf, sendError, sendJson, sha256, V2_HEADERS } from "./servers";

interface StoredManifest {
  bytes: Buffer;
  mediaType: string;
  digest: string;
}

export type FakeAuth =
  | { kind: "basic"; username: string; secret: string; scheme?: string }
  | { kind: "bearer"; realm: () => string; service: string; tokens: TokenStore; catalogChallenge?: "basic" };

/** Tokens issued by a token service and what each grants. */
export class TokenStore {
  readonly granted = new Map<string, Set<string>>();
  private next = 1;
  issue(scopes: string[]): string {
    const token = `tok-${this.next++}-${Math.random().toString(36).slice(2)}`;
    this.granted.set(token, new Set(scopes));
    return token;
  }
  revokeAll(): void {
    this.granted.clear();
  }
}

export class FakeRegistry {
  readonly manifests = new Map<string, Map<string, StoredManifest>>();
  readonly blobs = new Map<string, Buffer>();
  /** Optional hooks tests set. */
  blobRedirect: ((digest: string, req: IncomingMessage) => string | undefined) | undefined;
  /** Page size when the client sends no `n`. */
  defaultPageSize = 100;

  constructor(public auth: FakeAuth | undefined = undefined) {}

  putBlob(content: Buffer | string): string {
    const bytes = Buffer.from(content);
    const digest = sha256(bytes);
    this.blobs.set(digest, bytes);
    return digest;
  }

  /** Stores a manifest under its digest and the given tags; resolves its digest. */
  putManifest(repository: string, tags: string[], json: unknown, mediaType = "application/vnd.oci.image.manifest.v1+json"): string {
    const bytes = Buffer.from(JSON.stringify(json));
    const digest = sha256(bytes);
    const refs = this.manifests.get(repository) ?? new Map<string, StoredManifest>();
    this.manifests.set(repository, refs);
    for (const ref of [digest, ...tags]) refs.set(ref, { bytes, mediaType, digest });
    return digest;
  }

  /** A small OCI image: config blob + one layer; resolves the manifest and config digests. */
  putImage(repository: string, tags: string[], created = "2024-01-02T03:04:05Z"): { digest: string; configDigest: string; config: unknown } {
    const config = { created, architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] } };
    const configBytes = Buffer.from(JSON.stringify(config));
    const configDigest = this.putBlob(configBytes);
    const layer = Buffer.from(`layer of ${repository}`);
    const layerDigest = this.putBlob(layer);
    const digest = this.putManifest(repository, tags, {
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: configDigest, size: configBytes.length },
      layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: layerDigest, size: layer.length }],
    });
    return { digest, configDigest, config };
  }

  tagsOf(repository: string): string[] {
    return [...(this.manifests.get(repository)?.keys() ?? [])].filter((ref) => !ref.includes(":")).sort();
  }

  readonly handler: Handler = (req, res) => this.handle(req, res);

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = pathOf(req);
    if (path === "/v2/" || path === "/v2") {
      if (!this.authorize(req, res, "")) return;
      return sendJson(res, 200, {}, V2_HEADERS);
    }
    if (path === "/v2/_catalog") {
      if (!this.authorize(req, res, "registry:catalog:*")) return;
      return this.page(req, res, "/v2/_catalog", "repositories", [...this.manifests.keys()].sort(), {});
    }
    const match = /^\/v2\/(.+)\/(tags\/list|manifests|blobs)(?:\/([^/]+))?$/.exec(path);
    if (!match) return sendError(res, 404, "UNSUPPORTED", "no such route");
    const [, name, kind, ref] = match;
    if (!this.authorize(req, res, `repository:${name}:pull`)) return;
    const refs = this.manifests.get(name);
    if (kind === "tags/list") {
      if (!refs) return sendError(res, 404, "NAME_UNKNOWN", "repository name not known to registry");
      return this.page(req, res, `/v2/${name}/tags/list`, "tags", this.tagsOf(name), { name });
    }
    if (kind === "manifests") {
      const stored = refs?.get(ref ?? "");
      if (!stored) {
        if (req.method === "HEAD") return void res.writeHead(404).end();
        return refs ? sendError(res, 404, "MANIFEST_UNKNOWN", "manifest unknown") : sendError(res, 404, "NAME_UNKNOWN", "repository name not known to registry");
      }
      res.writeHead(200, { "content-type": stored.mediaType, "content-length": stored.bytes.length, "docker-content-digest": stored.digest, ...V2_HEADERS });
      return void res.end(req.method === "HEAD" ? undefined : stored.bytes);
    }
    const target = this.blobRedirect?.(ref ?? "", req);
    if (target) return void res.writeHead(307, { location: target }).end();
    const blob = this.blobs.get(ref ?? "");
    if (!blob) return sendError(res, 404, "BLOB_UNKNOWN", "blob unknown to registry");
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": blob.length, "docker-content-digest": ref ?? "" });
    res.end(req.method === "HEAD" ? undefined : blob);
  }

  private page(req: IncomingMessage, res: ServerResponse, path: string, key: string, all: string[], extra: Record<string, string>): void {
    const query = queryOf(req);
    const n = query.has("n") ? Number(query.get("n")) : this.defaultPageSize;
    const last = query.get("last");
    const rest = last === null ? all : all.filter((item) => item > last);
    const items = rest.slice(0, n);
    const headers: Record<string, string> = { ...V2_HEADERS };
    if (n > 0 && rest.length > items.length) {
      const next = new URLSearchParams({ last: items[items.length - 1], n: String(n) });
      headers.link = `<${path}?${next}>; rel="next"`;
    }
    sendJson(res, 200, { ...extra, [key]: items }, headers);
  }

  /** Answers 401 (and returns false) unless the request may do `scope`. */
  private authorize(req: IncomingMessage, res: ServerResponse, scope: string): boolean {
    const auth = this.auth;
    if (!auth) return true;
    const header = req.headers.authorization;
    if (auth.kind === "basic") {
      if (header === basic(auth.username, auth.secret)) return true;
      sendError(res, 401, "UNAUTHORIZED", "authentication required", { "www-authenticate": `${auth.scheme ?? "Basic"} realm="fake registry, basic"`, ...V2_HEADERS });
      return false;
    }
    if (scope === "registry:catalog:*" && auth.catalogChallenge === "basic") {
      // Harbor: the catalog answers a Basic challenge, and accepts Basic.
      if (header?.startsWith("Basic ")) return true;
      sendError(res, 401, "UNAUTHORIZED", "authentication required", { "www-authenticate": 'Basic realm="harbor"' });
      return false;
    }
    const token = header?.startsWith("Bearer ") ? header.slice(7) : undefined;
    const granted = token ? auth.tokens.granted.get(token) : undefined;
    if (granted && (scope === "" || granted.has(scope))) return true;
    const params = [`realm="${auth.realm()}"`, `service="${auth.service}"`];
    if (scope) params.push(`scope="${scope}"`);
    if (token) params.push(granted ? 'error="insufficient_scope"' : 'error="invalid_token"');
    sendError(res, 401, "UNAUTHORIZED", "authentication required", { "www-authenticate": `Bearer ${params.join(",")}`, ...V2_HEADERS });
    return false;
  }
}

export interface TokenServiceOptions {
  tokens: TokenStore;
  /** Accepted accounts; Basic with anything else answers 401. */
  users: Record<string, string>;
  /** Whether `user` (null: anonymous) gets `scope`; default: everything for users, nothing for anonymous. */
  permit?: (user: string | null, scope: string) => boolean;
  expiresIn?: number;
  /** Which field carries the token; default both. */
  field?: "token" | "access_token" | "both";
  /** Anonymous requests answer 401 instead of a token without rights. */
  anonymousRefused?: boolean;
}

/** A token service (registry-apis.md §1.6) as a request handler. */
export function tokenService(options: TokenServiceOptions): Handler {
  return (req, res) => {
    const header = req.headers.authorization;
    let user: string | null = null;
    if (header) {
      const [scheme, encoded] = header.split(" ");
      const decoded = scheme === "Basic" ? Buffer.from(encoded ?? "", "base64").toString() : "";
      const colon = decoded.indexOf(":");
      const name = decoded.slice(0, colon);
      if (colon < 0 || options.users[name] === undefined || options.users[name] !== decoded.slice(colon + 1)) {
        return sendJson(res, 401, { details: "incorrect username or password" }, { "www-authenticate": 'Basic realm="token"' });
      }
      user = name;
    } else if (options.anonymousRefused) {
      return sendJson(res, 401, { details: "authentication required" }, { "www-authenticate": 'Basic realm="token"' });
    }
    const permit = options.permit ?? ((who) => who !== null);
    const scopes = queryOf(req).getAll("scope").filter((scope) => permit(user, scope));
    const token = options.tokens.issue(scopes);
    const field = options.field ?? "both";
    sendJson(res, 200, {
      ...(field !== "access_token" ? { token } : {}),
      ...(field !== "token" ? { access_token: token } : {}),
      ...(options.expiresIn !== undefined ? { expires_in: options.expiresIn } : {}),
      issued_at: new Date().toISOString(),
    });
  };
}
