/**
 * Docker Hub on three loopback origins, as drydock sees the real one
 * (registry-apis.md §6):
 *
 *  - `apiUrl`: the Hub API. `POST /v2/users/login` (password or personal
 *    access token → `{token}`; `{detail, login_2fa_token}` for two-factor
 *    accounts), `GET /v2/namespaces/{ns}/repositories` and
 *    `.../repositories/{repo}/tags` paged by `page`/`page_size` with an
 *    absolute `next` (the page size is capped at `maxPageSize`, default 2, so
 *    a second page is always served), `GET /v2/users/{name}` (`type` User or
 *    Organization). Errors are `{detail, message}`.
 *  - `url`: the registry, the real distribution registry behind token auth,
 *    every manifest answer carrying `ratelimit-limit`/`ratelimit-remaining`
 *    (`<n>;w=<seconds>`); each authorized manifest GET spends one pull (HEAD
 *    does not), and a GET with nothing left is a 429 `TOOMANYREQUESTS`.
 *  - `authUrl`: the token service (`/token`, service `registry.docker.io`).
 *
 * Permission model: an account reads every repository of its own namespace
 * (a user's, or an organisation's through an organisation access token) and
 * the public ones of others; anonymous callers the public ones only.
 */
import { type RegistryTarget } from "../../registry/push";
import {
  type Access,
  narrowScopes,
  type RecordedRequest,
  type RouteContext,
  type RouteHandler,
  sendJson,
  startEmulator,
  startEmulatorServer,
  type Emulator,
  type EmulatorServer,
} from "../shared";

export interface HubAccount {
  /** The Docker ID, which is also its namespace. */
  username: string;
  password?: string;
  /** Personal (or, for an organisation, organisation) access tokens, accepted wherever the password is. */
  accessTokens?: string[];
  /** Default "user". */
  kind?: "user" | "organization";
  /** The password login asks for a second factor (an access token does not). */
  twoFactor?: boolean;
}

export interface HubTagSpec {
  name: string;
  /** `tag_last_pushed`. */
  pushedAt: Date;
}

export interface HubRepositorySpec {
  /** `namespace/name`. */
  repository: string;
  private?: boolean;
  /** Default "image". */
  repositoryType?: string;
  /** Tags as the Hub lists them; digests and platform images are read from the registry (pushed beforehand). */
  tags: HubTagSpec[];
}

export interface PullQuotaSpec {
  limit: number;
  remaining: number;
  windowSeconds: number;
}

export interface DockerHubEmulatorOptions {
  accounts: HubAccount[];
  catalog?: HubRepositorySpec[];
  /** The most results one page holds, whatever `page_size` asks; default 2. */
  maxPageSize?: number;
  /** The pull quota every manifest answer announces; none when absent (unlimited). */
  pullQuota?: PullQuotaSpec;
}

export interface DockerHubEmulator {
  /** The registry (`url`). */
  url: string;
  /** The Hub API (`apiUrl`). */
  apiUrl: string;
  /** The token service's origin (DRYDOCK_DOCKER_HUB_AUTH_URL). */
  authUrl: string;
  emulator: Emulator;
  api: EmulatorServer;
  /** Adds or replaces a repository of the catalog. */
  setRepository(spec: HubRepositorySpec): void;
  /** The quota from now on (null: no headers). */
  setPullQuota(quota: PullQuotaSpec | null): void;
  pullQuota(): PullQuotaSpec | null;
  /** Manifest GETs served (pulls counted against the quota). */
  pulls(): number;
  /** Answers instead of the Hub API or the registry while set (leak tests: challenges, redirects); return false to go on. */
  intercept(side: "api" | "registry", handler: ((context: RouteContext) => boolean | Promise<boolean>) | null): void;
  apiRequests(): RecordedRequest[];
  registryRequests(): RecordedRequest[];
  tokenRequests(): RecordedRequest[];
  pushTarget(): RegistryTarget;
  stop(): Promise<void>;
}

const SERVICE = "registry.docker.io";
const MANIFEST = /^\/v2\/(.+)\/manifests\/[^/]+$/;
const ACCEPT = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

interface TagDetail {
  digest: string;
  mediaType: string;
  images: { architecture: string; os: string; variant: string | null; digest: string }[];
}

export async function startDockerHubEmulator(options: DockerHubEmulatorOptions): Promise<DockerHubEmulator> {
  const maxPageSize = options.maxPageSize ?? 2;
  const repositories = new Map<string, HubRepositorySpec>();
  for (const spec of options.catalog ?? []) repositories.set(spec.repository, spec);
  let quota: PullQuotaSpec | null = options.pullQuota ? { ...options.pullQuota } : null;
  let pulls = 0;
  const intercepts: Record<"api" | "registry", ((context: RouteContext) => boolean | Promise<boolean>) | null> = { api: null, registry: null };
  const sessions = new Map<string, HubAccount>();

  const accountFor = (username: string, secret: string): HubAccount | null => {
    const account = options.accounts.find((a) => a.username === username);
    if (!account) return null;
    return account.password === secret || account.accessTokens?.includes(secret) ? account : null;
  };
  const mayRead = (account: HubAccount | null, repository: string): boolean => {
    const spec = repositories.get(repository);
    if (!spec) return false;
    return !spec.private || (account !== null && repository.startsWith(`${account.username}/`));
  };

  const emulator = await startEmulator({
    service: SERVICE,
    tokenPath: "/token",
    tokenServer: "separate",
    authorize: (credentials, requested: Access[]) => {
      const account = credentials ? accountFor(credentials.username, credentials.password) : null;
      if (credentials && !account) return "unauthorized";
      return narrowScopes(requested, (access) => (access.type === "repository" && mayRead(account, access.name) ? ["pull"] : []));
    },
  });
  const api = await startEmulatorServer({ recordBodies: true });

  // ------------------------------------------------------------ registry side

  const registryFallback = emulator.server.fallback;
  emulator.server.fallback = async (context) => {
    if (intercepts.registry && (await intercepts.registry(context))) return;
    const manifest = MANIFEST.exec(context.path);
    // A request without a token is answered by the registry's challenge, which counts as no pull.
    const pull = manifest !== null && context.method === "GET" && context.authorization?.scheme === "bearer";
    if (manifest && quota && (context.method === "GET" || context.method === "HEAD")) {
      if (pull) {
        if (quota.remaining <= 0) {
          sendJson(context.res, 429, { errors: [{ code: "TOOMANYREQUESTS", message: "You have reached your pull rate limit.", detail: null }] }, quotaHeaders(quota));
          return;
        }
        quota.remaining -= 1;
        pulls += 1;
      }
      for (const [name, value] of Object.entries(quotaHeaders(quota))) context.res.setHeader(name, value);
    } else if (pull) {
      pulls += 1;
    }
    await registryFallback(context);
  };

  // Tag details straight from the registry (digest, platform images), as the Hub lists them.
  const details = new Map<string, Promise<TagDetail | null>>();
  const registryGet = async (repository: string, reference: string): Promise<{ digest: string; mediaType: string; json: any } | null> => {
    const token = emulator.signer.sign({ subject: "hub-emulator", access: [{ type: "repository", name: repository, actions: ["pull"] }] });
    const answer = await fetch(`${emulator.registry.url}/v2/${repository}/manifests/${reference}`, { headers: { accept: ACCEPT, authorization: `Bearer ${token}` } });
    if (answer.status !== 200) return null;
    return { digest: answer.headers.get("docker-content-digest") ?? "", mediaType: (answer.headers.get("content-type") ?? "").split(";")[0], json: await answer.json() };
  };
  const detailOf = (repository: string, tag: string): Promise<TagDetail | null> => {
    const key = `${repository}:${tag}`;
    let pending = details.get(key);
    if (!pending) {
      pending = (async () => {
        const top = await registryGet(repository, tag);
        if (!top) return null;
        if (Array.isArray(top.json.manifests)) {
          const images = (top.json.manifests as any[]).map((entry) => ({
            architecture: entry.platform?.architecture ?? "unknown",
            os: entry.platform?.os ?? "unknown",
            variant: entry.platform?.variant ?? null,
            digest: entry.digest as string,
          }));
          return { digest: top.digest, mediaType: top.mediaType, images };
        }
        const config = await configOf(repository, top.json.config?.digest);
        return { digest: top.digest, mediaType: top.mediaType, images: [{ architecture: config.architecture ?? "amd64", os: config.os ?? "linux", variant: config.variant ?? null, digest: top.digest }] };
      })();
      details.set(key, pending);
      pending.catch(() => details.delete(key));
    }
    return pending;
  };
  const configOf = async (repository: string, digest: string | undefined): Promise<{ architecture?: string; os?: string; variant?: string }> => {
    if (!digest) return {};
    const token = emulator.signer.sign({ subject: "hub-emulator", access: [{ type: "repository", name: repository, actions: ["pull"] }] });
    const answer = await fetch(`${emulator.registry.url}/v2/${repository}/blobs/${digest}`, { headers: { authorization: `Bearer ${token}` } });
    return answer.status === 200 ? ((await answer.json()) as { architecture?: string; os?: string; variant?: string }) : {};
  };

  // ------------------------------------------------------------ Hub API

  const session = (context: RouteContext): HubAccount | null | "invalid" => {
    const auth = context.authorization;
    if (!auth) return null;
    if (auth.scheme !== "bearer") return "invalid";
    return sessions.get(auth.token) ?? "invalid";
  };
  const guarded = (handler: (context: RouteContext, account: HubAccount | null) => void | Promise<void>): RouteHandler => async (context) => {
    if (intercepts.api && (await intercepts.api(context))) return;
    const account = session(context);
    if (account === "invalid") return sendJson(context.res, 401, { detail: "Authentication credentials were not provided or are invalid.", message: "unauthorized" });
    await handler(context, account);
  };
  const page = <T>(context: RouteContext, all: T[]) => {
    const number = Math.max(1, Number(context.query.get("page") ?? "1") || 1);
    const size = Math.min(maxPageSize, Math.max(1, Number(context.query.get("page_size") ?? "10") || 10));
    const results = all.slice((number - 1) * size, number * size);
    const link = (n: number) => {
      const url = new URL(`${api.url}${context.path}`);
      url.searchParams.set("page", String(n));
      url.searchParams.set("page_size", String(size));
      return url.href;
    };
    return { count: all.length, next: number * size < all.length ? link(number + 1) : null, previous: number > 1 ? link(number - 1) : null, results };
  };
  const namespaceExists = (ns: string) => options.accounts.some((a) => a.username === ns) || [...repositories.keys()].some((r) => r.startsWith(`${ns}/`));

  api.route("POST", "/v2/users/login", async (context) => {
    if (intercepts.api && (await intercepts.api(context))) return;
    const body = (await context.json<{ username?: string; password?: string }>().catch(() => undefined)) ?? {};
    const account = accountFor(body.username ?? "", body.password ?? "");
    if (!account) return sendJson(context.res, 401, { detail: "Incorrect authentication credentials", message: "Incorrect authentication credentials" });
    if (account.twoFactor && account.password === body.password) {
      return sendJson(context.res, 401, { detail: "Require secondary authentication on MFA enabled account", login_2fa_token: `2fa-${Math.random().toString(36).slice(2)}` });
    }
    const token = `hub-jwt-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
    sessions.set(token, account);
    sendJson(context.res, 200, { token });
  });

  api.route("GET", "/v2/namespaces/:namespace/repositories", guarded((context, account) => {
    const ns = context.params.namespace;
    if (!namespaceExists(ns)) return sendJson(context.res, 404, { detail: "Not found", message: `namespace ${ns} not found` });
    const listed = [...repositories.values()]
      .filter((spec) => spec.repository.startsWith(`${ns}/`) && mayRead(account, spec.repository))
      .sort((a, b) => a.repository.localeCompare(b.repository))
      .map((spec) => ({
        name: spec.repository.slice(ns.length + 1),
        namespace: ns,
        repository_type: spec.repositoryType ?? "image",
        status: 1,
        status_description: "active",
        description: "",
        is_private: spec.private ?? false,
        star_count: 0,
        pull_count: 0,
        last_updated: new Date(Math.max(0, ...spec.tags.map((t) => t.pushedAt.getTime()))).toISOString(),
        affiliation: "",
        content_types: ["image"],
      }));
    sendJson(context.res, 200, page(context, listed));
  }));

  api.route("GET", "/v2/namespaces/:namespace/repositories/:repository/tags", guarded(async (context, account) => {
    const repository = `${context.params.namespace}/${context.params.repository}`;
    if (!mayRead(account, repository)) return sendJson(context.res, 404, { detail: "Object not found", message: "httperror 404: object not found" });
    const spec = repositories.get(repository)!;
    const sorted = [...spec.tags].sort((a, b) => b.pushedAt.getTime() - a.pushedAt.getTime() || a.name.localeCompare(b.name));
    const answer = page(context, sorted);
    const results = await Promise.all(
      answer.results.map(async (tag, i) => {
        const detail = await detailOf(repository, tag.name);
        return {
          id: i + 1,
          name: tag.name,
          repository: 1,
          creator: 1,
          last_updater: 1,
          last_updater_username: spec.repository.split("/")[0],
          last_updated: tag.pushedAt.toISOString(),
          tag_last_pushed: tag.pushedAt.toISOString(),
          tag_last_pulled: null,
          tag_status: "active",
          full_size: 1,
          v2: true,
          ...(detail ? { digest: detail.digest, media_type: detail.mediaType, content_type: "image" } : {}),
          images: (detail?.images ?? []).map((image) => ({ ...image, features: "", os_features: "", os_version: null, size: 1, status: "active", last_pulled: null, last_pushed: tag.pushedAt.toISOString() })),
        };
      }),
    );
    sendJson(context.res, 200, { ...answer, results });
  }));

  api.route("GET", "/v2/users/:name", guarded((context) => {
    const account = options.accounts.find((a) => a.username === context.params.name);
    if (!account) return sendJson(context.res, 404, { detail: "Not found", message: "user not found" });
    sendJson(context.res, 200, {
      id: `id-${account.username}`,
      username: account.username,
      full_name: "",
      type: account.kind === "organization" ? "Organization" : "User",
      date_joined: "2020-01-01T00:00:00Z",
    });
  }));

  return {
    url: emulator.url,
    apiUrl: api.url,
    authUrl: emulator.tokenServer.url,
    emulator,
    api,
    setRepository: (spec) => void repositories.set(spec.repository, spec),
    setPullQuota: (next) => void (quota = next && { ...next }),
    pullQuota: () => quota && { ...quota },
    pulls: () => pulls,
    intercept: (side, handler) => void (intercepts[side] = handler),
    apiRequests: () => api.requests(),
    registryRequests: () => emulator.requests(),
    tokenRequests: () => emulator.tokenServer.requests(),
    pushTarget: () => emulator.pushTarget(),
    stop: async () => {
      await Promise.all([api.stop(), emulator.stop()]);
    },
  };
}

function quotaHeaders(quota: PullQuotaSpec): Record<string, string> {
  return {
    "ratelimit-limit": `${quota.limit};w=${quota.windowSeconds}`,
    "ratelimit-remaining": `${Math.max(0, quota.remaining)};w=${quota.windowSeconds}`,
    "docker-ratelimit-source": "127.0.0.1",
  };
}
