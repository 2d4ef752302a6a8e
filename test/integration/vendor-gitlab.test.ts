import { randomBytes } from "node:crypto";
import { request } from "undici";
import { AuthMethod, RegistryType } from "../../db/enums";
import type { RegistryAdapter } from "../../workers/registry/adapter";
import { CHECKS } from "../../workers/registry/connection-checks";
import { assertNoSecret } from "../emulators/shared";
import { startGitLabEmulator, type GitLabAccount, type GitLabEmulator } from "../emulators/gitlab";
import { leakRecorderPerTest } from "../helpers/leaks";
import { alpineLayer, debianLayer } from "../helpers/scan-images";
import { listRepositories, TestAdapters, EVERY_CHECK_PASSES, outcomes } from "../helpers/vendor-adapters";
import { integrateAndScan, scannedImages, scanningServerPerDescribe } from "../helpers/vendor-e2e";
import { buildImage } from "../registry/image-builder";

/**
 * GITLAB against the GitLab emulator: the REST API and /jwt/auth on one
 * origin (apiUrl), the real registry on another (url).
 */

const DAY = 24 * 3600_000;
const daysAgo = (n: number) => new Date(Date.now() - n * DAY).toISOString();
const secretOf = (name: string) => `glpat-${name}-${randomBytes(8).toString("hex")}`;
const BOTH = ["read_api", "read_registry"];
const MEMBERSHIPS = { "grp/app": 20, "grp/tools": 30, "grp/empty": 40, "other/guest": 10 };

const account = (username: string, scopes: string[], members: Record<string, number> = MEMBERSHIPS, extra: Partial<GitLabAccount> = {}): GitLabAccount => ({
  username,
  token: secretOf(username),
  scopes,
  members,
  ...extra,
});

const accounts = {
  scanner: account("scanner", BOTH),
  noRegistryScope: account("no-registry", ["read_api"]),
  noApiScope: account("no-api", ["read_registry"]),
  guest: account("guest", BOTH, { "grp/app": 10 }),
  stranger: account("stranger", BOTH, {}),
  apiScope: account("api-scope", ["api"]),
  revoked: account("revoked", BOTH, MEMBERSHIPS, { revoked: true }),
  userOnly: account("user-only", ["read_user"]),
};

const createdOf = {
  app10: daysAgo(10),
  app11: daysAgo(2),
  apiLatest: daysAgo(1),
  worker: daysAgo(40),
  cli: daysAgo(3),
};

let gitlab: GitLabEmulator;
const adapters = new TestAdapters();

function adapterFor(who: GitLabAccount): RegistryAdapter {
  return adapters.create(adapters.integration(who.token, { type: RegistryType.GITLAB, url: gitlab.registryUrl, apiUrl: gitlab.apiUrl, authMethod: AuthMethod.ACCOUNT, username: who.username }));
}

const rightsOf = async (who: GitLabAccount) => (await adapterFor(who).checkConnection()).find((check) => check.name === CHECKS.rights)!;

beforeAll(async () => {
  gitlab = await startGitLabEmulator({
    accounts: Object.values(accounts),
    projects: [
      {
        path: "grp/app",
        repositories: [
          { name: "", tags: [{ name: "1.0", createdAt: createdOf.app10 }, { name: "1.1", createdAt: createdOf.app11 }, { name: "2.0", createdAt: null }] },
          { name: "api", tags: [{ name: "latest", createdAt: createdOf.apiLatest }, { name: "old", createdAt: "1970-01-01T00:00:00Z" }] },
          { name: "worker", tags: [{ name: "v1", createdAt: createdOf.worker }] },
        ],
      },
      {
        path: "grp/tools",
        repositories: [
          { name: "cli", tags: [{ name: "v1", createdAt: createdOf.cli }] },
          { name: "gone", status: "delete_scheduled", tags: [{ name: "x" }] },
        ],
      },
      { path: "grp/empty", repositories: [] },
      { path: "other/guest", repositories: [{ name: "", tags: [{ name: "1.0" }] }] },
      { path: "secret/proj", repositories: [{ name: "", tags: [{ name: "1.0" }] }] },
    ],
  });
}, 120_000);

afterAll(async () => {
  await adapters.closeAll();
  await gitlab?.stop();
});

describe("discovery", () => {
  test("lists the container repositories of the projects reached as Reporter or above, by path; deleting ones are skipped", async () => {
    gitlab.registry.server.clearRequests();
    const listed = await listRepositories(adapterFor(accounts.scanner));
    expect(listed).toEqual([
      { repository: "grp/app" },
      { repository: "grp/app/api" },
      { repository: "grp/app/worker" },
      { repository: "grp/tools/cli" },
      { repository: "grp/tools/gone", skipped: "GitLab is deleting this repository (status delete_scheduled)" },
    ]);
    const listings = gitlab.apiRequests().filter((r) => r.path === "/api/v4/projects" || r.path.endsWith("/registry/repositories"));
    // Page 2 of the projects (3 reached at Reporter+) and of grp/app's 3 repositories were served.
    expect(listings.some((r) => r.path === "/api/v4/projects" && r.query.get("page") === "2")).toBe(true);
    expect(listings.some((r) => r.path === "/api/v4/projects/1/registry/repositories" && r.query.get("page") === "2")).toBe(true);
    for (const request of listings) expect(request.authorization).toBe(`Bearer ${accounts.scanner.token}`);
  });

  test("tags come with their detail's digest and created_at (pre-1980 counts as missing), no push date; tag lists paginate", async () => {
    const adapter = adapterFor(accounts.scanner);
    await listRepositories(adapter);
    const app = await adapter.listTags("grp/app");
    const digestOf = (path: string, tag: string) => gitlab.model.project(path.split("/").slice(0, 2).join("/"))!.repositories.find((r) => r.path === path)!.tags.get(tag)!.digest;
    expect(app.sort((a, b) => a.tag.localeCompare(b.tag))).toEqual([
      { repository: "grp/app", tag: "1.0", digest: digestOf("grp/app", "1.0"), createdAt: new Date(createdOf.app10), pushedAt: null },
      { repository: "grp/app", tag: "1.1", digest: digestOf("grp/app", "1.1"), createdAt: new Date(createdOf.app11), pushedAt: null },
      { repository: "grp/app", tag: "2.0", digest: digestOf("grp/app", "2.0"), createdAt: null, pushedAt: null },
    ]);
    expect(gitlab.apiRequests().some((r) => /\/registry\/repositories\/\d+\/tags$/.test(r.path) && r.query.get("page") === "2")).toBe(true);
    const api = await adapter.listTags("grp/app/api");
    expect(api.find((t) => t.tag === "old")).toMatchObject({ createdAt: null, digest: digestOf("grp/app/api", "old") });
    expect(api.find((t) => t.tag === "latest")?.createdAt).toEqual(new Date(createdOf.apiLatest));
  });

  test("pulls go through the registry with a /jwt/auth token: the allowed realm on the apiUrl origin receives the token", async () => {
    const adapter = adapterFor(accounts.scanner);
    const { api, name } = adapter.distribution("grp/tools/cli");
    const manifest = await api.getManifest(name, "v1");
    expect(manifest.digest).toBe(gitlab.model.project("grp/tools")!.repositories[0].tags.get("v1")!.digest);
    const tokenRequests = gitlab.apiRequests().filter((r) => r.path === "/jwt/auth");
    expect(tokenRequests.some((r) => r.authorization === `Basic ${Buffer.from(`scanner:${accounts.scanner.token}`).toString("base64")}`)).toBe(true);
    expect(tokenRequests.some((r) => r.query.getAll("scope").includes("repository:grp/tools/cli:pull"))).toBe(true);
  });

  test("a guest (below Reporter) neither lists nor pulls a project's images", async () => {
    expect(await listRepositories(adapterFor(accounts.guest))).toEqual([]);
    const { api, name } = adapterFor(accounts.guest).distribution("grp/app");
    await expect(api.getManifest(name, "1.0")).rejects.toMatchObject({ code: "REGISTRY_FORBIDDEN" });
  });
});

describe("connection test and minimum rights", () => {
  test("a token with read_api, read_registry and Reporter passes every check", async () => {
    const checks = await adapterFor(accounts.scanner).checkConnection();
    expect(outcomes(checks)).toEqual(EVERY_CHECK_PASSES);
    expect(gitlab.apiRequests().some((r) => r.path === "/api/v4/personal_access_tokens/self")).toBe(true);
  });

  test("the api scope covers both read scopes", async () => {
    expect(await rightsOf(accounts.apiScope)).toMatchObject({ ok: true });
  });

  test("without read_registry: the rights check names it", async () => {
    const rights = await rightsOf(accounts.noRegistryScope);
    expect(rights.ok).toBe(false);
    expect(rights.message).toContain("the token scope read_registry");
    expect(rights.message).not.toContain("read_api");
    expect(rights.message).not.toContain("Reporter");
  });

  test("without read_api: the rights check names it, and listing is refused", async () => {
    const checks = await adapterFor(accounts.noApiScope).checkConnection();
    const rights = checks.find((c) => c.name === CHECKS.rights)!;
    expect(rights.ok).toBe(false);
    expect(rights.message).toContain("the token scope read_api");
    expect(rights.message).not.toContain("read_registry");
    expect(checks.find((c) => c.name === CHECKS.canList)).toMatchObject({ ok: false, message: expect.stringContaining("read_api") });
    // GitLab's own answer to the scope: 403 insufficient_scope.
    const refused = gitlab.apiRequests().filter((r) => r.path === "/api/v4/projects" && r.authorization === `Bearer ${accounts.noApiScope.token}`);
    expect(refused.length).toBeGreaterThan(0);
  });

  test("below Reporter, or member of nothing: the rights check names the Reporter role", async () => {
    const guest = await rightsOf(accounts.guest);
    expect(guest).toMatchObject({ ok: false, message: expect.stringContaining("the Reporter role") });
    expect(guest.message).toContain("only below Reporter");
    expect(guest.message).not.toContain("scope");
    const stranger = await rightsOf(accounts.stranger);
    expect(stranger).toMatchObject({ ok: false, message: expect.stringContaining("member of no project") });
  });

  test("a token with no registry scope: /jwt/auth refuses it, and the rights check names both scopes", async () => {
    const checks = await adapterFor(accounts.userOnly).checkConnection();
    expect(checks.find((c) => c.name === CHECKS.authenticated)).toMatchObject({ ok: false });
    const rights = checks.find((c) => c.name === CHECKS.rights)!;
    expect(rights.ok).toBe(false);
    expect(rights.message).toContain("the token scope read_api; the token scope read_registry");
  });

  test("a revoked token: not authenticated, and the rights check says the API refused it", async () => {
    const checks = await adapterFor(accounts.revoked).checkConnection();
    expect(checks.find((c) => c.name === CHECKS.authenticated)).toMatchObject({ ok: false });
    expect(checks.find((c) => c.name === CHECKS.rights)).toMatchObject({ ok: false, message: expect.stringContaining("missing an active token") });
  });
});

describe("the emulator speaks GitLab", () => {
  const get = async (url: string, headers: Record<string, string>) => {
    const answer = await request(url, { headers });
    return { status: answer.statusCode, headers: answer.headers, body: (await answer.body.json()) as any };
  };
  const basic = (who: GitLabAccount) => `Basic ${Buffer.from(`${who.username}:${who.token}`).toString("base64")}`;

  test("offset pagination headers, PRIVATE-TOKEN and Bearer alike", async () => {
    const first = await get(`${gitlab.apiUrl}/projects?min_access_level=20&per_page=100`, { "private-token": accounts.scanner.token });
    expect(first.status).toBe(200);
    expect(first.body.map((p: any) => p.path_with_namespace)).toEqual(["grp/app", "grp/tools"]);
    expect(first.headers).toMatchObject({ "x-page": "1", "x-per-page": "2", "x-next-page": "2", "x-total": "3", "x-total-pages": "2" });
    const second = await get(`${gitlab.apiUrl}/projects?min_access_level=20&per_page=100&page=2`, { authorization: `Bearer ${accounts.scanner.token}` });
    expect(second.body.map((p: any) => p.path_with_namespace)).toEqual(["grp/empty"]);
    expect(second.headers["x-next-page"]).toBe("");
  });

  test("GitLab's refusals: 401, 403 insufficient_scope without read_api, 403 DENIED from /jwt/auth without a registry scope", async () => {
    expect(await get(`${gitlab.apiUrl}/projects`, { "private-token": "glpat-wrong" })).toMatchObject({ status: 401, body: { message: "401 Unauthorized" } });
    expect(await get(`${gitlab.apiUrl}/projects`, { "private-token": accounts.noApiScope.token })).toMatchObject({ status: 403, body: { error: "insufficient_scope" } });
    expect(await get(`${gitlab.apiUrl}/personal_access_tokens/self`, { "private-token": accounts.noApiScope.token })).toMatchObject({ status: 200, body: { scopes: ["read_registry"] } });
    expect(await get(`${gitlab.apiUrl}/projects/4/registry/repositories`, { "private-token": accounts.scanner.token })).toMatchObject({ status: 403, body: { message: "403 Forbidden" } });
    expect(await get(`${gitlab.apiUrl}/projects/${encodeURIComponent("secret/proj")}/registry/repositories`, { "private-token": accounts.scanner.token })).toMatchObject({
      status: 404,
      body: { message: "404 Project Not Found" },
    });
    const jwt = `${gitlab.realm}?service=container_registry&scope=repository:grp/app:pull`;
    expect(await get(jwt, { authorization: basic(accounts.userOnly) })).toMatchObject({ status: 403, body: { errors: [{ code: "DENIED", message: "access forbidden" }] } });
    expect(await get(jwt, { authorization: basic(accounts.scanner) })).toMatchObject({ status: 200, body: { token: expect.any(String) } });
  });
});

describe("no credential leaks", () => {
  const recorder = leakRecorderPerTest();
  afterAll(() => {
    gitlab.override("api", null);
    gitlab.override("registry", null);
  });

  test("a /v2/ challenge naming a realm on another origin gets no secret", async () => {
    gitlab.override("registry", ({ res, path }) => {
      if (path !== "/v2/") return false;
      res.writeHead(401, { "www-authenticate": `Bearer realm="${recorder.url}/jwt/auth",service="container_registry"`, "content-type": "application/json" });
      res.end(JSON.stringify({ errors: [{ code: "UNAUTHORIZED", message: "authentication required" }] }));
      return true;
    });
    await adapterFor(accounts.scanner).checkConnection();
    gitlab.override("registry", null);
    expect(recorder.requests().length).toBeGreaterThan(0);
    assertNoSecret(recorder.requests(), accounts.scanner.token, accounts.scanner.username);
  });

  test("a redirect from the API to another origin is followed without the token", async () => {
    gitlab.override("api", ({ res, path }) => {
      if (path !== "/api/v4/projects") return false;
      res.writeHead(302, { location: `${recorder.url}/api/v4/projects?page=1` }).end();
      return true;
    });
    recorder.answer({ status: 200, body: [] });
    await listRepositories(adapterFor(accounts.scanner));
    gitlab.override("api", null);
    expect(recorder.requests().some((r) => r.path === "/api/v4/projects")).toBe(true);
    assertNoSecret(recorder.requests(), accounts.scanner.token, accounts.scanner.username);
    for (const request of recorder.requests()) expect(request.authorization).toBeUndefined();
  });

  test("a redirect from /v2/ to another origin is followed without credentials", async () => {
    gitlab.override("registry", ({ res, path }) => {
      if (!path.includes("/manifests/")) return false;
      res.writeHead(307, { location: `${recorder.url}${path}` }).end();
      return true;
    });
    recorder.answer({ status: 404, body: { errors: [{ code: "MANIFEST_UNKNOWN", message: "manifest unknown" }] } });
    const { api, name } = adapterFor(accounts.scanner).distribution("grp/tools/cli");
    await expect(api.getManifest(name, "v1")).rejects.toThrow();
    gitlab.override("registry", null);
    expect(recorder.requests().some((r) => r.path === "/v2/grp/tools/cli/manifests/v1")).toBe(true);
    assertNoSecret(recorder.requests(), accounts.scanner.token, accounts.scanner.username);
    for (const request of recorder.requests()) expect(request.authorization).toBeUndefined();
  });
});

describe("end to end through GraphQL", () => {
  const shopper = account("shopper", BOTH, { "shop/web": 20 });

  beforeAll(async () => {
    // Real images to scan: two recent ones the policy selects, and what it must leave out.
    await gitlab.pushTag("shop/web", "", "3.0", buildImage({ layers: [alpineLayer], config: { created: new Date() } }), daysAgo(1));
    await gitlab.pushTag("shop/web", "", "2.0", buildImage({ layers: [alpineLayer], config: { created: daysAgo(90) } }), daysAgo(90));
    await gitlab.pushTag("shop/web", "etl", "1.0", buildImage({ layers: [debianLayer], config: { created: new Date() } }), daysAgo(2));
    await gitlab.pushTag("shop/web", "etl", "dev", buildImage({ layers: [debianLayer], config: { created: new Date() } }), daysAgo(2));
    await gitlab.pushTag("shop/web", "etl", "1.1", buildImage({ layers: [debianLayer], config: { created: new Date() } }), "1970-01-01T00:00:00Z");
    gitlab.model.accounts.push(shopper);
  }, 120_000);
  const e2e = scanningServerPerDescribe();

  test("add, test, AUTOMATIC policy with criteria and a date condition, sync: exactly the expected images are queued and scanned", async () => {
    const { connection, state: data } = await integrateAndScan(
      e2e.gql,
      { name: "gitlab", type: "GITLAB", url: gitlab.registryUrl, apiUrl: gitlab.apiUrl, insecure: true, authMethod: "ACCOUNT", username: shopper.username, secret: shopper.token },
      ["shop/web:3.*", "shop/web:2.*", "shop/web/etl:1.*"],
      2,
    );
    expect(connection.checks.map((c) => c.name)).toContain(CHECKS.rights);
    // 2 repositories, 5 tags; web 2.0 is 90 days old, etl dev is no criterion, etl 1.1 has a pre-1980 date (missing).
    expect(data.registry.lastSync).toMatchObject({ repositories: 2, tagsSeen: 5, selected: 2, queued: 2, errors: [] });
    expect(scannedImages(data)).toEqual([
      { ref: "shop/web/etl:1.0", os: { id: "debian", versionId: "12" }, packages: 140, scan: "SUCCEEDED" },
      { ref: "shop/web:3.0", os: { id: "alpine", versionId: "3.18.1" }, packages: 15, scan: "SUCCEEDED" },
    ]);
    expect(e2e.server.output.join("\n")).not.toContain(shopper.token);
  }, 120_000);
});
