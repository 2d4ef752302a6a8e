import type { Registry } from "../../db/entities";
import { AuthMethod, RegistryType, RepositoryPathMethod } from "../../db/enums";
import type { ListedRepository, RegistryAdapter } from "../../workers/registry/adapter";
import { CHECKS } from "../../workers/registry/connection-checks";
import { TagResolver } from "../../workers/registry/tag-resolver";
import { startArtifactoryEmulator, type ArtifactoryEmulator, type ArtifactoryUser } from "../emulators/artifactory";
import { assertNoSecret } from "../emulators/shared";
import { leakRecorderPerTest } from "../helpers/leaks";
import { alpineLayer, debianLayer } from "../helpers/scan-images";
import { listRepositories, TestAdapters, EVERY_CHECK_PASSES, outcomes } from "../helpers/vendor-adapters";
import { integrateAndScan, scannedImages, scanningServerPerDescribe } from "../helpers/vendor-e2e";
import { buildImage, buildLayer, file, type Layer } from "../registry/image-builder";
import { pushBuiltImage, pushIndex } from "../registry/push";

/**
 * ARTIFACTORY against the Artifactory emulator: REST under …/artifactory,
 * each repository's Docker API at …/api/docker/<key>/v2/ behind its token
 * realm, docker-dev also on a port of its own (PORT), and a real registry behind.
 */

const DAY = 24 * 3600_000;
const daysAgo = (n: number) => new Date(Date.now() - n * DAY);

const users: Record<string, ArtifactoryUser> = {
  ci: { password: "ci-pass", accessTokens: ["ci-access-token"], permissions: { "docker-local": ["read"], "docker-dev": ["read"], hub: ["read"], all: ["read"] } },
  // Sees docker-dev (an annotate permission) but may not read it.
  partial: { password: "partial-pass", permissions: { "docker-local": ["read"], "docker-dev": ["annotate"] } },
  nobody: { password: "nobody-pass", permissions: {} },
  shopper: { password: "shopper-pass", permissions: { "docker-shop": ["read"] } },
};

const layer = (name: string) => buildLayer([file(`app/${name}`, `${name}\n`)]);
const api10 = buildImage({ layers: [layer("api-1.0")], config: { created: daysAgo(90) } });
const api11 = buildImage({ layers: [layer("api-1.1")], config: { created: daysAgo(2) } });
const dates = {
  api10: { created: daysAgo(90), lastModified: daysAgo(90) },
  api11: { created: daysAgo(2), lastModified: daysAgo(2) },
  apiLatest: { created: daysAgo(10), lastModified: daysAgo(2) },
  web: { created: daysAgo(3), lastModified: daysAgo(1) },
  tool: { created: new Date("1970-01-01T00:00:00Z"), lastModified: daysAgo(5) },
  dev: { created: daysAgo(1), lastModified: daysAgo(1) },
};

let art: ArtifactoryEmulator;
let webIndex: string;
const adapters = new TestAdapters();

function integration(username: string | null, secret: string, fields: Partial<Registry> = {}): Registry {
  return adapters.integration(secret, {
    type: RegistryType.ARTIFACTORY,
    url: art.baseUrl,
    repositoryPathMethod: RepositoryPathMethod.REPOSITORY_PATH,
    authMethod: AuthMethod.ACCOUNT,
    username,
    ...fields,
  });
}

function adapterFor(user: string, fields: Partial<Registry> = {}): RegistryAdapter {
  return adapters.create(integration(user, users[user].password!, fields));
}

/** docker-dev through its own port: url is its Docker endpoint, apiUrl the REST base. */
const portFields = (): Partial<Registry> => ({
  repositoryPathMethod: RepositoryPathMethod.PORT,
  repositoryKey: "docker-dev",
  url: art.dockerEndpoint("docker-dev"),
  apiUrl: art.baseUrl,
});

const byName = (a: ListedRepository, b: ListedRepository) => a.repository.localeCompare(b.repository);
const rightsOf = async (adapter: RegistryAdapter) => (await adapter.checkConnection()).find((check) => check.name === CHECKS.rights)!;
const servedPage2 = (path: RegExp) => art.requests().some((r) => path.test(r.path) && r.query.has("last"));

beforeAll(async () => {
  art = await startArtifactoryEmulator({
    users,
    repositories: [
      { key: "docker-local", type: "LOCAL" },
      { key: "docker-dev", type: "LOCAL", port: true },
      { key: "docker-shop", type: "LOCAL" },
      { key: "hub", type: "REMOTE" },
      { key: "all", type: "VIRTUAL" },
    ],
    catalog: [
      { repository: "docker-local/team/api", tag: "1.0", image: api10, ...dates.api10 },
      { repository: "docker-local/team/api", tag: "1.1", image: api11, ...dates.api11 },
      { repository: "docker-local/team/api", tag: "latest", image: api11, ...dates.apiLatest },
      { repository: "docker-local/legacy/tool", tag: "0.1", ...dates.tool },
      { repository: "docker-dev/svc/x", tag: "1.0", ...dates.dev },
    ],
  });
  const web = await pushIndex(art.pushTarget(), "docker-local/team/web", "2.0", [
    { platform: { os: "linux", architecture: "amd64" }, config: { created: daysAgo(3) } },
    { platform: { os: "linux", architecture: "arm64", variant: "v8" }, config: { created: daysAgo(3) } },
  ]);
  webIndex = web.indexDigest;
  art.setDates("docker-local/team/web:2.0", dates.web);
}, 120_000);

afterAll(async () => {
  await adapters.closeAll();
  await art?.stop();
});

describe("discovery", () => {
  test("REPOSITORY_PATH lists every local Docker repository the account reads as <key>/<image>; remote and virtual ones are skipped", async () => {
    const listed = await listRepositories(adapterFor("ci"));
    expect(listed.sort(byName)).toEqual([
      { repository: "all", skipped: expect.stringMatching(/^virtual repository/) },
      { repository: "docker-dev/svc/x" },
      { repository: "docker-local/legacy/tool" },
      { repository: "docker-local/team/api" },
      { repository: "docker-local/team/web" },
      { repository: "hub", skipped: expect.stringMatching(/^remote repository/) },
    ]);
    // docker-local has three images and the page size is 2.
    expect(servedPage2(/^\/artifactory\/api\/docker\/docker-local\/v2\/_catalog$/)).toBe(true);
    // The repository list is asked per type, for Docker only.
    const asked = art.requests().filter((r) => r.path === "/artifactory/api/repositories").map((r) => `${r.query.get("type")}:${r.query.get("packageType")}`);
    expect(new Set(asked)).toEqual(new Set(["local:docker", "remote:docker", "virtual:docker", "federated:docker"]));
  });

  test("a pushed image of a remote or virtual repository is skipped with that repository's reason", async () => {
    const ci = adapterFor("ci");
    expect(await ci.pushedRepository("docker-local/team/api")).toEqual({ repository: "docker-local/team/api" });
    expect(await ci.pushedRepository("hub/library/nginx")).toEqual({ repository: "hub/library/nginx", skipped: expect.stringMatching(/^remote repository/) });
    expect(await ci.pushedRepository("all/team/api")).toEqual({ repository: "all/team/api", skipped: expect.stringMatching(/^virtual repository/) });
  });

  test("tags come with the manifest file's sha256 as digest, created → createdAt and lastModified → pushedAt; tag lists paginate", async () => {
    const adapter = adapterFor("ci");
    const tags = await adapter.listTags("docker-local/team/api");
    expect(tags.sort((a, b) => a.tag.localeCompare(b.tag))).toEqual([
      { repository: "docker-local/team/api", tag: "1.0", digest: api10.manifest.digest, createdAt: dates.api10.created, pushedAt: dates.api10.lastModified },
      { repository: "docker-local/team/api", tag: "1.1", digest: api11.manifest.digest, createdAt: dates.api11.created, pushedAt: dates.api11.lastModified },
      { repository: "docker-local/team/api", tag: "latest", digest: api11.manifest.digest, createdAt: dates.apiLatest.created, pushedAt: dates.apiLatest.lastModified },
    ]);
    expect(servedPage2(/^\/artifactory\/api\/docker\/docker-local\/v2\/team\/api\/tags\/list$/)).toBe(true);
    expect(art.requests().some((r) => r.path === "/artifactory/api/storage/docker-local/team/api/1.0/manifest.json")).toBe(true);
  });

  test("a multi-platform tag is dated from its list.manifest.json; a created date before 1980 counts as missing, lastModified stays", async () => {
    const adapter = adapterFor("ci");
    expect(await adapter.listTags("docker-local/team/web")).toEqual([
      { repository: "docker-local/team/web", tag: "2.0", digest: webIndex, createdAt: dates.web.created, pushedAt: dates.web.lastModified },
    ]);
    expect(art.requests().some((r) => r.path === "/artifactory/api/storage/docker-local/team/web/2.0/list.manifest.json")).toBe(true);
    expect(await adapter.listTags("docker-local/legacy/tool")).toEqual([
      { repository: "docker-local/legacy/tool", tag: "0.1", digest: expect.stringMatching(/^sha256:/), createdAt: null, pushedAt: dates.tool.lastModified },
    ]);
  });

  test("pulls go through …/api/docker/<key>/v2/ with a token from its realm, which receives the account's Basic credentials", async () => {
    const adapter = adapterFor("ci");
    const { api, name } = adapter.distribution("docker-local/team/api");
    expect(name).toBe("team/api");
    expect((await api.getManifest(name, "1.0")).digest).toBe(api10.manifest.digest);
    const realm = art.requests().filter((r) => r.path === "/artifactory/api/docker/docker-local/v2/token");
    expect(realm.some((r) => r.authorization === `Basic ${Buffer.from("ci:ci-pass").toString("base64")}`)).toBe(true);
  });

  test("an access token (API_KEY) is sent as Bearer to the REST API and to the token realm", async () => {
    const adapter = adapters.create(integration(null, "ci-access-token", { authMethod: AuthMethod.API_KEY }));
    art.emulator.server.clearRequests();
    expect((await adapter.listTags("docker-local/team/api")).map((t) => t.tag).sort()).toEqual(["1.0", "1.1", "latest"]);
    const { api, name } = adapter.distribution("docker-local/team/api");
    expect((await api.headManifest(name, "1.1")).digest).toBe(api11.manifest.digest);
    const sent = art.requests().filter((r) => r.path.startsWith("/artifactory/api/") && !r.path.includes("/v2/team/") && !r.path.endsWith("/v2/"));
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((r) => r.authorization === "Bearer ci-access-token")).toBe(true);
  });

  test("PORT: the one repositoryKey, pulled from its own Docker endpoint; the realm on the apiUrl origin gets the credentials", async () => {
    const adapter = adapterFor("ci", portFields());
    expect(await listRepositories(adapter)).toEqual([{ repository: "docker-dev/svc/x" }]);
    const [tag] = await adapter.listTags("docker-dev/svc/x");
    expect(tag).toMatchObject({ tag: "1.0", createdAt: dates.dev.created, pushedAt: dates.dev.lastModified });
    const { api, name } = adapter.distribution("docker-dev/svc/x");
    expect(name).toBe("svc/x");
    expect((await api.getManifest(name, "1.0")).digest).toBe(tag.digest);
    expect(art.portRequests("docker-dev").some((r) => r.path === "/v2/svc/x/manifests/1.0")).toBe(true);
    expect(() => adapter.distribution("docker-local/team/api")).toThrow(/not an image of this Artifactory integration/);
  });

  test("SUBDOMAIN or PORT on a remote repository key: only its skipped entry", async () => {
    expect(await listRepositories(adapterFor("ci", { ...portFields(), repositoryKey: "hub", repositoryPathMethod: RepositoryPathMethod.SUBDOMAIN }))).toEqual([
      { repository: "hub", skipped: expect.stringMatching(/^remote repository/) },
    ]);
  });

  test("a repository the account sees but may not read fails to list; the others still do", async () => {
    const adapter = adapterFor("partial");
    const listed = new Set<string>();
    await expect(
      (async () => {
        for await (const entry of adapter.listRepositories()) listed.add(entry.repository);
      })(),
    ).rejects.toMatchObject({ code: "REGISTRY_FORBIDDEN" });
    expect([...listed].sort()).toEqual(["docker-local/legacy/tool", "docker-local/team/api", "docker-local/team/web"]);
  });
});

describe("connection test and minimum rights", () => {
  test("an account reading every local repository passes every check; rights are 'not verifiable' with what the probes showed", async () => {
    const checks = await adapterFor("ci").checkConnection();
    expect(outcomes(checks)).toEqual(EVERY_CHECK_PASSES);
    const rights = checks[4].message;
    expect(rights).toMatch(/^not verifiable/);
    expect(rights).toContain("docker-local: browse ok, read ok (legacy/tool:0.1)");
    expect(rights).toContain("docker-dev: browse ok, read ok (svc/x:1.0)");
  });

  test("PORT with read on the key passes too", async () => {
    const checks = await adapterFor("ci", portFields()).checkConnection();
    expect(checks.every((c) => c.ok)).toBe(true);
  });

  test("without read on a repository it sees: the rights check names the repository and what the probes showed", async () => {
    const rights = await rightsOf(adapterFor("partial"));
    expect(rights.ok).toBe(false);
    expect(rights.message).toMatch(/^the account lacks read on docker-dev: /);
    expect(rights.message).toContain("docker-dev: browse denied (403)");
    expect(rights.message).toContain("docker-local: browse ok, read ok");
    expect(rights.message).toContain("not verifiable");
  });

  test("PORT without read on the key: listing is refused and the check says read is needed", async () => {
    const checks = await adapterFor("partial", portFields()).checkConnection();
    expect(checks.find((c) => c.name === CHECKS.canList)).toMatchObject({ ok: false, message: expect.stringContaining("needs read") });
  });

  test("read on no repository: the rights check says no local Docker repository is visible", async () => {
    const rights = await rightsOf(adapterFor("nobody"));
    expect(rights).toMatchObject({ ok: false, message: expect.stringMatching(/^no local Docker repository is visible to the account: grant it read/) });
  });

  test("a wrong password: not authenticated", async () => {
    const adapter = adapters.create(integration("ci", "wrong"), new TagResolver([]));
    const checks = await adapter.checkConnection();
    expect(checks.find((c) => c.name === CHECKS.authenticated)).toMatchObject({ ok: false, message: expect.stringContaining("refused the credentials") });
    expect(checks.find((c) => c.name === CHECKS.rights)!.ok).toBe(false);
  });
});

describe("no credential leaks", () => {
  const leak = leakRecorderPerTest();
  afterEach(() => {
    art.redirect = null;
    art.realmFor = (key) => `${art.baseUrl}/api/docker/${encodeURIComponent(key)}/v2/token`;
  });

  test("a /v2/ challenge naming a realm on another origin gets no secret; the allowed realm does", async () => {
    art.realmFor = () => `${leak.url}/token`;
    const adapter = adapterFor("ci");
    const { api, name } = adapter.distribution("docker-local/team/api");
    await expect(api.getManifest(name, "1.0")).rejects.toBeDefined();
    expect(leak.requests().length).toBeGreaterThan(0);
    assertNoSecret(leak.requests(), "ci-pass", "ci");

    art.realmFor = (key) => `${art.baseUrl}/api/docker/${encodeURIComponent(key)}/v2/token`;
    art.emulator.server.clearRequests();
    const allowed = adapterFor("ci").distribution("docker-local/team/api");
    await allowed.api.getManifest(allowed.name, "1.0");
    const realm = art.requests().filter((r) => r.path === "/artifactory/api/docker/docker-local/v2/token");
    expect(realm.map((r) => r.authorization)).toContain(`Basic ${Buffer.from("ci:ci-pass").toString("base64")}`);
  });

  test("a redirect from the REST API to another origin is followed without the credentials", async () => {
    art.redirect = (_method, path) => (path === "/artifactory/api/repositories" ? `${leak.url}/elsewhere` : undefined);
    await expect(listRepositories(adapterFor("ci"))).rejects.toBeDefined();
    expect(leak.requests().length).toBeGreaterThan(0);
    assertNoSecret(leak.requests(), "ci-pass", "ci");
    expect(leak.requests().every((r) => r.authorization === undefined)).toBe(true);
  });

  test("a redirect from /v2/ to another origin is followed without credentials", async () => {
    art.redirect = (method, path) => (method === "GET" && path.includes("/blobs/") ? `${leak.url}${path}` : undefined);
    const adapter = adapters.create(integration(null, "ci-access-token", { authMethod: AuthMethod.API_KEY }));
    const { api, name } = adapter.distribution("docker-local/team/api");
    await expect(api.getJsonBlob(name, api10.config.digest)).rejects.toBeDefined();
    expect(leak.requests().some((r) => r.path.includes("/blobs/"))).toBe(true);
    assertNoSecret(leak.requests(), "ci-access-token");
    expect(leak.requests().every((r) => r.authorization === undefined)).toBe(true);
  });
});

describe("end to end through GraphQL", () => {
  beforeAll(async () => {
    const push = async (repository: string, tag: string, layers: Layer[], created: Date, lastModified: Date) => {
      await pushBuiltImage(art.pushTarget(), repository, tag, buildImage({ layers, config: { created: new Date() } }));
      art.setDates(`${repository}:${tag}`, { created, lastModified });
    };
    await push("docker-shop/web", "3.0", [alpineLayer], daysAgo(1), daysAgo(1));
    await push("docker-shop/web", "2.0", [alpineLayer], daysAgo(90), daysAgo(90));
    await push("docker-shop/etl", "1.0", [debianLayer], daysAgo(2), daysAgo(2));
    await push("docker-shop/etl", "dev", [debianLayer], daysAgo(2), daysAgo(2));
    // Created before 1980 (missing): the condition uses lastModified, 40 days ago.
    await push("docker-shop/etl", "1.1", [debianLayer], new Date("1970-01-01T00:00:00Z"), daysAgo(40));
  }, 120_000);
  const e2e = scanningServerPerDescribe();

  test("add, test, AUTOMATIC policy with criteria and a date condition, sync: exactly the expected images are queued and scanned", async () => {
    const { connection, state: data } = await integrateAndScan(
      e2e.gql,
      { name: "artifactory", type: "ARTIFACTORY", url: art.baseUrl, repositoryPathMethod: "REPOSITORY_PATH", insecure: true, authMethod: "ACCOUNT", username: "shopper", secret: "shopper-pass" },
      ["docker-shop/web:*", "docker-shop/etl:1.*"],
      2,
    );
    expect(connection.checks.find((c) => c.name === CHECKS.rights)!.message).toMatch(/^not verifiable/);
    // 2 repositories, 5 tags; web 2.0 is 90 days old, etl dev is no criterion, etl 1.1 falls back to its 40-day-old lastModified.
    expect(data.registry.lastSync).toMatchObject({ repositories: 2, tagsSeen: 5, selected: 2, queued: 2, errors: [] });
    expect(scannedImages(data)).toEqual([
      { ref: "docker-shop/etl:1.0", os: { id: "debian", versionId: "12" }, packages: 140, scan: "SUCCEEDED" },
      { ref: "docker-shop/web:3.0", os: { id: "alpine", versionId: "3.18.1" }, packages: 15, scan: "SUCCEEDED" },
    ]);
    expect(e2e.server.output.join("\n")).not.toContain("shopper-pass");
  }, 120_000);
});
