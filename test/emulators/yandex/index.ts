/**
 * Yandex Container Registry, emulated (registry-apis.md §7) on three origins,
 * as in Yandex Cloud:
 *  - the IAM service: `POST /iam/v1/tokens` with `{yandexPassportOauthToken}`
 *    or `{jwt}` (a service account key's PS256 JWT: kid, iss, aud = this URL,
 *    exp - iat <= 3600, signature checked) → `{iamToken, expiresAt}`;
 *  - the Container Registry API: `GET /container-registry/v1/registries/{id}`,
 *    `/repositories?registryId=`, `/images?repositoryName=|registryId=`, with
 *    `Authorization: Bearer <IAM token>`, `pageSize` capped at a small page
 *    (default 2: a second page is always served) and an opaque
 *    `pageToken`/`nextPageToken`, errors as google.rpc.Status bodies
 *    `{code, message, details}` (16 → 401, 7 → 403, 5 → 404, 3 → 400);
 *  - the registry host: `/v2/` is the real registry behind a token service
 *    (`/token`) that takes Basic `iam:<IAM token>` (or `oauth:<OAuth token>`,
 *    as `docker login` does) and grants pull/push per role.
 * Roles are per account on the registry or on a repository:
 * `container-registry.viewer` (list), `.images.puller` (pull),
 * `.images.pusher` (pull, push), `.editor` and `.admin` (all of them).
 *
 *   const yc = await startYandexEmulator({ accounts: [{ id: "aje1", oauthToken: "y0_x", registryRoles: [VIEWER, PULLER] }],
 *     catalog: [{ repository: "team/api", tags: [{ tag: "1.0", createdAt: "2024-03-01T00:00:00Z" }] }] });
 *   // drydock: url yc.registryUrl, apiUrl yc.apiUrl, DRYDOCK_YANDEX_IAM_URL yc.iamUrl, insecure
 *   await yc.stop();
 */
import { constants, createPublicKey, generateKeyPairSync, randomBytes, verify } from "node:crypto";
import { BASE_LAYER, buildImage, type ImageSpec } from "../../registry/image-builder";
import { pushBuiltImage, pushManifest } from "../../registry/push";
import {
  type Access,
  type Emulator,
  type EmulatorServer,
  narrowScopes,
  type RecordedRequest,
  type RouteContext,
  type RouteHandler,
  sendJson,
  startEmulator,
  startEmulatorServer,
} from "../shared";

export const ROLES = {
  viewer: "container-registry.viewer",
  puller: "container-registry.images.puller",
  pusher: "container-registry.images.pusher",
  editor: "container-registry.editor",
  admin: "container-registry.admin",
} as const;
export type YandexRole = (typeof ROLES)[keyof typeof ROLES];

const LISTS: readonly YandexRole[] = [ROLES.viewer, ROLES.editor, ROLES.admin];
const PULLS: readonly YandexRole[] = [ROLES.puller, ROLES.pusher, ROLES.editor, ROLES.admin];
const PUSHES: readonly YandexRole[] = [ROLES.pusher, ROLES.editor, ROLES.admin];

export interface YandexAccount {
  /** The user's or service account's id (a JWT's `iss`). */
  id: string;
  /** A Yandex OAuth token of this user, exchangeable for IAM tokens. */
  oauthToken?: string;
  /** The service account's authorized keys (see `serviceAccountKey`). */
  keys?: { id: string; publicKeyPem: string }[];
  /** IAM tokens this account holds already (the `iam` kind). */
  iamTokens?: string[];
  /** Roles on the registry. */
  registryRoles?: YandexRole[];
  /** Roles on single repositories, by name without the registry id. */
  repositoryRoles?: Record<string, YandexRole[]>;
}

export interface CatalogRepository {
  repository: string;
  /** One image per tag (a small one, unless `spec` is given), created at `createdAt` as the API reports it. */
  tags: { tag: string; createdAt: string | Date; spec?: ImageSpec }[];
}

export interface YandexEmulatorOptions {
  /** Default `crpemulator0`. */
  registryId?: string;
  folderId?: string;
  accounts: YandexAccount[];
  catalog?: CatalogRepository[];
  /** The most items one API page holds, whatever `pageSize` asks; default 2. */
  pageSize?: number;
  /** IAM token lifetime; default 12 h. */
  iamTokenLifetimeSeconds?: number;
}

export interface StoredImage {
  id: string;
  /** Repository name without the registry id. */
  repository: string;
  digest: string;
  tags: string[];
  createdAt: Date;
  compressedSize: number;
}

export interface YandexEmulator {
  registryId: string;
  /** `http://127.0.0.1:<port>/<registryId>`: the integration's url. */
  registryUrl: string;
  /** The integration's apiUrl. */
  apiUrl: string;
  /** The IAM tokens endpoint (DRYDOCK_YANDEX_IAM_URL). */
  iamUrl: string;
  /** The registry host (shared emulator base: /v2/ and the token service). */
  registry: Emulator;
  api: EmulatorServer;
  iam: EmulatorServer;
  accounts: YandexAccount[];
  images: StoredImage[];
  /** IAM tokens issued by exchange, in order. */
  issued: { token: string; account: string; via: "oauth" | "jwt" }[];
  /** Pushes an image under `<registryId>/<repository>` with `tags` and records it as created at `createdAt` (default now). */
  push(repository: string, tags: string[], spec?: ImageSpec, createdAt?: Date): Promise<StoredImage>;
  /** Answers requests before the emulator does, on one origin; the handler returns false to pass. Null removes it. */
  intercept(origin: "registry" | "api", handler: ((context: RouteContext) => boolean | Promise<boolean>) | null): void;
  /** API list requests that asked for a next page. */
  pagedRequests(): RecordedRequest[];
  stop(): Promise<void>;
}

/** A service account authorized key as `yc iam key create` writes it, and the public half for `YandexAccount.keys`. */
export function serviceAccountKey(serviceAccountId: string, keyId = `ajk${randomBytes(6).toString("hex")}`): { json: string; key: { id: string; publicKeyPem: string } } {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const publicKeyPem = publicKey.export({ type: "spki", format: "pem" }).toString();
  const json = JSON.stringify({
    id: keyId,
    service_account_id: serviceAccountId,
    created_at: new Date().toISOString(),
    key_algorithm: "RSA_2048",
    public_key: publicKeyPem,
    private_key: `PLEASE DO NOT REMOVE THIS LINE! Yandex.Cloud SA Key ID <${keyId}>\n${privateKey.export({ type: "pkcs8", format: "pem" })}`,
  });
  return { json, key: { id: keyId, publicKeyPem } };
}

const GRPC_TO_HTTP: Record<number, number> = { 3: 400, 5: 404, 7: 403, 16: 401 };

/** A google.rpc.Status error body, as Yandex Cloud's REST APIs answer. */
function sendStatus(context: RouteContext, code: 3 | 5 | 7 | 16, message: string): void {
  sendJson(context.res, GRPC_TO_HTTP[code], {
    code,
    message,
    details: [{ "@type": "type.googleapis.com/google.rpc.RequestInfo", requestId: randomBytes(8).toString("hex") }],
  });
}

const b64url = (text: string) => Buffer.from(text, "base64url").toString("utf8");

export async function startYandexEmulator(options: YandexEmulatorOptions): Promise<YandexEmulator> {
  const registryId = options.registryId ?? "crpemulator0";
  const folderId = options.folderId ?? "b1gemulatorfolder";
  const maxPage = options.pageSize ?? 2;
  const lifetimeMs = (options.iamTokenLifetimeSeconds ?? 12 * 3600) * 1000;
  const accounts = options.accounts;
  const images: StoredImage[] = [];
  const issued: YandexEmulator["issued"] = [];
  const iamTokens = new Map<string, { account: string; expiresAt: number }>();
  const intercepts: Record<"registry" | "api", ((context: RouteContext) => boolean | Promise<boolean>) | null> = { registry: null, api: null };

  const accountById = (id: string) => accounts.find((account) => account.id === id);
  const accountByIam = (token: string): YandexAccount | undefined => {
    const held = iamTokens.get(token);
    if (held && held.expiresAt > Date.now()) return accountById(held.account);
    return accounts.find((account) => account.iamTokens?.includes(token));
  };
  const rolesOn = (account: YandexAccount, repository?: string): YandexRole[] => [
    ...(account.registryRoles ?? []),
    ...(repository ? (account.repositoryRoles?.[repository] ?? []) : []),
  ];
  const has = (account: YandexAccount, wanted: readonly YandexRole[], repository?: string) => rolesOn(account, repository).some((role) => wanted.includes(role));

  // ------------------------------------------------------------------ IAM
  const iam = await startEmulatorServer({ recordBodies: true });
  const iamUrl = `${iam.url}/iam/v1/tokens`;
  const issue = (account: YandexAccount, via: "oauth" | "jwt") => {
    const token = `t1.${randomBytes(24).toString("base64url")}`;
    const expiresAt = Date.now() + lifetimeMs;
    iamTokens.set(token, { account: account.id, expiresAt });
    issued.push({ token, account: account.id, via });
    return { iamToken: token, expiresAt: new Date(expiresAt).toISOString() };
  };
  iam.route("POST", "/iam/v1/tokens", async (context) => {
    let body: { yandexPassportOauthToken?: unknown; jwt?: unknown } | undefined;
    try {
      body = await context.json();
    } catch {
      return sendStatus(context, 3, "Request body is not JSON");
    }
    if (typeof body?.yandexPassportOauthToken === "string") {
      const account = accounts.find((candidate) => candidate.oauthToken && candidate.oauthToken === body!.yandexPassportOauthToken);
      if (!account) return sendStatus(context, 16, "The OAuth token is invalid or has expired.");
      return sendJson(context.res, 200, issue(account, "oauth"));
    }
    if (typeof body?.jwt === "string") {
      const account = verifyJwt(body.jwt);
      if (typeof account === "string") return sendStatus(context, 16, account);
      return sendJson(context.res, 200, issue(account, "jwt"));
    }
    return sendStatus(context, 3, "One of yandexPassportOauthToken or jwt is required");
  });
  function verifyJwt(jwt: string): YandexAccount | string {
    const [header, payload, signature] = jwt.split(".");
    let head: { alg?: string; kid?: string; typ?: string };
    let claims: { iss?: string; aud?: string | string[]; iat?: number; exp?: number };
    try {
      head = JSON.parse(b64url(header));
      claims = JSON.parse(b64url(payload));
    } catch {
      return "The JWT is malformed.";
    }
    if (head.alg !== "PS256") return "Only PS256 JWTs are accepted.";
    const owner = accounts.find((account) => account.keys?.some((key) => key.id === head.kid));
    const key = owner?.keys?.find((candidate) => candidate.id === head.kid);
    if (!owner || !key) return "Unknown key id.";
    const ok = verify(
      "sha256",
      Buffer.from(`${header}.${payload}`),
      { key: createPublicKey(key.publicKeyPem), padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST },
      Buffer.from(signature ?? "", "base64url"),
    );
    if (!ok) return "The JWT signature is invalid.";
    if (claims.iss !== owner.id) return "The JWT issuer is not the key's service account.";
    if (![claims.aud].flat().includes(iamUrl)) return "The JWT audience is not this IAM endpoint.";
    const now = Date.now() / 1000;
    if (typeof claims.iat !== "number" || typeof claims.exp !== "number" || claims.exp - claims.iat > 3600 || claims.exp < now || claims.iat > now + 60) {
      return "The JWT is expired or lives longer than an hour.";
    }
    return owner;
  }

  // ------------------------------------------------------------------ registry host
  const registry = await startEmulator({
    service: "container-registry",
    tokenPath: "/token",
    authorize: (credentials, requested) => {
      if (!credentials) return "unauthorized";
      const account =
        credentials.username === "iam"
          ? accountByIam(credentials.password)
          : credentials.username === "oauth"
            ? accounts.find((candidate) => candidate.oauthToken === credentials.password)
            : undefined;
      if (!account) return "unauthorized";
      return narrowScopes(requested, (scope: Access) => {
        const repository = scope.type === "repository" && scope.name.startsWith(`${registryId}/`) ? scope.name.slice(registryId.length + 1) : null;
        if (!repository) return [];
        return [...(has(account, PULLS, repository) ? ["pull"] : []), ...(has(account, PUSHES, repository) ? ["push"] : [])];
      });
    },
  });

  // ------------------------------------------------------------------ Container Registry API
  const api = await startEmulatorServer();
  const interceptor = (origin: "registry" | "api", next: () => RouteHandler): RouteHandler => async (context) => {
    const handler = intercepts[origin];
    if (handler && (await handler(context))) return;
    await next()(context);
  };
  registry.server.route("*", "/*rest", interceptor("registry", () => registry.server.fallback));

  const authenticated = (context: RouteContext): YandexAccount | null => {
    const auth = context.authorization;
    const account = auth?.scheme === "bearer" ? accountByIam(auth.token) : undefined;
    if (!account) sendStatus(context, 16, "The token is invalid or has expired.");
    return account ?? null;
  };
  const permitted = (context: RouteContext, account: YandexAccount, repository?: string): boolean => {
    if (has(account, LISTS, repository)) return true;
    sendStatus(context, 7, "Permission denied");
    return false;
  };
  /** One page of `items` under `key`, the next page's token opaque. */
  const page = <T>(context: RouteContext, key: string, items: T[]) => {
    const asked = Number(context.query.get("pageSize") ?? 100);
    if (!Number.isInteger(asked) || asked < 0 || asked > 1000) return sendStatus(context, 3, "pageSize must be between 0 and 1000");
    const size = Math.min(asked || 100, maxPage);
    const token = context.query.get("pageToken");
    const start = token ? Number(b64url(token).replace(/^offset:/, "")) : 0;
    if (token && (!Number.isInteger(start) || start < 0 || !b64url(token).startsWith("offset:"))) return sendStatus(context, 3, "Invalid page token");
    const slice = items.slice(start, start + size);
    const next = start + size < items.length ? Buffer.from(`offset:${start + size}`).toString("base64url") : "";
    sendJson(context.res, 200, { [key]: slice, nextPageToken: next });
  };
  const imageJson = (image: StoredImage) => ({
    id: image.id,
    name: `${registryId}/${image.repository}`,
    digest: image.digest,
    compressedSize: String(image.compressedSize),
    tags: image.tags,
    createdAt: image.createdAt.toISOString(),
  });
  const repositories = () => [...new Set(images.map((image) => image.repository))].sort();

  api.route("*", "/*rest", interceptor("api", () => apiRoutes));

  function apiRoutes(context: RouteContext): void {
    if (context.method !== "GET") return sendStatus(context, 5, `Method ${context.method} not found`);
    const path = context.path.replace(/\/+$/, "");
    const registryMatch = /^\/container-registry\/v1\/registries\/([^/]+)$/.exec(path);
    if (registryMatch) {
      const account = authenticated(context);
      if (!account) return;
      if (decodeURIComponent(registryMatch[1]) !== registryId) return sendStatus(context, 7, "Permission denied"); // Yandex does not confirm other ids
      if (!permitted(context, account)) return;
      return sendJson(context.res, 200, { id: registryId, folderId, name: "emulated", status: "ACTIVE", createdAt: "2024-01-01T00:00:00Z", labels: {} });
    }
    if (path === "/container-registry/v1/repositories") {
      const account = authenticated(context);
      if (!account) return;
      const asked = context.query.get("registryId");
      if (!asked) return sendStatus(context, 3, "registryId or folderId is required");
      if (asked !== registryId) return sendStatus(context, 7, "Permission denied");
      if (!permitted(context, account)) return;
      return page(context, "repositories", repositories().map((name) => ({ name: `${registryId}/${name}`, id: `crr${Buffer.from(name).toString("hex").slice(0, 16)}` })));
    }
    if (path === "/container-registry/v1/images") {
      const account = authenticated(context);
      if (!account) return;
      const repositoryName = context.query.get("repositoryName");
      const asked = context.query.get("registryId");
      // Precedence: repositoryName > registryId (registry-apis.md §7.3).
      if (repositoryName) {
        if (!repositoryName.startsWith(`${registryId}/`)) return sendStatus(context, 7, "Permission denied");
        const repository = repositoryName.slice(registryId.length + 1);
        if (!permitted(context, account, repository)) return;
        return page(context, "images", images.filter((image) => image.repository === repository).map(imageJson));
      }
      if (!asked) return sendStatus(context, 3, "repositoryName, registryId or folderId is required");
      if (asked !== registryId) return sendStatus(context, 7, "Permission denied");
      if (!permitted(context, account)) return;
      return page(context, "images", images.map(imageJson));
    }
    return sendStatus(context, 5, `no route for ${context.method} ${context.path}`);
  }

  // ------------------------------------------------------------------ images
  const target = registry.pushTarget();
  let next = 1;
  async function push(repository: string, tags: string[], spec?: ImageSpec, createdAt = new Date()): Promise<StoredImage> {
    const built = buildImage(spec ?? { layers: [BASE_LAYER], config: { created: createdAt, labels: { "emulator.tags": tags.join(",") || repository } } });
    const name = `${registryId}/${repository}`;
    const [first, ...rest] = tags;
    const pushed = await pushBuiltImage(target, name, first, built);
    for (const tag of rest) await pushManifest(target, name, tag, built.manifest);
    for (const image of images) if (image.repository === repository) image.tags = image.tags.filter((tag) => !tags.includes(tag));
    const existing = images.find((image) => image.repository === repository && image.digest === pushed.manifestDigest);
    if (existing) {
      existing.tags = [...new Set([...existing.tags, ...tags])];
      return existing;
    }
    const stored: StoredImage = {
      id: `crpi${(next++).toString().padStart(8, "0")}`,
      repository,
      digest: pushed.manifestDigest,
      tags: [...tags],
      createdAt,
      compressedSize: [built.config, ...built.layers].reduce((sum, blob) => sum + blob.size, 0),
    };
    images.push(stored);
    return stored;
  }

  try {
    for (const { repository, tags } of options.catalog ?? []) {
      for (const { tag, createdAt, spec } of tags) await push(repository, [tag], spec, new Date(createdAt));
    }
  } catch (error) {
    await Promise.all([registry.stop(), api.stop(), iam.stop()]);
    throw error;
  }

  return {
    registryId,
    registryUrl: `${registry.url}/${registryId}`,
    apiUrl: api.url,
    iamUrl,
    registry,
    api,
    iam,
    accounts,
    images,
    issued,
    push,
    intercept: (origin, handler) => void (intercepts[origin] = handler),
    pagedRequests: () => api.requests().filter((request) => request.query.has("pageToken")),
    stop: async () => {
      await Promise.all([registry.stop(), api.stop(), iam.stop()]);
    },
  };
}
