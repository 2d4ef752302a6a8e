/**
 * GitLab's REST API v4 as far as drydock reads it (registry-apis.md §3):
 * token self, projects, container repositories, tags and tag details, with
 * GitLab's auth headers (`PRIVATE-TOKEN` or `Authorization: Bearer`), error
 * bodies (`{"message": "404 Project Not Found"}`, OAuth-style
 * `insufficient_scope`) and offset pagination (`X-Next-Page` & co.), pages
 * capped at `maxPerPage` so that a second page is always served.
 */
import { sendJson, type EmulatorServer, type RouteContext, type RouteHandler } from "../shared";
import { GitLabModel, type GitLabAccount, type Project, type Repository } from "./model";

export interface RestApiOptions {
  model: GitLabModel;
  /** The registry's host, for `location` fields. */
  registryHost: () => string;
  maxPerPage: number;
  /** Runs before every route; true when it answered (fault injection). */
  intercept: (context: RouteContext) => Promise<boolean>;
}

const PREFIX = "/api/v4";
const message = (context: RouteContext, status: number, text: string) => sendJson(context.res, status, { message: text });

/** The account behind the request: null for anonymous, undefined when the answer (401) is sent. */
function authenticate(context: RouteContext, model: GitLabModel): GitLabAccount | null | undefined {
  const header = context.req.headers["private-token"];
  const token = (Array.isArray(header) ? header[0] : header) ?? (context.authorization?.scheme === "bearer" ? context.authorization.token : undefined);
  if (token === undefined && !context.authorization) return null;
  const account = model.byToken(token);
  if (account && GitLabModel.usable(account)) return account;
  if (account?.revoked) {
    sendJson(context.res, 401, { error: "invalid_token", error_description: "Token was revoked. You have to re-authorize from the user." });
    return undefined;
  }
  message(context, 401, "401 Unauthorized");
  return undefined;
}

/** GitLab's answer to a token without `api`/`read_api` on a read endpoint (Rack OAuth2 Bearer forbidden). */
function insufficientScope(context: RouteContext): void {
  const description = "The request requires higher privileges than provided by the access token.";
  sendJson(
    context.res,
    403,
    { error: "insufficient_scope", error_description: description, scope: "api read_api" },
    { "www-authenticate": `Bearer realm="Protected by OAuth 2.0", error="insufficient_scope", error_description="${description}", scope="api read_api"` },
  );
}

function sendPage<T>(context: RouteContext, items: T[], maxPerPage: number): void {
  const asked = Number(context.query.get("per_page") ?? 20);
  const perPage = Math.max(1, Math.min(Number.isFinite(asked) ? asked : 20, 100, maxPerPage));
  const page = Math.max(1, Number(context.query.get("page") ?? 1) || 1);
  const totalPages = Math.max(1, Math.ceil(items.length / perPage));
  const link = (n: number) => {
    const url = new URL(`${context.server.url}${context.path}`);
    context.query.forEach((value, key) => url.searchParams.set(key, value));
    url.searchParams.set("page", String(n));
    url.searchParams.set("per_page", String(perPage));
    return url.href;
  };
  const links = [
    ...(page > 1 ? [`<${link(page - 1)}>; rel="prev"`] : []),
    ...(page < totalPages ? [`<${link(page + 1)}>; rel="next"`] : []),
    `<${link(1)}>; rel="first"`,
    `<${link(totalPages)}>; rel="last"`,
  ];
  sendJson(context.res, 200, items.slice((page - 1) * perPage, page * perPage), {
    "x-page": String(page),
    "x-per-page": String(perPage),
    "x-next-page": page < totalPages ? String(page + 1) : "",
    "x-prev-page": page > 1 ? String(page - 1) : "",
    "x-total": String(items.length),
    "x-total-pages": String(totalPages),
    link: links.join(", "),
  });
}

export function mountRestApi(server: EmulatorServer, options: RestApiOptions): void {
  const { model, maxPerPage } = options;

  const projectJson = (project: Project, account: GitLabAccount | null, simple: boolean) => {
    const json: Record<string, unknown> = {
      id: project.id,
      description: null,
      name: project.name,
      name_with_namespace: project.path.split("/").join(" / "),
      path: project.name,
      path_with_namespace: project.path,
      created_at: "2024-01-01T00:00:00.000Z",
      default_branch: "main",
      web_url: `${server.url}/${project.path}`,
    };
    if (simple) return json;
    const level = GitLabModel.accessLevel(account, project);
    return {
      ...json,
      visibility: project.visibility,
      container_registry_enabled: true,
      container_registry_access_level: project.visibility === "public" ? "enabled" : "private",
      permissions: { project_access: level > 0 ? { access_level: level, notification_level: 3 } : null, group_access: null },
    };
  };
  const repositoryJson = (repository: Repository) => ({
    id: repository.id,
    name: repository.name,
    path: repository.path,
    project_id: repository.project.id,
    location: `${options.registryHost()}/${repository.path}`,
    created_at: repository.createdAt,
    cleanup_policy_started_at: null,
    status: repository.status,
  });

  /** A read endpoint: authenticated (or anonymous), with a scope that reads the API. */
  const read =
    (handler: (context: RouteContext, account: GitLabAccount | null) => void): RouteHandler =>
    async (context) => {
      if (await options.intercept(context)) return;
      const account = authenticate(context, model);
      if (account === undefined) return;
      if (account && !GitLabModel.readsApi(account)) return insufficientScope(context);
      handler(context, account);
    };

  /** The project of `:id` whose registry the account may read, or undefined when the answer is sent. */
  const registryProject = (context: RouteContext, account: GitLabAccount | null): Project | undefined => {
    const project = model.project(context.params.id);
    if (!project || !GitLabModel.canSee(account, project)) return void message(context, 404, "404 Project Not Found");
    if (!GitLabModel.canReadRegistry(account, project)) return void message(context, 403, "403 Forbidden");
    return project;
  };
  const repositoryOf = (context: RouteContext, project: Project): Repository | undefined => {
    const repository = project.repositories.find((r) => String(r.id) === context.params.repository);
    if (!repository) message(context, 404, "404 Repository Not Found");
    return repository;
  };

  server.route("GET", `${PREFIX}/personal_access_tokens/self`, async (context) => {
    if (await options.intercept(context)) return;
    const account = authenticate(context, model);
    if (account === undefined) return;
    if (account === null) return message(context, 401, "401 Unauthorized");
    sendJson(context.res, 200, {
      id: model.accounts.indexOf(account) + 1,
      name: `${account.username}-token`,
      revoked: Boolean(account.revoked),
      created_at: "2024-01-01T00:00:00.000Z",
      description: "",
      scopes: account.scopes,
      user_id: model.accounts.indexOf(account) + 1,
      last_used_at: null,
      active: account.active !== false && !account.revoked,
      expires_at: null,
    });
  });

  server.route(
    "GET",
    `${PREFIX}/projects`,
    read((context, account) => {
      const min = Number(context.query.get("min_access_level") ?? 0);
      const membership = context.query.get("membership") === "true" || min > 0;
      const projects = model.projects.filter((project) => {
        const level = GitLabModel.accessLevel(account, project);
        return membership ? level > 0 && level >= min : GitLabModel.canSee(account, project);
      });
      const simple = context.query.get("simple") === "true";
      sendPage(context, projects.map((p) => projectJson(p, account, simple)), maxPerPage);
    }),
  );

  server.route(
    "GET",
    `${PREFIX}/projects/:id`,
    read((context, account) => {
      const project = model.project(context.params.id);
      if (!project || !GitLabModel.canSee(account, project)) return message(context, 404, "404 Project Not Found");
      sendJson(context.res, 200, projectJson(project, account, false));
    }),
  );

  server.route(
    "GET",
    `${PREFIX}/projects/:id/registry/repositories`,
    read((context, account) => {
      const project = registryProject(context, account);
      if (project) sendPage(context, project.repositories.map(repositoryJson), maxPerPage);
    }),
  );

  server.route(
    "GET",
    `${PREFIX}/projects/:id/registry/repositories/:repository/tags`,
    read((context, account) => {
      const project = registryProject(context, account);
      const repository = project && repositoryOf(context, project);
      if (!repository) return;
      const tags = [...repository.tags.keys()].sort().map((name) => ({ name, path: `${repository.path}:${name}`, location: `${options.registryHost()}/${repository.path}:${name}` }));
      sendPage(context, tags, maxPerPage);
    }),
  );

  server.route(
    "GET",
    `${PREFIX}/projects/:id/registry/repositories/:repository/tags/:tag`,
    read((context, account) => {
      const project = registryProject(context, account);
      const repository = project && repositoryOf(context, project);
      if (!repository) return;
      const tag = repository.tags.get(context.params.tag);
      if (!tag) return message(context, 404, "404 Tag Not Found");
      sendJson(context.res, 200, {
        name: tag.name,
        path: `${repository.path}:${tag.name}`,
        location: `${options.registryHost()}/${repository.path}:${tag.name}`,
        revision: tag.configDigest.replace(/^sha256:/, ""),
        short_revision: tag.configDigest.replace(/^sha256:/, "").slice(0, 9),
        digest: tag.digest,
        created_at: tag.createdAt,
        total_size: tag.size,
      });
    }),
  );
}
