/**
 * HARBOR end to end against the Harbor emulator (test/emulators/harbor):
 * discovery (scope, canonical names, dates, pagination), the connection test
 * with its minimum-rights check, credentials kept from foreign origins, and
 * an integration added, tested, synced and scanned through GraphQL over HTTP.
 */
import { randomUUID } from "node:crypto";
import { request } from "undici";
import { harborPush } from "../../server/webhooks/parsers/test-support/payloads";
import { AuthMethod, RegistryType } from "../../db/enums";
import type { ListedRepository, ListedTag, RegistryAdapter } from "../../workers/registry/adapter";
import { CHECKS } from "../../workers/registry/connection-checks";
import { TagResolver } from "../../workers/registry/tag-resolver";
import { type HarborAccount, type HarborArtifactSpec, ROLE, startHarborEmulator, type HarborEmulator } from "../emulators/harbor";
import { assertNoSecret } from "../emulators/shared";
import { leakRecorderPerTest } from "../helpers/leaks";
import { alpineLayer, debianLayer } from "../helpers/scan-images";
import { listRepositories, TestAdapters, EVERY_CHECK_PASSES, outcomes } from "../helpers/vendor-adapters";
import { integrateAndScan, scannedImages, scanningServerPerDescribe, waitForRegistry } from "../helpers/vendor-e2e";
import { BASE_LAYER, buildLayer, file, type Layer } from "../registry/image-builder";

const DAY = 24 * 3600_000;
const daysAgo = (n: number) => new Date(Date.now() - n * DAY);
const SECRET = "harbor-Secret-4711";
const REQUIRED = ["repository:list", "repository:read", "repository:pull", "artifact:list", "artifact:read", "tag:list"];

const accounts: HarborAccount[] = [
  // Limited Guest, Guest and Limited Guest: no administrator, no Guest needed.
  { username: "scanner", password: SECRET, roles: { team: ROLE.limitedGuest, data: ROLE.guest, "hub-cache": ROLE.limitedGuest } },
  { username: "outsider", password: "outsider-pw" },
  { username: "robot$team+ci", password: "robot-pw", permissions: { team: REQUIRED } },
  { username: "robot$team+nopull", password: "robot-pw", permissions: { team: REQUIRED.filter((p) => p !== "repository:pull") } },
];

const pushed = {
  api10: daysAgo(90),
  api11: daysAgo(1),
  api11Created: daysAgo(2),
  cli: daysAgo(3),
  cliArm: daysAgo(400),
  legacy: daysAgo(5),
};

let harbor: HarborEmulator;
const adapters = new TestAdapters();

function adapterFor(username: string, secret: string, platforms = ["linux/amd64"]): RegistryAdapter {
  const registry = adapters.integration(secret, { id: randomUUID(), type: RegistryType.HARBOR, url: harbor.url, authMethod: AuthMethod.ACCOUNT, username });
  return adapters.create(registry, new TagResolver(platforms));
}

const byTag = (tags: ListedTag[]) => [...tags].sort((a, b) => a.tag.localeCompare(b.tag));

beforeAll(async () => {
  const image = (layers: Layer[], created: Date) => ({ layers, config: { created } });
  const etl: HarborArtifactSpec[] = [
    { tags: ["0.9"], image: image([debianLayer], daysAgo(200)), pushedAt: daysAgo(200) },
    { tags: ["1.0"], image: image([debianLayer, buildLayer([file("app/etl", "1.0\n")])], daysAgo(10)), pushedAt: daysAgo(10) },
  ];
  const api: HarborArtifactSpec[] = [
    { tags: ["1.0"], image: image([BASE_LAYER], pushed.api10), pushedAt: pushed.api10 },
    { tags: ["1.1", "latest"], image: image([alpineLayer], pushed.api11Created), pushedAt: pushed.api11 },
    { tags: ["chart-0.1"], type: "CHART", created: daysAgo(1) },
  ];
  const cli: HarborArtifactSpec = {
    tags: ["2.0"],
    pushedAt: pushed.cli,
    platforms: [
      { platform: { os: "linux", architecture: "amd64" }, config: { created: pushed.cli } },
      { platform: { os: "linux", architecture: "arm64" }, config: { created: pushed.cliArm } },
    ],
  };
  harbor = await startHarborEmulator({
    accounts,
    projects: [
      { name: "data", repositories: [{ name: "etl", artifacts: etl }] },
      { name: "hub-cache", proxyCacheOf: 1, repositories: [{ name: "library/nginx", artifacts: [{ tags: ["1.25"], created: daysAgo(1) }] }] },
      { name: "library", public: true, repositories: [{ name: "alpine", artifacts: [{ tags: ["3.18"], image: image([alpineLayer], daysAgo(1)) }] }] },
      { name: "secret", repositories: [{ name: "vault", artifacts: [{ tags: ["1.0"], created: daysAgo(1) }] }] },
      {
        name: "team",
        repositories: [
          { name: "api", artifacts: api },
          { name: "legacy", artifacts: [{ tags: ["0.1"], image: image([BASE_LAYER], new Date(0)), pushedAt: pushed.legacy }] },
          { name: "tools/cli", artifacts: [cli] },
        ],
      },
    ],
  });
}, 120_000);

afterAll(async () => {
  await adapters.closeAll();
  await harbor?.stop();
});

describe("discovery", () => {
  test("lists the repositories of the projects where the account has a role, proxy caches as skipped, paging every list", async () => {
    const adapter = adapterFor("scanner", SECRET);
    const listed: ListedRepository[] = await listRepositories(adapter);
    expect(listed).toEqual([
      { repository: "data/etl" },
      { repository: "hub-cache/library/nginx", skipped: "in the proxy-cache project hub-cache: a cache of another registry" },
      { repository: "team/api" },
      { repository: "team/legacy" },
      { repository: "team/tools/cli" },
    ]);
    // library is public (visible, no role), secret is not visible: neither is listed. Page 2 of the projects and of team's repositories.
    const later = harbor.laterPages();
    expect(later.some((url) => url.startsWith("/api/v2.0/projects?") && url.includes("page=2"))).toBe(true);
    expect(later.some((url) => url.startsWith("/api/v2.0/projects/team/repositories?") && url.includes("page=2"))).toBe(true);
  });

  test("a pushed repository is in scope as the listing says: a proxy cache's is skipped, another project's is not listed", async () => {
    const adapter = adapterFor("scanner", SECRET);
    expect(await adapter.pushedRepository("team/api")).toEqual({ repository: "team/api" });
    expect(await adapter.pushedRepository("hub-cache/library/nginx")).toEqual({
      repository: "hub-cache/library/nginx",
      skipped: "in the proxy-cache project hub-cache: a cache of another registry",
    });
    expect(await adapter.pushedRepository("secret/vault")).toEqual({ repository: "secret/vault", skipped: "not among the repositories this integration lists: outside its scope" });
  });

  test("tags with the build date from extra_attrs.created and the push date from push_time; non-images left out", async () => {
    const adapter = adapterFor("scanner", SECRET);
    const api = byTag(await adapter.listTags("team/api"));
    expect(api.map(({ tag, createdAt, pushedAt }) => ({ tag, createdAt, pushedAt }))).toEqual([
      { tag: "1.0", createdAt: pushed.api10, pushedAt: pushed.api10 },
      { tag: "1.1", createdAt: pushed.api11Created, pushedAt: pushed.api11 },
      { tag: "latest", createdAt: pushed.api11Created, pushedAt: pushed.api11 },
    ]);
    expect(api[1].digest).toMatch(/^sha256:/);
    expect(api[1].digest).toBe(api[2].digest);
    // Three artifacts, two per page: the artifact list was paged too.
    expect(harbor.laterPages().some((url) => url.startsWith("/api/v2.0/projects/team/repositories/api/artifacts?") && url.includes("page=2"))).toBe(true);
  });

  test("a build date before 1980 counts as missing (the push date stays)", async () => {
    const [legacy] = await adapterFor("scanner", SECRET).listTags("team/legacy");
    expect(legacy).toMatchObject({ tag: "0.1", createdAt: null, pushedAt: pushed.legacy });
  });

  test("a repository with a slash is asked for encoded twice; an index takes the wanted platform's build date", async () => {
    const [cli] = await adapterFor("scanner", SECRET).listTags("team/tools/cli");
    expect(cli).toMatchObject({ repository: "team/tools/cli", tag: "2.0", createdAt: pushed.cli, pushedAt: pushed.cli });
    expect(harbor.requests().some((r) => r.path === "/api/v2.0/projects/team/repositories/tools%252Fcli/artifacts")).toBe(true);
    const [arm] = await adapterFor("scanner", SECRET, ["linux/arm64"]).listTags("team/tools/cli");
    expect(arm.createdAt).toEqual(pushed.cliArm);
  });

  test("a robot account's scope comes from its permissions: its own project only", async () => {
    const listed = await listRepositories(adapterFor("robot$team+ci", "robot-pw"));
    expect(listed).toEqual([{ repository: "team/api" }, { repository: "team/legacy" }, { repository: "team/tools/cli" }]);
    expect(harbor.requests().some((r) => r.path === "/api/v2.0/users/current/permissions" && r.query.get("relative") === "true")).toBe(true);
  });

  test("pulls go through the token service, which grants pull only where the account has a role", async () => {
    const scanner = adapterFor("scanner", SECRET);
    const { api, name } = scanner.distribution("team/api");
    expect((await api.getManifest(name, "1.1")).kind).toBe("image");
    const outsider = adapterFor("outsider", "outsider-pw").distribution("team/api");
    await expect(outsider.api.getManifest(outsider.name, "1.1")).rejects.toMatchObject({ code: "REGISTRY_FORBIDDEN" });
  });
});

describe("connection test", () => {
  const rights = (checks: { name: string; ok: boolean; message: string }[]) => checks.find((c) => c.name === CHECKS.rights)!;

  test("a user with Limited Guest or more: every check passes, no administrator needed", async () => {
    const checks = await adapterFor("scanner", SECRET).checkConnection();
    expect(outcomes(checks)).toEqual(EVERY_CHECK_PASSES);
    expect(rights(checks).message).toContain("team (Limited Guest)");
    expect(rights(checks).message).toContain("no role in library");
  });

  test("a user without a role in any project: the rights check names the projects lacking one", async () => {
    const check = rights(await adapterFor("outsider", "outsider-pw").checkConnection());
    expect(check.ok).toBe(false);
    expect(check.message).toMatch(/no role in library/);
    expect(check.message).toMatch(/Limited Guest/);
  });

  test("a robot with the permissions passes; a robot lacking pull is told exactly that", async () => {
    expect(rights(await adapterFor("robot$team+ci", "robot-pw").checkConnection()).ok).toBe(true);
    const check = rights(await adapterFor("robot$team+nopull", "robot-pw").checkConnection());
    expect(check.ok).toBe(false);
    expect(check.message).toContain("in team the robot account lacks repository:pull");
  });

  test("a wrong secret fails at authenticated, and the rights are not checked", async () => {
    const checks = await adapterFor("scanner", "wrong").checkConnection();
    expect(checks.find((c) => c.name === CHECKS.authenticated)!.ok).toBe(false);
    expect(rights(checks)).toEqual({ name: CHECKS.rights, ok: false, message: "not checked: an earlier step failed" });
  });
});

describe("credentials stay on the Harbor origin", () => {
  const recorder = leakRecorderPerTest();
  afterEach(() => {
    harbor.faults.foreignRealm = undefined;
    harbor.faults.redirect = undefined;
  });

  test("a /v2/ challenge naming a realm on another origin gets no secret", async () => {
    harbor.faults.foreignRealm = `${recorder.url}/service/token`;
    const { api, name } = adapterFor("scanner", SECRET).distribution("team/api");
    await expect(api.getManifest(name, "1.1")).rejects.toBeDefined();
    expect(recorder.requests().length).toBeGreaterThan(0);
    assertNoSecret(recorder.requests(), SECRET, "scanner");
    expect(recorder.requests().every((r) => r.authorization === undefined)).toBe(true);
  });

  test("the API redirected to another origin gets no secret", async () => {
    harbor.faults.redirect = (path) => (path.startsWith("/api/v2.0/projects") ? `${recorder.url}/api/v2.0/projects` : undefined);
    await expect(listRepositories(adapterFor("scanner", SECRET))).rejects.toBeDefined();
    expect(recorder.requests().length).toBeGreaterThan(0);
    assertNoSecret(recorder.requests(), SECRET, "scanner");
    expect(recorder.requests().every((r) => r.authorization === undefined)).toBe(true);
  });

  test("/v2/ redirected to another origin gets no secret and no token", async () => {
    const { api, name } = adapterFor("scanner", SECRET).distribution("team/api");
    await api.headManifest(name, "1.0"); // the token handshake is learned first: later requests carry a token
    harbor.faults.redirect = (path) => (path.includes("/manifests/") ? `${recorder.url}${path}` : undefined);
    await expect(api.getManifest(name, "1.1")).rejects.toBeDefined();
    expect(recorder.requests().length).toBeGreaterThan(0);
    assertNoSecret(recorder.requests(), SECRET, "scanner");
    expect(recorder.requests().every((r) => r.authorization === undefined)).toBe(true);
  });

  test("the Harbor token service on the same origin does receive the credentials", async () => {
    const expected = "Basic " + Buffer.from(`scanner:${SECRET}`).toString("base64");
    harbor.base.server.clearRequests();
    const { api, name } = adapterFor("scanner", SECRET).distribution("data/etl");
    await api.headManifest(name, "1.0");
    const tokenRequests = harbor.requests().filter((r) => r.path === "/service/token");
    expect(tokenRequests.some((r) => r.authorization === expected && r.query.get("service") === "harbor-registry" && r.query.get("scope") === "repository:data/etl:pull")).toBe(true);
  });
});

describe("through GraphQL over HTTP", () => {
  const e2e = scanningServerPerDescribe({ workerConcurrency: 3 });

  test("add, test, AUTOMATIC policy with criteria and a date condition, sync: exactly the expected images are queued and scanned", async () => {
    const { registryId, connection, state: data } = await integrateAndScan(
      e2e.gql,
      { name: "harbor", type: "HARBOR", url: harbor.url, insecure: true, authMethod: "ACCOUNT", username: "scanner", secret: SECRET },
      ["team/api", "data/*:1.*", "hub-cache/*"],
      3,
    );
    expect(connection.checks.map((c) => c.name)).toEqual(Object.values(CHECKS));
    // team/api:1.0 was built 90 days ago, data/etl:0.9 200 days ago; team/legacy and team/tools/cli match no criterion.
    expect(data.registry.lastSync).toMatchObject({ selected: 3, queued: 3 });
    expect(data.registry.lastSync.skipped).toEqual([{ repository: "hub-cache/library/nginx", reason: "in the proxy-cache project hub-cache: a cache of another registry" }]);
    expect(scannedImages(data)).toEqual([
      { ref: "data/etl:1.0", os: { id: "debian", versionId: "12" }, packages: 140, scan: "SUCCEEDED" },
      { ref: "team/api:1.1", os: { id: "alpine", versionId: "3.18.1" }, packages: 15, scan: "SUCCEEDED" },
      { ref: "team/api:latest", os: { id: "alpine", versionId: "3.18.1" }, packages: 15, scan: "SUCCEEDED" },
    ]);
    expect(data.images.nodes.map((i: { platform: string }) => i.platform)).toEqual(["linux/amd64", "linux/amd64", "linux/amd64"]);
    expect(e2e.server.output.join("\n")).not.toContain(SECRET);

    // A push webhook naming the proxy cache's repository meets the sync's scope: skipped, nothing more queued.
    const { registry } = await e2e.gql(`query($id: ID!) { registry(id: $id) { webhookUrl } }`, { id: registryId });
    const pushed = await request(registry.webhookUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(harborPush("hub-cache", "library/nginx", ["latest"])),
    });
    expect(pushed.statusCode).toBe(202);
    await pushed.body.dump();
    const afterPush = await waitForRegistry(
      e2e.gql,
      registryId,
      "the push run",
      (state) => state.registry.lastSync?.trigger === "WEBHOOK" && state.registry.lastSync.status === "SUCCEEDED",
      30_000,
      `query($id: ID!) { registry(id: $id) { lastSync { trigger status selected skipped { repository reason } } } scanJobs(filter: { registryId: $id }, first: 20) { nodes { status } } }`,
    );
    expect(afterPush.registry.lastSync).toMatchObject({
      selected: 0,
      skipped: [{ repository: "hub-cache/library/nginx", reason: "in the proxy-cache project hub-cache: a cache of another registry" }],
    });
    expect(afterPush.scanJobs.nodes).toHaveLength(3);
  }, 120_000);
});
