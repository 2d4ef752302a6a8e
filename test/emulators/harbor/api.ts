/**
 * Harbor API v2.0 as the emulator serves it (registry-apis.md §2): Basic
 * auth, Harbor's error body, `page`/`page_size` pagination with
 * `X-Total-Count` and a `Link` of `rel="prev"` / `rel="next"` joined by
 * " , ", repository names encoded twice in paths, `/users/current` (412
 * for robots) and `/users/current/permissions`.
 */
import type { ServerResponse } from "node:http";
import type { EmulatorServer, RouteContext, RouteHandler } from "../shared";
import { sendJson } from "../shared";
import { type HarborAccount, isRobot, may, permissionsIn, roleIn } from "./accounts";
import type { HarborCatalog, StoredArtifact, StoredProject } from "./catalog";

export const API = "/api/v2.0";

export function harborError(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { errors: [{ code, message }] });
}

export interface ApiOptions {
  accounts: () => readonly HarborAccount[];
  catalog: HarborCatalog;
  /** The largest page served, whatever `page_size` asks (Harbor: 100). */
  maxPageSize: number;
  /** Runs before every API route: true when it answered (a fault a test switched on). */
  intercept: (context: RouteContext) => boolean;
}

type Caller = { account: HarborAccount | null };

/** The caller from Basic credentials: null for anonymous; undefined after answering 401. */
function authenticate(context: RouteContext, accounts: readonly HarborAccount[]): Caller | undefined {
  const auth = context.authorization;
  if (!auth) return { account: null };
  const account = auth.scheme === "basic" ? accounts.find((a) => a.username === auth.username && a.password === auth.password) : undefined;
  if (!account) {
    harborError(context.res, 401, "UNAUTHORIZED", "unauthorized");
    return undefined;
  }
  return { account };
}

function page<T>(context: RouteContext, items: readonly T[], maxPageSize: number, send: (slice: T[]) => unknown): void {
  const { query, res, path } = context;
  const number = Math.max(1, Number(query.get("page") ?? 1) || 1);
  const requested = Number(query.get("page_size") ?? 10) || 10;
  if (requested < 0 || requested > 100) return harborError(res, 422, "UNPROCESSABLE_ENTITY", "page_size must be between 1 and 100");
  const size = Math.min(requested, maxPageSize);
  const total = items.length;
  const link = (to: number) => {
    const next = new URLSearchParams(query);
    next.set("page", String(to));
    next.set("page_size", String(size));
    return `<${path}?${next.toString()}>`;
  };
  const links: string[] = [];
  if (number > 1) links.push(`${link(number - 1)}; rel="prev"`);
  if (number * size < total) links.push(`${link(number + 1)}; rel="next"`);
  const headers: Record<string, string> = { "x-total-count": String(total) };
  if (links.length > 0) headers.link = links.join(" , ");
  sendJson(res, 200, send(items.slice((number - 1) * size, number * size)), headers);
}

const visible = (account: HarborAccount | null, project: StoredProject) =>
  project.public || account?.sysadmin === true || permissionsIn(account, project.name).length > 0;

function projectJson(account: HarborAccount | null, project: StoredProject) {
  const role = roleIn(account, project.name);
  return {
    project_id: project.id,
    name: project.name,
    owner_id: 1,
    owner_name: "admin",
    repo_count: project.repositories.length,
    creation_time: project.creationTime.toISOString(),
    update_time: project.creationTime.toISOString(),
    deleted: false,
    current_user_role_id: role,
    current_user_role_ids: role ? [role] : null,
    registry_id: project.registryId,
    metadata: { public: String(project.public) },
  };
}

function artifactJson(repositoryId: number, projectId: number, repository: string, artifact: StoredArtifact, withTag: boolean) {
  return {
    id: artifact.id,
    type: artifact.type,
    media_type: artifact.manifestMediaType.includes("docker") ? "application/vnd.docker.container.image.v1+json" : "application/vnd.oci.image.config.v1+json",
    manifest_media_type: artifact.manifestMediaType,
    project_id: projectId,
    repository_id: repositoryId,
    repository_name: repository,
    digest: artifact.digest,
    size: 1024,
    push_time: artifact.pushTime.toISOString(),
    pull_time: "0001-01-01T00:00:00.000Z",
    extra_attrs: artifact.created === null ? {} : { created: artifact.created, architecture: "amd64", os: "linux" },
    references: null,
    tags:
      withTag && artifact.tags.length > 0
        ? artifact.tags.map((t) => ({ id: t.id, repository_id: repositoryId, artifact_id: artifact.id, name: t.name, push_time: t.pushTime.toISOString(), pull_time: "0001-01-01T00:00:00.000Z", immutable: false }))
        : null,
  };
}

export function mountHarborApi(server: EmulatorServer, options: ApiOptions): void {
  const { catalog, maxPageSize } = options;
  const route = (pattern: string, handler: (context: RouteContext, caller: Caller) => void) => {
    const wrapped: RouteHandler = (context) => {
      if (options.intercept(context)) return;
      const caller = authenticate(context, options.accounts());
      if (caller) handler(context, caller);
    };
    server.route("GET", `${API}${pattern}`, wrapped);
  };
  /** The project named in the path, when the caller may `permission` there; else the answer is sent. */
  const projectFor = (context: RouteContext, { account }: Caller, permission: string): StoredProject | undefined => {
    const project = catalog.project(context.params.project);
    if (!project) return void harborError(context.res, 404, "NOT_FOUND", `project ${context.params.project} not found`);
    if (project.public || may(account, project.name, permission)) return project;
    if (!account) return void harborError(context.res, 401, "UNAUTHORIZED", "unauthorized");
    harborError(context.res, 403, "FORBIDDEN", "forbidden");
  };

  server.route("GET", `${API}/ping`, ({ res }) => {
    res.writeHead(200, { "content-type": "text/plain" }).end("Pong");
  });

  route("/users/current", ({ res }, { account }) => {
    if (!account) return harborError(res, 401, "UNAUTHORIZED", "unauthorized");
    // Harbor answers 412 to security contexts that are not local users (robots).
    if (isRobot(account)) return harborError(res, 412, "PRECONDITION", "can't get user info when auth mode is robot");
    sendJson(res, 200, { user_id: 7, username: account.username, email: "", realname: account.username, comment: "", sysadmin_flag: account.sysadmin === true, admin_role_in_auth: false, creation_time: "2024-01-01T00:00:00Z", update_time: "2024-01-01T00:00:00Z" });
  });

  route("/users/current/permissions", ({ res, query }, { account }) => {
    const scope = /^\/project\/(\d+)$/.exec(query.get("scope") ?? "");
    const project = scope ? catalog.projects.find((p) => p.id === Number(scope[1])) : undefined;
    if (!project) return sendJson(res, 200, []);
    const relative = query.get("relative") === "true";
    sendJson(
      res,
      200,
      permissionsIn(account, project.name).map((permission) => {
        const [resource, action] = permission.split(":");
        return { resource: relative ? resource : `/project/${project.id}/${resource}`, action };
      }),
    );
  });

  route("/projects", (context, { account }) => {
    const projects = catalog.projects.filter((p) => visible(account, p)).sort((a, b) => a.name.localeCompare(b.name));
    page(context, projects, maxPageSize, (slice) => slice.map((p) => projectJson(account, p)));
  });

  route("/projects/:project/repositories", (context, caller) => {
    const project = projectFor(context, caller, "repository:list");
    if (!project) return;
    const repositories = [...project.repositories].sort((a, b) => a.name.localeCompare(b.name));
    page(context, repositories, maxPageSize, (slice) =>
      slice.map((r) => ({
        id: r.id,
        project_id: project.id,
        name: r.name,
        description: "",
        artifact_count: r.artifacts.length,
        pull_count: 0,
        creation_time: r.creationTime.toISOString(),
        update_time: r.creationTime.toISOString(),
      })),
    );
  });

  route("/projects/:project/repositories/:repository/artifacts", (context, caller) => {
    const project = projectFor(context, caller, "artifact:list");
    if (!project) return;
    // `a/b` arrives as `a%252Fb`: decoded once by the router, once more here. A name decoded
    // to `a/b` already was sent encoded once: Harbor's router would have split it (404).
    const once = context.params.repository;
    const repository = once.includes("/") ? undefined : project.repositories.find((r) => r.name === `${project.name}/${decodeURIComponent(once)}`);
    if (!repository) return harborError(context.res, 404, "NOT_FOUND", `repository ${project.name}/${once} not found`);
    const withTag = context.query.get("with_tag") !== "false";
    // Harbor's default order: push_time desc, then id desc.
    const artifacts = [...repository.artifacts].sort((a, b) => b.pushTime.getTime() - a.pushTime.getTime() || b.id - a.id);
    page(context, artifacts, maxPageSize, (slice) => slice.map((a) => artifactJson(repository.id, project.id, repository.name, a, withTag)));
  });
}
