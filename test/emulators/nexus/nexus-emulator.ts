/**
 * Sonatype Nexus Repository 3 as drydock sees it (registry-apis.md §5):
 *
 *   REST   GET /service/rest/v1/repositories       the repositories the user may browse
 *          GET /service/rest/v1/search?repository=&format=docker[&name=][&version=][&continuationToken=]
 *              Docker components (image + tag) with their manifest asset, `pageSize`
 *              items a page (default 3, so every listing has a second page)
 *          GET /service/rest/v1/status             no auth
 *          Basic auth only; refused: 401 `WWW-Authenticate: BASIC realm="Sonatype Nexus Repository Manager"`
 *   Docker /repository/<repo>/v2/…                  path-based (the repository base path)
 *          <connector url>/v2/…                     a port connector per repository with `connector: true`
 *          GET /v2/token                            Basic → `{"token": …}` (Docker Bearer Token Realm)
 *          challenge `Bearer realm="<origin>/v2/token",service="<origin>/v2/token"`, or
 *          `BASIC realm="Sonatype Nexus Repository Manager"` for `forceBasicAuth` repositories
 *   Privileges per user: `nx-repository-view-<format>-<repo>-<browse|read>` (with `*`): browse
 *   filters the repository list and the search, read allows pulls (403 DENIED without).
 *
 * The token answer and the challenge's `service` follow a Sonatype support
 * script found with the search tool (Basic credentials to
 * `<origin>/v2/token?…&service=<origin>/v2/token`, the answer's `token` read);
 * the rest of the token answer is unverified, so only `token` is sent.
 *
 * Pulls are forwarded to a real registry (where `<repo>/<image>` is the name)
 * with a JWT the emulator mints after its own privilege check. The REST API
 * answers on connector ports too (a connector is a listener of the same
 * application). `behaviour` makes the emulator misbehave for leak tests.
 */
import { createHash, randomBytes } from "node:crypto";
import { sendJson } from "../../../workers/registry/distribution/test-support/servers";
import { blobOf, buildImage, buildLayer, file, MediaTypes, type BuiltImage, type ImageSpec } from "../../registry/image-builder";
import { pushBlob, pushManifest, type RegistryTarget } from "../../registry/push";
import {
  proxyTo,
  startEmulator,
  startEmulatorServer,
  type Emulator,
  type EmulatorServer,
  type RecordedRequest,
  type RouteContext,
} from "../shared";
import { allows, type ViewAction } from "./privileges";

export interface NexusTagSpec {
  tag: string;
  /** The manifest asset's `blobCreated` (and `lastModified`); default now. */
  blobCreated?: Date;
  /** What is pushed under the tag; default a one-layer image of the image name, created 2024-01-01. */
  image?: ImageSpec;
  /** false: only searched, with a made-up digest, nothing pushed (a benchmark's tags that are never pulled). */
  pushed?: boolean;
}

export interface NexusRepositorySpec {
  name: string;
  /** Default "hosted". */
  type?: "hosted" | "proxy" | "group";
  /** Default "docker". */
  format?: string;
  /** Serve the repository's Docker endpoint on a port connector of its own (see `connectors`). */
  connector?: boolean;
  /** Challenge with BASIC instead of the Bearer token realm. */
  forceBasicAuth?: boolean;
  /** Image name → its tags (hosted Docker repositories only). */
  images?: Record<string, NexusTagSpec[]>;
}

export interface NexusUserSpec {
  password: string;
  /** Privilege names, e.g. `nx-repository-view-docker-*-browse`. */
  privileges: string[];
}

export interface NexusBehaviour {
  /** The realm named in Docker challenges instead of `<origin>/v2/token`. */
  realm?: string;
  /** Answer every REST call with a 307 to this origin (same path and query). */
  redirectApi?: string;
  /** Answer authorized manifest and blob GETs with a 307 to this origin. */
  redirectV2?: string;
}

export interface NexusEmulatorOptions {
  users: Record<string, NexusUserSpec>;
  repositories: NexusRepositorySpec[];
  /** Search items per page; default 3. */
  pageSize?: number;
  /** Images seeded at once (the tags of one image go one after the other); default 8. */
  pushConcurrency?: number;
}

export interface NexusComponentRecord {
  repository: string;
  name: string;
  version: string;
  digest: string;
  mediaType: string;
  size: number;
  sha1: string;
  blobCreated: Date;
}

export interface NexusEmulator {
  /** The Nexus base URL (path-based Docker endpoints under it). */
  url: string;
  /** Repository name → its port connector's URL. */
  connectors: Record<string, string>;
  /** What a test may change at any time. */
  users: Record<string, NexusUserSpec>;
  behaviour: NexusBehaviour;
  /** The manifest digest of a tag pushed at start or with addTag. */
  digestOf(repository: string, image: string, tag: string): string;
  addTag(repository: string, image: string, spec: NexusTagSpec): Promise<string>;
  /** Requests to the main server, or to a connector (by repository name). */
  requests(connector?: string): RecordedRequest[];
  /** The real registry behind it all, and its shared emulator. */
  base: Emulator;
  stop(): Promise<void>;
}

const BASIC_CHALLENGE = 'BASIC realm="Sonatype Nexus Repository Manager"';
const V2_HEADERS = { "docker-distribution-api-version": "registry/2.0" };
const DEFAULT_CREATED = new Date("2024-01-01T00:00:00Z");

/** Nexus writes dates with an offset, not `Z`. */
const nexusDate = (date: Date) => date.toISOString().replace("Z", "+00:00");
const opaqueId = (text: string) => Buffer.from(createHash("md5").update(text).digest("hex")).toString("base64");

function glob(pattern: string): RegExp {
  return new RegExp(`^${pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
}

export async function startNexusEmulator(options: NexusEmulatorOptions): Promise<NexusEmulator> {
  const pageSize = options.pageSize ?? 3;
  const users = options.users;
  const behaviour: NexusBehaviour = {};
  const repositories = new Map(options.repositories.map((spec) => [spec.name, spec]));
  /** By `repository\0name\0version`; sorted (by repository, name, version) when searched. */
  const components = new Map<string, NexusComponentRecord>();
  let sorted: NexusComponentRecord[] | null = null;
  const componentKey = (repository: string, name: string, version: string) => `${repository}\0${name}\0${version}`;
  const allComponents = () =>
    (sorted ??= [...components.values()].sort(
      (a, b) => a.repository.localeCompare(b.repository) || a.name.localeCompare(b.name) || a.version.localeCompare(b.version),
    ));
  const tokens = new Map<string, string>();
  const continuations = new Map<string, { query: string; offset: number }>();
  const pullTokens = new Map<string, string>();

  const base = await startEmulator({
    service: "nexus-emulator-registry",
    // Only the emulator talks to the real registry, with tokens it mints itself.
    tokenPath: "/internal/registry-token",
    authorize: () => "unauthorized",
  });
  const pushTarget: RegistryTarget = { ...base.pushTarget(), url: base.registry.url };
  const proxy = proxyTo(base.registry.url);
  const connectors: Record<string, EmulatorServer> = {};

  const userOf = (context: RouteContext): [string, NexusUserSpec] | null => {
    const auth = context.authorization;
    let name: string | undefined;
    if (auth?.scheme === "basic" && users[auth.username]?.password === auth.password) name = auth.username;
    if (auth?.scheme === "bearer") name = tokens.get(auth.token);
    return name !== undefined && users[name] ? [name, users[name]] : null;
  };
  const may = (user: NexusUserSpec, repository: NexusRepositorySpec, action: ViewAction) =>
    allows(user.privileges, repository.format ?? "docker", repository.name, action);

  // ---------------------------------------------------------------- REST

  const rest = (handler: (context: RouteContext, user: NexusUserSpec, origin: string) => void) => (context: RouteContext) => {
    if (behaviour.redirectApi) {
      context.res.writeHead(307, { location: `${behaviour.redirectApi}${context.req.url}` }).end();
      return;
    }
    const user = userOf(context);
    if (!user || context.authorization?.scheme !== "basic") {
      context.res.writeHead(401, { "www-authenticate": BASIC_CHALLENGE, "content-length": 0 }).end();
      return;
    }
    handler(context, user[1], context.server.url);
  };

  const repositoryList = rest(({ res }, user, origin) =>
    sendJson(
      res,
      200,
      [...repositories.values()]
        .filter((repository) => may(user, repository, "browse"))
        .map((repository) => ({
          name: repository.name,
          format: repository.format ?? "docker",
          type: repository.type ?? "hosted",
          url: `${origin}/repository/${repository.name}`,
          attributes: {},
        })),
    ),
  );

  const search = rest(({ res, query }, user, origin) => {
    const token = query.get("continuationToken");
    const key = ["repository", "format", "name", "version"].map((p) => `${p}=${query.get(p) ?? ""}`).join("&");
    let offset = 0;
    if (token !== null) {
      const known = continuations.get(token);
      if (!known || known.query !== key) return sendJson(res, 406, { message: "Continuation token is invalid" });
      offset = known.offset;
    }
    const name = query.get("name");
    const namePattern = name === null ? null : glob(name);
    const matches = allComponents().filter((c) => {
      const repository = repositories.get(c.repository)!;
      return (
        (query.get("repository") === null || query.get("repository") === c.repository) &&
        may(user, repository, "browse") &&
        (query.get("format") === null || query.get("format") === (repository.format ?? "docker")) &&
        (namePattern === null || namePattern.test(c.name)) &&
        (query.get("version") === null || query.get("version") === c.version)
      );
    });
    const page = matches.slice(offset, offset + pageSize);
    let continuationToken: string | null = null;
    if (offset + pageSize < matches.length) {
      continuationToken = randomBytes(16).toString("hex");
      continuations.set(continuationToken, { query: key, offset: offset + pageSize });
    }
    sendJson(res, 200, {
      items: page.map((c) => {
        const path = `v2/${c.name}/manifests/${c.version}`;
        return {
          id: opaqueId(`${c.repository}:${c.name}:${c.version}`),
          repository: c.repository,
          format: "docker",
          group: null,
          name: c.name,
          version: c.version,
          assets: [
            {
              downloadUrl: `${origin}/repository/${c.repository}/${path}`,
              path,
              id: opaqueId(`${c.repository}/${path}`),
              repository: c.repository,
              format: "docker",
              checksum: { sha1: c.sha1, sha256: c.digest.slice("sha256:".length) },
              contentType: c.mediaType,
              lastModified: nexusDate(c.blobCreated),
              lastDownloaded: null,
              uploader: "ci",
              uploaderIp: "127.0.0.1",
              fileSize: c.size,
              blobCreated: nexusDate(c.blobCreated),
              blobStoreName: "default",
            },
          ],
        };
      }),
      continuationToken,
    });
  });

  // ---------------------------------------------------------------- Docker

  const dockerToken = (context: RouteContext) => {
    const user = userOf(context);
    if (!user || context.authorization?.scheme !== "basic") {
      return sendJson(context.res, 401, { errors: [{ code: "UNAUTHORIZED", message: "authentication required", detail: null }] }, V2_HEADERS);
    }
    const token = `DockerToken.${randomBytes(24).toString("hex")}`;
    tokens.set(token, user[0]);
    sendJson(context.res, 200, { token });
  };

  const docker = async (context: RouteContext, repositoryName: string, path: string) => {
    const { res, method, server } = context;
    const repository = repositories.get(repositoryName);
    if (!repository || (repository.format ?? "docker") !== "docker") return sendJson(res, 404, { message: "Repository not found" });
    const user = userOf(context);
    if (!user) {
      const origin = server.url;
      const challenge = repository.forceBasicAuth ? BASIC_CHALLENGE : `Bearer realm="${behaviour.realm ?? `${origin}/v2/token`}",service="${origin}/v2/token"`;
      return sendJson(res, 401, { errors: [{ code: "UNAUTHORIZED", message: "access to the requested resource is not authorized", detail: null }] }, {
        ...V2_HEADERS,
        "www-authenticate": challenge,
      });
    }
    if (path === "") return sendJson(res, 200, {}, V2_HEADERS);
    const target = /^(.+?)\/(manifests|blobs|tags)\/(.+)$/.exec(path);
    if (!target) return sendJson(res, 404, { errors: [{ code: "UNSUPPORTED", message: "not supported", detail: null }] }, V2_HEADERS);
    if (method !== "GET" && method !== "HEAD") return sendJson(res, 405, { errors: [{ code: "UNSUPPORTED", message: "read only", detail: null }] }, V2_HEADERS);
    if (!may(user[1], repository, "read")) {
      return sendJson(res, 403, { errors: [{ code: "DENIED", message: "access to the requested resource is not authorized", detail: null }] }, V2_HEADERS);
    }
    if (behaviour.redirectV2 && target[2] !== "tags") {
      res.writeHead(307, { location: `${behaviour.redirectV2}/v2/${path}` }).end();
      return;
    }
    const name = `${repository.name}/${target[1]}`;
    let token = pullTokens.get(name);
    if (!token) {
      token = base.signer.sign({ subject: user[0], access: [{ type: "repository", name, actions: ["pull"] }], expiresInSeconds: 24 * 3600 });
      pullTokens.set(name, token);
    }
    const query = context.req.url!.includes("?") ? context.req.url!.slice(context.req.url!.indexOf("?")) : "";
    context.req.url = `/v2/${repository.name}/${path}${query}`;
    context.req.headers.authorization = `Bearer ${token}`;
    await proxy(context);
  };

  const mountRest = (server: EmulatorServer) =>
    server
      .route("GET", "/service/rest/v1/status", ({ res }) => void res.writeHead(200, { "content-length": 0 }).end())
      .route("GET", "/service/rest/v1/repositories", repositoryList)
      .route("GET", "/service/rest/v1/search", search)
      .route("GET", "/v2/token", dockerToken);

  mountRest(base.server)
    .route("*", "/repository/:repository/v2/*path", (context) => docker(context, context.params.repository, context.rawParams.path))
    // The host root is no Docker endpoint (no connector, no path-based routing there).
    .route("*", "/v2/*path", ({ res }) => sendJson(res, 404, { message: "Not Found" }));

  const stopAll = async () => {
    await Promise.all(Object.values(connectors).map((server) => server.stop()));
    await base.stop();
  };
  try {
    for (const repository of options.repositories.filter((r) => r.connector)) {
      const server = await startEmulatorServer();
      connectors[repository.name] = mountRest(server).route("*", "/v2/*path", (context) => docker(context, repository.name, context.rawParams.path));
    }
  } catch (error) {
    await stopAll();
    throw error;
  }

  const defaults = new Map<string, BuiltImage>();
  /** `<name>@<digest>` of the blobs pushed: a catalog of many tags pushes each blob once. */
  const blobsPushed = new Set<string>();
  const defaultImage = (image: string) => {
    let built = defaults.get(image);
    if (!built) {
      built = buildImage({ layers: [buildLayer([file(`app/${image}`, `${image}\n`)])], config: { created: DEFAULT_CREATED } });
      defaults.set(image, built);
    }
    return built;
  };

  const pushTag = async (name: string, image: string, spec: NexusTagSpec) => {
    const built = spec.image ? buildImage(spec.image) : defaultImage(image);
    for (const blob of [built.config, ...built.layers]) {
      if (blobsPushed.has(`${name}@${blob.digest}`)) continue;
      await pushBlob(pushTarget, name, blob);
      blobsPushed.add(`${name}@${blob.digest}`);
    }
    await pushManifest(pushTarget, name, spec.tag, built.manifest);
    return built.manifest;
  };

  const addTag = async (repositoryName: string, image: string, spec: NexusTagSpec): Promise<string> => {
    const repository = repositories.get(repositoryName);
    if (!repository || (repository.type ?? "hosted") !== "hosted") throw new Error(`${repositoryName} is not a hosted repository of the emulator`);
    const name = `${repositoryName}/${image}`;
    const manifest =
      spec.pushed === false
        ? { ...blobOf(`${name}:${spec.tag}`), mediaType: MediaTypes.dockerManifest }
        : await pushTag(name, image, spec);
    const record: NexusComponentRecord = {
      repository: repositoryName,
      name: image,
      version: spec.tag,
      digest: manifest.digest,
      mediaType: manifest.mediaType,
      size: manifest.size,
      sha1: createHash("sha1").update(manifest.bytes).digest("hex"),
      blobCreated: spec.blobCreated ?? new Date(),
    };
    components.set(componentKey(repositoryName, image, spec.tag), record);
    sorted = null;
    return record.digest;
  };

  try {
    // One image's tags one after the other: the registry fails concurrent uploads of one blob to one repository.
    const work = options.repositories.flatMap((repository) =>
      Object.entries(repository.images ?? {}).map(([image, tags]) => async () => {
        for (const tag of tags) await addTag(repository.name, image, tag);
      }),
    );
    const lanes = Array.from({ length: options.pushConcurrency ?? 8 }, async () => {
      for (let next = work.shift(); next; next = work.shift()) await next();
    });
    await Promise.all(lanes);
  } catch (error) {
    await stopAll();
    throw error;
  }

  return {
    url: base.url,
    connectors: Object.fromEntries(Object.entries(connectors).map(([name, server]) => [name, server.url])),
    users,
    behaviour,
    digestOf(repository, image, tag) {
      const found = components.get(componentKey(repository, image, tag));
      if (!found) throw new Error(`no ${repository}/${image}:${tag} in the emulator`);
      return found.digest;
    },
    addTag,
    requests: (connector) => (connector === undefined ? base.requests() : (connectors[connector]?.requests() ?? [])),
    base,
    stop: stopAll,
  };
}
