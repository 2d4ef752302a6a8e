/**
 * A GitLab in two origins, as GitLab runs: the GitLab server (REST API under
 * `/api/v4` and the registry token service `/jwt/auth`) and the container
 * registry (`/v2/`, the real distribution registry trusting `/jwt/auth`'s
 * tokens), so the realm lives on the integration's apiUrl origin.
 *
 *   const gitlab = await startGitLabEmulator({
 *     accounts: [{ username: "scanner", token: "glpat-…", scopes: ["read_api", "read_registry"], members: { "grp/app": 20 } }],
 *     projects: [{ path: "grp/app", repositories: [{ name: "", tags: [{ name: "1.0", createdAt: "2024-05-01T00:00:00Z" }] }] }],
 *   });
 *   // integration: url = gitlab.registryUrl, apiUrl = gitlab.apiUrl
 *   await gitlab.stop();
 *
 * Pages hold at most `maxPerPage` items (default 2): every listing longer
 * than that is served in several pages. `override(side, handler)` lets a test
 * answer requests itself (redirects, foreign challenges) before the emulator does.
 */
import { blobOf, buildImage, buildLayer, file, type BuiltImage } from "../../registry/image-builder";
import { pushBuiltImage, pushManifest } from "../../registry/push";
import { narrowScopes, sendJson, startEmulator, startEmulatorServer, tokenService, type Emulator, type EmulatorServer, type RecordedRequest, type RouteContext, type RouteHandler } from "../shared";
import { GitLabModel, type CatalogProject, type CatalogTag, type GitLabAccount, type Repository, type Tag } from "./model";
import { mountRestApi } from "./rest-api";

export type { CatalogProject, CatalogRepository, CatalogTag, GitLabAccount } from "./model";

export interface GitLabEmulatorOptions {
  accounts: GitLabAccount[];
  projects?: CatalogProject[];
  /** Largest page served; default 2. */
  maxPerPage?: number;
  /** Repositories pushed at once while loading the catalog; default 4. */
  pushConcurrency?: number;
}

/** A test's own answer to a request: true when it answered. */
export type Override = (context: RouteContext) => boolean | Promise<boolean>;

export interface GitLabEmulator {
  /** The registry address (integration `url`). */
  registryUrl: string;
  /** `<gitlab>/api/v4` (integration `apiUrl`). */
  apiUrl: string;
  /** The GitLab server's origin (REST API and /jwt/auth). */
  gitlabUrl: string;
  /** The realm the registry's challenge names: `<gitlab>/jwt/auth`. */
  realm: string;
  model: GitLabModel;
  registry: Emulator;
  /** Requests the GitLab server (API, /jwt/auth) received. */
  apiRequests(): RecordedRequest[];
  /** Requests the registry origin received. */
  registryRequests(): RecordedRequest[];
  /** Pushes `image` as `<project>[/<repository>]:<tag>` and records the tag (its detail `created_at`: `createdAt`, default now). */
  pushTag(projectPath: string, repositoryName: string, tag: string, image?: BuiltImage, createdAt?: string | null): Promise<void>;
  /** Answer requests of one side first (null: stop overriding). */
  override(side: "api" | "registry", handler: Override | null): void;
  stop(): Promise<void>;
}

const SERVICE = "container_registry";

/** GitLab's JwtController answer to wrong credentials. */
const unauthorized = (res: RouteContext["res"]) =>
  sendJson(res, 401, { errors: [{ code: "UNAUTHORIZED", message: "HTTP Basic: Access denied. If a password was provided for Git authentication, the password was incorrect or you're required to use a token instead of a password." }] }, { "www-authenticate": 'Basic realm="GitLab"' });

function defaultImage(repository: Repository): BuiltImage {
  return buildImage({ layers: [buildLayer([file(`app/${repository.path}`, `${repository.path}\n`)])], config: { created: repository.createdAt } });
}

/** A tag recorded without pushing: made-up digests (it is never pulled). */
function unpushedTag(repository: Repository, tag: CatalogTag): Tag {
  const digest = (part: string) => blobOf(`${repository.path}:${tag.name}${part}`).digest;
  return { name: tag.name, digest: digest(""), configDigest: digest(":config"), size: 0, createdAt: tag.createdAt === undefined ? new Date().toISOString() : tag.createdAt };
}

export async function startGitLabEmulator(options: GitLabEmulatorOptions): Promise<GitLabEmulator> {
  const model = new GitLabModel(options.accounts);
  const overrides: Partial<Record<"api" | "registry", Override>> = {};
  const intercept = (side: "api" | "registry") => async (context: RouteContext) => (await overrides[side]?.(context)) === true;

  const gitlab: EmulatorServer = await startEmulatorServer();
  let issue: RouteHandler | undefined;
  // Mounted before startEmulator's own token route, so it answers /jwt/auth: GitLab refuses a token with no registry ability outright.
  gitlab.route("GET", "/jwt/auth", async (context) => {
    if (await intercept("api")(context)) return;
    const credentials = context.authorization?.scheme === "basic" ? context.authorization : null;
    const account = credentials ? model.byToken(credentials.password) : undefined;
    if (account && GitLabModel.usable(account) && !GitLabModel.hasRegistryAbility(account)) {
      return sendJson(context.res, 403, { errors: [{ code: "DENIED", message: "access forbidden" }] });
    }
    await issue!(context);
  });

  let registry: Emulator;
  try {
    registry = await startEmulator({ service: SERVICE, issuer: "gitlab-issuer", tokenPath: "/jwt/auth", tokenServer: gitlab, authorize: () => [] });
  } catch (error) {
    await gitlab.stop();
    throw error;
  }
  issue = tokenService({
    signer: registry.signer,
    unauthorized,
    authorize: (credentials, requested) => {
      const account = credentials ? model.byToken(credentials.password) : null;
      if (account === undefined || (account && !GitLabModel.usable(account))) return "unauthorized";
      if (account && !GitLabModel.mayPullImages(account)) return [];
      return narrowScopes(requested, (scope) => {
        if (scope.type !== "repository") return []; // the catalog is for administrators only
        const project = model.projectOfPath(scope.name);
        return project && GitLabModel.canReadRegistry(account, project) ? ["pull"] : [];
      });
    },
  });
  registry.server.route("*", "*rest", async (context) => {
    if (await intercept("registry")(context)) return;
    await registry.server.fallback(context);
  });
  mountRestApi(gitlab, { model, registryHost: () => registry.host, maxPerPage: options.maxPerPage ?? 2, intercept: intercept("api") });

  const target = registry.pushTarget();
  const pushed = new Set<string>();
  const pushTag: GitLabEmulator["pushTag"] = async (projectPath, repositoryName, tag, image, createdAt) => {
    const project = model.project(projectPath) ?? model.addProject(projectPath);
    const repository = model.repository(project, repositoryName);
    const built = image ?? defaultImage(repository);
    // Blobs once per repository and image: a large catalog (500 × 20) then costs one manifest PUT per further tag.
    const key = `${repository.path}@${built.manifest.digest}`;
    if (pushed.has(key)) await pushManifest(target, repository.path, tag, built.manifest);
    else {
      await pushBuiltImage(target, repository.path, tag, built);
      pushed.add(key);
    }
    const size = built.layers.reduce((sum, layer) => sum + layer.size, built.config.size);
    repository.tags.set(tag, { name: tag, digest: built.manifest.digest, configDigest: built.config.digest, size, createdAt: createdAt === undefined ? new Date().toISOString() : createdAt });
  };

  const emulator: GitLabEmulator = {
    registryUrl: registry.url,
    apiUrl: `${gitlab.url}/api/v4`,
    gitlabUrl: gitlab.url,
    realm: registry.realm,
    model,
    registry,
    apiRequests: () => gitlab.requests(),
    registryRequests: () => registry.requests(),
    pushTag,
    override: (side, handler) => {
      if (handler) overrides[side] = handler;
      else delete overrides[side];
    },
    stop: async () => {
      await Promise.all([registry.stop(), gitlab.stop()]);
    },
  };

  try {
    const work: Array<() => Promise<void>> = [];
    for (const spec of options.projects ?? []) {
      const project = model.addProject(spec.path, spec.visibility);
      for (const repo of spec.repositories) {
        const repository = model.repository(project, repo.name, repo.status ?? null);
        // One repository's tags in order: concurrent uploads of one blob to one repository make the registry answer 500.
        work.push(async () => {
          for (const tag of repo.tags) {
            if (tag.pushed === false) repository.tags.set(tag.name, unpushedTag(repository, tag));
            else await pushTag(spec.path, repository.name, tag.name, tag.image, tag.createdAt);
          }
        });
      }
    }
    await runBounded(work, options.pushConcurrency ?? 4);
  } catch (error) {
    await emulator.stop();
    throw error;
  }
  return emulator;
}

async function runBounded(work: Array<() => Promise<void>>, limit: number): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < work.length) await work[next++]();
  };
  await Promise.all(Array.from({ length: Math.min(limit, work.length) }, lane));
}
