/**
 * A Harbor in a test: the management API (`/api/v2.0`, see api.ts), the
 * token service at `/service/token` (service `harbor-registry`) and `/v2/`
 * served by the real distribution registry, which trusts that token
 * service's tokens.
 *
 *   const harbor = await startHarborEmulator({
 *     accounts: [{ username: "scanner", password: "pw", roles: { team: ROLE.limitedGuest } },
 *                { username: "robot$team+ci", password: "pw", permissions: { team: ["repository:pull", ...] } }],
 *     projects: [{ name: "team", repositories: [{ name: "api", artifacts: [{ tags: ["1.0"], image: { layers } }] }] }],
 *   });
 *   ... drydock talks to harbor.url ...
 *   await harbor.stop();
 *
 * Pages hold at most `maxPageSize` (default 2) items, so every list with
 * more than two entries is read in several pages. The token service grants
 * pull (and push) only in projects where the account has a role (a user's
 * member role, a robot's grants, or an administrator); a real Harbor also
 * lets anyone pull from public projects, which the emulator leaves out so
 * that tests see the scope. Tests can switch on
 * two faults: a foreign token realm in `/v2/` challenges, and redirects.
 */
import type { RouteContext } from "../shared";
import { narrowScopes, startEmulator, type Emulator, type RecordedRequest } from "../shared";
import { type HarborAccount, may } from "./accounts";
import { API, mountHarborApi } from "./api";
import { HarborCatalog, type HarborArtifactSpec, type HarborProjectSpec, type StoredArtifact } from "./catalog";

export { ROLE, type HarborAccount } from "./accounts";
export type { HarborArtifactSpec, HarborProjectSpec, HarborRepositorySpec } from "./catalog";

export const HARBOR_SERVICE = "harbor-registry";

export interface HarborEmulatorOptions {
  accounts: HarborAccount[];
  projects?: HarborProjectSpec[];
  /** Default 2. */
  maxPageSize?: number;
}

export interface HarborFaults {
  /** `/v2/` answers every request with a Bearer challenge naming this realm. */
  foreignRealm?: string;
  /** Requests whose path this answers with a URL are redirected there (302). */
  redirect?: (path: string) => string | undefined;
}

export interface HarborEmulator {
  /** `http://127.0.0.1:<port>`: the Harbor URL (API at `<url>/api/v2.0`, registry at `<url>/v2/`). */
  url: string;
  host: string;
  /** Accounts may be changed while it runs. */
  accounts: HarborAccount[];
  faults: HarborFaults;
  base: Emulator;
  /** Pushes one more artifact (creating the project and repository when new). */
  push(project: string, repository: string, artifact: HarborArtifactSpec): Promise<StoredArtifact>;
  /** Requests to the API and `/v2/` (token requests included: same origin). */
  requests(): RecordedRequest[];
  /** The API list pages served beyond the first: `/api/v2.0/projects?page=2…`. */
  laterPages(): string[];
  stop(): Promise<void>;
}

export async function startHarborEmulator(options: HarborEmulatorOptions): Promise<HarborEmulator> {
  const accounts = options.accounts;
  const faults: HarborFaults = {};
  let catalog: HarborCatalog | undefined;
  const accountOf = (credentials: { username: string; password: string } | null) =>
    credentials ? accounts.find((a) => a.username === credentials.username && a.password === credentials.password) : null;

  const base = await startEmulator({
    service: HARBOR_SERVICE,
    tokenPath: "/service/token",
    expiresInSeconds: 1800,
    authorize: (credentials, requested) => {
      const account = accountOf(credentials);
      if (account === undefined) return "unauthorized";
      return narrowScopes(requested, (scope) => {
        if (scope.type === "registry") return account?.sysadmin && scope.name === "catalog" ? ["*"] : [];
        if (scope.type !== "repository") return [];
        const project = scope.name.split("/")[0];
        return [may(account, project, "repository:pull") && "pull", may(account, project, "repository:push") && "push"].filter((a): a is string => !!a);
      });
    },
    unauthorized: (res) => res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ errors: [{ code: "UNAUTHORIZED", message: "unauthorized" }] })),
  });

  const intercept = ({ res, path }: RouteContext): boolean => {
    const to = faults.redirect?.(path);
    if (to) {
      res.writeHead(302, { location: to }).end();
      return true;
    }
    if (faults.foreignRealm && /^\/v2(\/|$)/.test(path)) {
      res
        .writeHead(401, {
          "content-type": "application/json",
          "docker-distribution-api-version": "registry/2.0",
          "www-authenticate": `Bearer realm="${faults.foreignRealm}",service="${HARBOR_SERVICE}"`,
        })
        .end(JSON.stringify({ errors: [{ code: "UNAUTHORIZED", message: "authentication required", detail: null }] }));
      return true;
    }
    return false;
  };
  const registry = base.server.fallback;
  base.server.fallback = (context) => (intercept(context) ? undefined : registry(context));

  try {
    catalog = new HarborCatalog(base.pushTarget());
    mountHarborApi(base.server, { accounts: () => accounts, catalog, maxPageSize: options.maxPageSize ?? 2, intercept });
    for (const spec of options.projects ?? []) {
      const project = catalog.addProject(spec);
      for (const repository of spec.repositories ?? []) await catalog.addRepository(project, repository);
    }
  } catch (error) {
    await base.stop();
    throw error;
  }
  const found = catalog;
  return {
    url: base.url,
    host: base.host,
    accounts,
    faults,
    base,
    push: (project, repository, artifact) => found.push(project, repository, artifact),
    requests: () => base.requests(),
    laterPages: () =>
      base
        .requests()
        .filter((r) => r.path.startsWith(`${API}/`) && Number(r.query.get("page") ?? 1) > 1)
        .map((r) => r.url),
    stop: () => base.stop(),
  };
}
