/**
 * JFrog Artifactory, emulated (registry-apis.md §4) in front of a real
 * distribution registry:
 *
 *   const art = await startArtifactoryEmulator({
 *     users: { ci: { password: "pw", accessTokens: ["tok"], permissions: { "docker-local": ["read"] } } },
 *     repositories: [{ key: "docker-local", type: "LOCAL" }, { key: "hub", type: "REMOTE" }],
 *     catalog: [{ repository: "docker-local/team/api", tag: "1.0", created, lastModified }],
 *   });
 *   // REST base: art.baseUrl (…/artifactory); push more: pushImage(art.pushTarget(), "docker-local/team/api", …)
 *
 * Served under `/artifactory`:
 *  - `GET api/repositories?type=&packageType=`: Docker repositories of a type the user sees;
 *  - `GET api/docker/<key>/v2/token`: the token realm (Basic password / API key /
 *    access token, or Bearer access token), `{ token, expires_in }`, granting pull on
 *    `<image>` to users with read on `<key>`;
 *  - `api/docker/<key>/v2/…`: the Docker API of a repository: `_catalog` and
 *    `tags/list` paged (`n`, `last`, `Link`; at most `pageSize` per page) and answered
 *    to the account's own credentials too; `/v2/`, manifests and blobs only with a
 *    token from the realm (else `401 Bearer realm="<base>/api/docker/<key>/v2/token",
 *    service="<host>"`), proxied to the registry as `<key>/<image>`;
 *  - `GET api/storage/<key>/<image>/<tag>/(list.)manifest.json`: File Info with the
 *    catalog's dates and the manifest digest as sha256.
 * A repository with `port: true` also serves its Docker API at `/v2/` on a port of
 * its own (`dockerEndpoint(key)`), the PORT method. REST errors use Artifactory's
 * `{"errors":[{"status","message"}]}`, the Docker API distribution's error shape.
 */
import type { RouteContext, RouteHandler } from "../shared";
import { type Emulator, parseScopes, proxyTo, sendJson, startEmulator, startEmulatorServer, type EmulatorServer, type RecordedRequest } from "../shared";
import { buildLayer, file, type BuiltImage, buildImage } from "../../registry/image-builder";
import { pushBuiltImage, type RegistryTarget } from "../../registry/push";
import { AccessModel, type ArtifactoryUser, type RepositoryConfig } from "./model";
import { RegistryStore } from "./registry-store";

export type { ArtifactoryUser, PermissionAction, RepositoryConfig, RepositoryType } from "./model";

export interface TagDates {
  /** File Info `created` (first upload). */
  created?: Date;
  /** File Info `lastModified` (last upload). */
  lastModified?: Date;
}

export interface CatalogTag extends TagDates {
  /** `<key>/<image>` */
  repository: string;
  tag: string;
  /** What to push; default a one-layer image shared by every tag. */
  image?: BuiltImage;
}

export interface ArtifactoryEmulatorOptions {
  users: Record<string, ArtifactoryUser>;
  repositories: RepositoryConfig[];
  /** Tags pushed at start, with their storage dates. */
  catalog?: CatalogTag[];
  /** The most entries a catalog or tag page holds; default 2, so listing always pages. */
  pageSize?: number;
}

export interface ArtifactoryEmulator {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `<url>/artifactory`: the REST base, and `url` of a REPOSITORY_PATH integration. */
  baseUrl: string;
  emulator: Emulator;
  /** The Docker endpoint of a `port: true` repository. */
  dockerEndpoint(key: string): string;
  /** Pushes straight to the registry behind (names `<key>/<image>`). */
  pushTarget(): RegistryTarget;
  /** Sets the storage dates of `<key>/<image>:<tag>`. */
  setDates(reference: string, dates: TagDates): void;
  /** Realm named by a repository's challenges; default its own token path. For leak tests. */
  realmFor: (key: string) => string;
  /** Answers matching requests (REST and Docker) with a redirect to the returned URL. For leak tests. */
  redirect: ((method: string, path: string) => string | undefined) | null;
  /** Requests to the main server, and to each port endpoint. */
  requests(): RecordedRequest[];
  portRequests(key: string): RecordedRequest[];
  stop(): Promise<void>;
}

const DEFAULT_IMAGE = () => buildImage({ layers: [buildLayer([file("etc/emulated", "artifactory\n")])], config: { created: new Date("2024-01-01T00:00:00Z") } });

const restError = (context: RouteContext, status: number, message: string) => sendJson(context.res, status, { errors: [{ status, message }] });

interface IssuedToken {
  user: string;
  /** Registry names (`<key>/<image>`) it may pull. */
  pulls: Set<string>;
}

export async function startArtifactoryEmulator(options: ArtifactoryEmulatorOptions): Promise<ArtifactoryEmulator> {
  const model = new AccessModel(options.users, options.repositories);
  const pageSize = options.pageSize ?? 2;
  const startedAt = new Date();
  const dates = new Map<string, TagDates>();
  const issued = new Map<string, IssuedToken>();
  // Clients never see the registry's own realm: every Docker challenge is the emulator's.
  const emulator = await startEmulator({ service: "artifactory-docker", tokenPath: "/_emulator/registry-token", authorize: () => "unauthorized" });
  const store = new RegistryStore(emulator.registry.url, emulator.signer);
  const baseUrl = `${emulator.url}/artifactory`;
  const portServers = new Map<string, EmulatorServer>();

  const api: ArtifactoryEmulator = {
    url: emulator.url,
    baseUrl,
    emulator,
    dockerEndpoint: (key) => {
      const server = portServers.get(key);
      if (!server) throw new Error(`${key} has no port endpoint`);
      return server.url;
    },
    pushTarget: () => emulator.pushTarget(),
    setDates: (reference, value) => void dates.set(reference, value),
    realmFor: (key) => `${baseUrl}/api/docker/${encodeURIComponent(key)}/v2/token`,
    redirect: null,
    requests: () => emulator.requests(),
    portRequests: (key) => portServers.get(key)?.requests() ?? [],
    stop: async () => {
      await Promise.all([...portServers.values()].map((server) => server.stop()));
      await emulator.stop();
    },
  };

  /** Every route first offers the redirect hook its request. */
  const guarded =
    (handler: RouteHandler): RouteHandler =>
    (context) => {
      const target = api.redirect?.(context.method, context.path);
      if (target) return void context.res.writeHead(302, { location: target }).end();
      return handler(context);
    };

  /** The account behind REST credentials: Basic (password, API key, access token) or Bearer access token. */
  const restUser = (context: RouteContext): string | null => {
    const identity = model.identify(context.authorization);
    if (identity === "invalid") return void restError(context, 401, "Bad credentials"), null;
    if (identity === "anonymous") return void restError(context, 401, "Authentication is required"), null;
    return identity.user;
  };

  const server = emulator.server;
  const proxy = proxyTo(emulator.registry.url);
  server.route("GET", "/artifactory/api/repositories", guarded((context) => {
    const user = restUser(context);
    if (user === null) return;
    const type = context.query.get("type")?.toUpperCase();
    const packageType = context.query.get("packageType")?.toLowerCase();
    const listed = options.repositories
      .filter((r) => (!type || r.type === type) && (!packageType || packageType === "docker") && model.sees(user, r.key))
      .map((r) => ({ key: r.key, type: r.type, description: "", url: `${baseUrl}/${r.key}`, packageType: "Docker" }));
    sendJson(context.res, 200, listed);
  }));

  server.route("GET", "/artifactory/api/docker/:key/v2/token", guarded((context) => {
    const { key } = context.params;
    const identity = model.identify(context.authorization);
    if (identity === "invalid" || identity === "anonymous") return restError(context, 401, "Bad credentials");
    const pulls = new Set<string>();
    for (const scope of parseScopes(context.query.getAll("scope"))) {
      if (scope.type === "repository" && scope.actions.includes("pull") && model.canRead(identity.user, key)) pulls.add(`${key}/${scope.name}`);
    }
    const access = [...pulls].map((name) => ({ type: "repository", name, actions: ["pull"] }));
    const token = emulator.signer.sign({ subject: identity.user, access, expiresInSeconds: 3600 });
    issued.set(token, { user: identity.user, pulls });
    sendJson(context.res, 200, { token, expires_in: 3600 });
  }));

  server.route("*", "/artifactory/api/docker/:key/v2/*rest", guarded((context) => dockerApi(context, context.params.key, context.rawParams.rest, `/artifactory/api/docker/${context.rawParams.key}/v2/`)));

  server.route("GET", "/artifactory/api/storage/:key/*path", guarded(async (context) => {
    const user = restUser(context);
    if (user === null) return;
    const { key } = context.params;
    const segments = context.rawParams.path.split("/").map(decodeURIComponent);
    const fileName = segments.pop();
    const tag = segments.pop();
    const image = segments.join("/");
    if (!model.repository(key)) return restError(context, 400, `Failed to find the repository '${key}'`);
    if (!model.canRead(user, key)) return restError(context, 403, "You do not have permission to read this item");
    const manifest = tag && image && (fileName === "manifest.json" || fileName === "list.manifest.json") ? await store.manifest(key, image, tag) : null;
    if (!manifest || manifest.isList !== (fileName === "list.manifest.json")) return restError(context, 404, "Unable to find item");
    const when = dates.get(`${key}/${image}:${tag}`) ?? {};
    const created = (when.created ?? startedAt).toISOString();
    const lastModified = (when.lastModified ?? when.created ?? startedAt).toISOString();
    const sha256 = manifest.digest.replace(/^sha256:/, "");
    const path = `/${image}/${tag}/${fileName}`;
    sendJson(context.res, 200, {
      repo: key,
      path,
      created,
      createdBy: user,
      lastModified,
      modifiedBy: user,
      lastUpdated: lastModified,
      downloadUri: `${baseUrl}/${key}${path}`,
      mimeType: "application/json",
      size: "0",
      checksums: { sha256 },
      originalChecksums: { sha256 },
      uri: `${baseUrl}/api/storage/${key}${path}`,
    });
  }));

  /** The Docker API of repository `key`; `rest` is the raw path after `v2/`, `prefix` the path up to it. */
  async function dockerApi(context: RouteContext, key: string, rest: string, prefix: string): Promise<void> {
    const { res } = context;
    const dockerError = (status: number, code: string, message: string, challenge?: string) =>
      sendJson(res, status, { errors: [{ code, message, detail: null }] }, challenge ? { "www-authenticate": challenge, "docker-distribution-api-version": "registry/2.0" } : {});
    const challenge = (scope?: string, error?: string) =>
      `Bearer realm="${api.realmFor(key)}",service="${emulator.host}"${scope ? `,scope="${scope}"` : ""}${error ? `,error="${error}"` : ""}`;
    if (!model.repository(key)) return dockerError(404, "NAME_UNKNOWN", `repository ${key} not found`);

    const bearer = context.authorization?.scheme === "bearer" ? issued.get(context.authorization.token) : undefined;
    const identity = bearer ? { user: bearer.user } : model.identify(context.authorization);
    const listing = rest === "_catalog" ? { image: null } : /^(.+)\/tags\/list$/.exec(rest) ? { image: decodeURIComponent(/^(.+)\/tags\/list$/.exec(rest)![1]) } : null;

    if (listing) {
      if (identity === "invalid" || identity === "anonymous") return dockerError(401, "UNAUTHORIZED", "authentication required", challenge(listing.image ? `repository:${listing.image}:pull` : undefined));
      if (!model.canRead(identity.user, key)) return dockerError(403, "DENIED", `no read permission on ${key}`);
      const all = listing.image === null ? await store.images(key) : await store.tags(key, listing.image);
      if (all === null) return dockerError(404, "NAME_UNKNOWN", `image ${listing.image} not found in ${key}`);
      const asked = Number(context.query.get("n") ?? pageSize);
      const n = Math.max(1, Math.min(Number.isFinite(asked) ? asked : pageSize, pageSize));
      const last = context.query.get("last");
      const after = last ? all.filter((name) => name > last) : all;
      const page = after.slice(0, n);
      const headers: Record<string, string> = { "docker-distribution-api-version": "registry/2.0" };
      if (after.length > n) headers.link = `<${prefix}${rest}?${new URLSearchParams({ n: String(n), last: page[page.length - 1] })}>; rel="next"`;
      return sendJson(res, 200, listing.image === null ? { repositories: page } : { name: listing.image, tags: page }, headers);
    }

    const image = /^(.+)\/(manifests|blobs)\/[^/]+$/.exec(rest)?.[1];
    const scope = image ? `repository:${decodeURIComponent(image)}:pull` : undefined;
    if (!bearer) return dockerError(401, "UNAUTHORIZED", "authentication required", challenge(scope));
    if (rest === "") return sendJson(res, 200, {}, { "docker-distribution-api-version": "registry/2.0" });
    if (!image) return dockerError(404, "NOT_FOUND", `no route for ${rest}`);
    if (!bearer.pulls.has(`${key}/${decodeURIComponent(image)}`)) return dockerError(401, "UNAUTHORIZED", "insufficient scope", challenge(scope, "insufficient_scope"));
    const query = context.req.url?.includes("?") ? context.req.url.slice(context.req.url.indexOf("?")) : "";
    context.req.url = `/v2/${key}/${rest}${query}`;
    return proxy(context);
  }

  for (const repository of options.repositories.filter((r) => r.port)) {
    const port = await startEmulatorServer();
    port.route("*", "/v2/*rest", guarded((context) => dockerApi(context, repository.key, context.rawParams.rest, "/v2/")));
    portServers.set(repository.key, port);
  }

  try {
    let shared: BuiltImage | undefined;
    for (const entry of options.catalog ?? []) {
      const image = entry.image ?? (shared ??= DEFAULT_IMAGE());
      await pushBuiltImage(api.pushTarget(), entry.repository, entry.tag, image);
      dates.set(`${entry.repository}:${entry.tag}`, { created: entry.created, lastModified: entry.lastModified });
    }
  } catch (error) {
    await api.stop();
    throw error;
  }
  return api;
}
