/**
 * YANDEX against its emulator (test/emulators/yandex): discovery through the
 * Container Registry API with the IAM token from each kind of secret, the
 * connection test's minimum rights, where the secret and the IAM tokens go,
 * and the whole product end to end through GraphQL over HTTP.
 */
import { AuthMethod, RegistryType } from "../../db/enums";
import type { RegistryAdapter } from "../../workers/registry/adapter";
import type { ClientOptions } from "../../workers/registry/distribution/client";
import { CHECKS } from "../../workers/registry/connection-checks";
import { createYandexAdapter } from "../../workers/registry/adapters/yandex/factory";
import { TagResolver } from "../../workers/registry/tag-resolver";
import { assertNoSecret, type RecordedRequest } from "../emulators/shared";
import { ROLES, serviceAccountKey, startYandexEmulator, type YandexAccount, type YandexEmulator } from "../emulators/yandex";
import { leakRecorderPerTest } from "../helpers/leaks";
import { alpineLayer, debianLayer } from "../helpers/scan-images";
import { listRepositories, ONE_TRY, TestAdapters, EVERY_CHECK_PASSES, outcomes } from "../helpers/vendor-adapters";
import { integrateAndScan, scannedImages, scanningServerPerDescribe } from "../helpers/vendor-e2e";

const DAY = 24 * 3600_000;
const daysAgo = (n: number) => new Date(Date.now() - n * DAY);

const OAUTH = "y0_Full-Rights-OAuth-Token";
const STATIC_IAM = "t1.Static-Iam-Token-Of-A-User";
const saKey = serviceAccountKey("ajerobot1");
const accounts = {
  full: { id: "ajefull", oauthToken: OAUTH, registryRoles: [ROLES.viewer, ROLES.puller] },
  robot: { id: "ajerobot1", keys: [saKey.key], registryRoles: [ROLES.viewer, ROLES.puller] },
  iamUser: { id: "ajeiam", iamTokens: [STATIC_IAM], registryRoles: [ROLES.editor] },
  noViewer: { id: "ajenoviewer", oauthToken: "y0_No-Viewer", registryRoles: [ROLES.puller] },
  noPuller: { id: "ajenopuller", oauthToken: "y0_No-Puller", registryRoles: [ROLES.viewer] },
  nothing: { id: "ajenothing", oauthToken: "y0_No-Roles", registryRoles: [] },
} satisfies Record<string, YandexAccount>;

const adapters = new TestAdapters();
let yc: YandexEmulator;

function adapterFor(kind: "oauth" | "iam" | "json_key", secret: string, options: ClientOptions = {}, iamUrl = yc.iamUrl): RegistryAdapter {
  const registry = adapters.integration(secret, { type: RegistryType.YANDEX, url: yc.registryUrl, apiUrl: yc.apiUrl, authMethod: AuthMethod.API_KEY, username: kind });
  return adapters.track(createYandexAdapter(registry, adapters.secrets, new TagResolver(["linux/amd64"]), { ...ONE_TRY, ...options }, iamUrl));
}

const rightsOf = async (secret: string) => (await adapterFor("oauth", secret).checkConnection()).find((check) => check.name === CHECKS.rights)!;

/** The IAM tokens the emulator issued and every secret: none may reach `requests`. */
function expectNothingSecretIn(requests: readonly RecordedRequest[]): void {
  for (const secret of [OAUTH, STATIC_IAM, ...Object.values(accounts).flatMap((a) => ("oauthToken" in a ? [a.oauthToken] : []))]) assertNoSecret(requests, secret);
  assertNoSecret(requests, JSON.parse(saKey.json).private_key.split("\n")[2]);
  for (const { token } of yc.issued) assertNoSecret(requests, token, "iam");
}

beforeAll(async () => {
  yc = await startYandexEmulator({
    accounts: Object.values(accounts),
    catalog: [
      { repository: "team/api", tags: [{ tag: "1.0", createdAt: "2024-03-01T08:00:00Z" }, { tag: "1.1", createdAt: "2024-04-01T08:00:00Z" }, { tag: "2.0", createdAt: "2024-05-01T08:00:00Z" }] },
      { repository: "team/web", tags: [{ tag: "v1", createdAt: "2024-02-01T00:00:00Z" }] },
      { repository: "base", tags: [{ tag: "3.18", createdAt: "2023-12-24T00:00:00Z" }] },
    ],
  });
  // One image with two tags (a Yandex Image resource lists all its tags).
  await yc.push("team/api", ["latest", "stable"], undefined, new Date("2024-06-01T00:00:00Z"));
}, 120_000);

afterEach(async () => {
  await adapters.closeAll();
  yc.intercept("registry", null);
  yc.intercept("api", null);
});

afterAll(async () => {
  await yc?.stop();
});

describe("discovery", () => {
  test("the registry's repositories by name without the registry id, every page read, nothing skipped", async () => {
    yc.api.clearRequests();
    const listed = await listRepositories(adapterFor("oauth", OAUTH));
    expect(listed).toEqual([{ repository: "base" }, { repository: "team/api" }, { repository: "team/web" }]);
    const pages = yc.pagedRequests().filter((r) => r.path === "/container-registry/v1/repositories");
    expect(pages.length).toBeGreaterThanOrEqual(1); // 3 repositories, 2 per page
    expect(pages.every((r) => r.query.get("registryId") === yc.registryId)).toBe(true);
  });

  test("tags with the image digest and createdAt, no push date; a two-tag image gives two tags", async () => {
    yc.api.clearRequests();
    const tags = await adapterFor("oauth", OAUTH).listTags("team/api");
    const digestOf = (tag: string) => yc.images.find((image) => image.repository === "team/api" && image.tags.includes(tag))!.digest;
    const byTag = (a: { tag: string }, b: { tag: string }) => (a.tag < b.tag ? -1 : 1);
    expect(tags.sort(byTag)).toEqual(
      [
        ["1.0", "2024-03-01T08:00:00Z"],
        ["1.1", "2024-04-01T08:00:00Z"],
        ["2.0", "2024-05-01T08:00:00Z"],
        ["latest", "2024-06-01T00:00:00Z"],
        ["stable", "2024-06-01T00:00:00Z"],
      ].map(([tag, created]) => ({ repository: "team/api", tag, digest: digestOf(tag), createdAt: new Date(created), pushedAt: null })),
    );
    expect(digestOf("latest")).toBe(digestOf("stable"));
    const imagePages = yc.pagedRequests().filter((r) => r.path === "/container-registry/v1/images");
    expect(imagePages.length).toBeGreaterThanOrEqual(1); // 4 images, 2 per page
    expect(imagePages.every((r) => r.query.get("repositoryName") === `${yc.registryId}/team/api`)).toBe(true);
  });

  test("pulls go to the registry host as <registryId>/<name> with Basic iam:<IAM token>; the OAuth token only to the IAM service", async () => {
    yc.registry.server.clearRequests();
    const adapter = adapterFor("oauth", OAUTH);
    const { api, name } = adapter.distribution("team/web");
    expect(name).toBe(`${yc.registryId}/team/web`);
    const manifest = await api.getManifest(name, "v1");
    expect(manifest.digest).toBe(yc.images.find((image) => image.repository === "team/web")!.digest);
    const issued = yc.issued.filter((i) => i.account === "ajefull").map((i) => i.token);
    const tokenRequests = yc.registry.server.requests().filter((r) => r.path === "/token");
    expect(tokenRequests.length).toBeGreaterThan(0);
    expect(tokenRequests.every((r) => issued.some((token) => r.authorization === `Basic ${Buffer.from(`iam:${token}`).toString("base64")}`))).toBe(true);
    assertNoSecret([...yc.registry.server.requests(), ...yc.api.requests()], OAUTH);
    expect(yc.iam.requests().some((r) => r.body?.toString().includes(OAUTH))).toBe(true);
  });

  test("a service account key: a signed JWT is exchanged, and the key itself never leaves", async () => {
    const before = yc.issued.length;
    const adapter = adapterFor("json_key", saKey.json);
    expect(await listRepositories(adapter)).toHaveLength(3);
    await adapter.distribution("base").api.headManifest(`${yc.registryId}/base`, "3.18");
    expect(yc.issued.slice(before)).toEqual([expect.objectContaining({ account: "ajerobot1", via: "jwt" })]);
    const privatePart = JSON.parse(saKey.json).private_key.split("\n")[2];
    assertNoSecret([...yc.iam.requests(), ...yc.api.requests(), ...yc.registry.server.requests()], privatePart);
  });

  test("an IAM token is used as is, with no exchange", async () => {
    const before = yc.iam.requests().length;
    const adapter = adapterFor("iam", STATIC_IAM);
    expect((await adapter.listTags("team/web")).map((t) => t.tag)).toEqual(["v1"]);
    expect((await adapter.distribution("team/web").api.getManifest(`${yc.registryId}/team/web`, "v1")).kind).toBe("image");
    expect(yc.iam.requests().length).toBe(before);
  });

  test("the IAM token is renewed before it expires, and the new one is used by the API and the registry", async () => {
    const clock = { now: Date.now() };
    const adapter = adapterFor("oauth", OAUTH, { now: () => clock.now });
    await listRepositories(adapter);
    const first = yc.issued[yc.issued.length - 1].token;
    clock.now += 61 * 60_000; // past the renewal point of a 12 h token (an hour at most)
    yc.api.clearRequests();
    yc.registry.server.clearRequests();
    await adapter.listTags("base");
    await adapter.distribution("base").api.getManifest(`${yc.registryId}/base`, "3.18");
    const second = yc.issued[yc.issued.length - 1].token;
    expect(second).not.toBe(first);
    expect(yc.api.requests().map((r) => r.authorization)).toEqual(yc.api.requests().map(() => `Bearer ${second}`));
    expect(yc.registry.server.requests().filter((r) => r.path === "/token").map((r) => r.authorization)).toContain(
      `Basic ${Buffer.from(`iam:${second}`).toString("base64")}`,
    );
  });
});

describe("connection test", () => {
  test("an account with container-registry.viewer and .images.puller: every check ok", async () => {
    const checks = await adapterFor("oauth", OAUTH).checkConnection();
    expect(outcomes(checks)).toEqual(EVERY_CHECK_PASSES);
    expect(checks.find((c) => c.name === CHECKS.rights)!.message).toMatch(/container-registry\.viewer and container-registry\.images\.puller on registry crpemulator0/);
  });

  test("without container-registry.viewer: listing fails and the rights check names the role", async () => {
    const checks = await adapterFor("oauth", accounts.noViewer.oauthToken).checkConnection();
    expect(checks.find((c) => c.name === CHECKS.canList)).toMatchObject({ ok: false, message: expect.stringContaining("container-registry.viewer") });
    const rights = checks.find((c) => c.name === CHECKS.rights)!;
    expect(rights.ok).toBe(false);
    expect(rights.message).toMatch(/^missing container-registry\.viewer on registry crpemulator0/);
    expect(rights.message).not.toMatch(/missing[^;]*images\.puller/);
  });

  test("without container-registry.images.puller: the rights check names it and the image it could not pull", async () => {
    const rights = await rightsOf(accounts.noPuller.oauthToken);
    expect(rights.ok).toBe(false);
    expect(rights.message).toMatch(/^missing container-registry\.images\.puller on registry crpemulator0 \(or on its repositories\): the registry refused to pull \S+$/);
    expect(rights.message).not.toContain("container-registry.viewer");
  });

  test("with no role at all: the viewer role is named, and the puller role could not be tried without a listed image", async () => {
    const rights = await rightsOf(accounts.nothing.oauthToken);
    expect(rights.ok).toBe(false);
    expect(rights.message).toMatch(/^missing container-registry\.viewer on registry crpemulator0/);
    expect(rights.message).toContain("not verifiable: container-registry.images.puller (no image could be listed to try a pull with)");
  });

  test("an OAuth token the IAM service refuses: not authenticated, and the token is not repeated", async () => {
    const checks = await adapterFor("oauth", "y0_Unknown-Token").checkConnection();
    expect(checks.find((c) => c.name === CHECKS.authenticated)).toMatchObject({ ok: false });
    expect(JSON.stringify(checks)).not.toContain("y0_Unknown-Token");
  });
});

describe("where the secret and the IAM tokens go", () => {
  const leak = leakRecorderPerTest();

  test("a /v2/ challenge naming a realm on another origin gets neither the IAM token nor the secret; the registry's own realm gets the IAM token", async () => {
    yc.intercept("registry", ({ res, path }) => {
      if (!path.startsWith("/v2/")) return false;
      res.writeHead(401, { "www-authenticate": `Bearer realm="${leak.url}/token",service="container-registry"`, "docker-distribution-api-version": "registry/2.0" }).end();
      return true;
    });
    const adapter = adapterFor("oauth", OAUTH);
    await expect(adapter.distribution("base").api.getManifest(`${yc.registryId}/base`, "3.18")).rejects.toThrow();
    expect(leak.requests().length).toBeGreaterThan(0);
    expectNothingSecretIn(leak.requests());
    expect(leak.requests().every((r) => r.authorization === undefined)).toBe(true);

    yc.intercept("registry", null);
    yc.registry.server.clearRequests();
    await adapter.distribution("base").api.getManifest(`${yc.registryId}/base`, "3.18");
    const own = yc.registry.server.requests().filter((r) => r.path === "/token");
    expect(own.some((r) => r.authorization?.startsWith("Basic "))).toBe(true);
  });

  test("a redirect from the API to another origin is followed without the IAM token", async () => {
    yc.intercept("api", ({ res, path }) => {
      if (!path.endsWith("/images")) return false;
      res.writeHead(307, { location: `${leak.url}/container-registry/v1/images` }).end();
      return true;
    });
    leak.answer({ status: 200, body: { images: [], nextPageToken: "" } });
    await adapterFor("oauth", OAUTH).listTags("team/api");
    expect(leak.requests().length).toBe(1);
    expectNothingSecretIn(leak.requests());
    expect(leak.requests()[0].authorization).toBeUndefined();
  });

  test("a redirect from /v2/ to another origin is followed without credentials", async () => {
    const manifest = yc.images.find((image) => image.repository === "base")!;
    yc.intercept("registry", ({ res, path }) => {
      if (!path.includes("/manifests/")) return false;
      res.writeHead(307, { location: `${leak.url}/storage/manifest` }).end();
      return true;
    });
    leak.answer({ status: 404, body: "" });
    await expect(adapterFor("oauth", OAUTH).distribution("base").api.getManifest(`${yc.registryId}/base`, manifest.digest)).rejects.toThrow();
    expect(leak.requests().length).toBeGreaterThan(0);
    expectNothingSecretIn(leak.requests());
    expect(leak.requests().every((r) => r.authorization === undefined)).toBe(true);
  });

  test("an IAM URL elsewhere: the OAuth token goes there and nowhere else; API and registry see only IAM tokens", async () => {
    yc.api.clearRequests();
    yc.registry.server.clearRequests();
    const adapter = adapterFor("oauth", OAUTH);
    await listRepositories(adapter);
    await adapter.distribution("base").api.headManifest(`${yc.registryId}/base`, "3.18");
    assertNoSecret([...yc.api.requests(), ...yc.registry.server.requests()], OAUTH);
    expect(yc.api.requests().every((r) => r.authorization?.startsWith("Bearer t1."))).toBe(true);
    // A wrong IAM URL (here the leak recorder) receives the OAuth token only because it was configured as the IAM service.
    const misconfigured = adapterFor("oauth", OAUTH, {}, `${leak.url}/iam/v1/tokens`);
    leak.answer({ status: 200, body: { iamToken: "t1.from-elsewhere" } });
    await listRepositories(misconfigured).catch(() => undefined);
    expect(leak.requests().map((r) => r.path)).toEqual(["/iam/v1/tokens"]);
  });
});

describe("end to end through GraphQL over HTTP", () => {
  let e2eRegistry: YandexEmulator;

  beforeAll(async () => {
    e2eRegistry = await startYandexEmulator({ registryId: "crpe2e0", accounts: [accounts.full] });
    // The API's createdAt decides, not the image config: shop/web 3.0 has an old config but was pushed yesterday.
    await e2eRegistry.push("shop/web", ["3.0"], { layers: [alpineLayer], config: { created: new Date("2019-01-01T00:00:00Z") } }, daysAgo(1));
    await e2eRegistry.push("shop/web", ["2.0"], { layers: [alpineLayer], config: { created: new Date() } }, daysAgo(90));
    await e2eRegistry.push("shop/etl", ["1.0", "dev"], { layers: [debianLayer], config: { created: new Date() } }, daysAgo(2));
    await e2eRegistry.push("tools/cli", ["1.0"], { layers: [alpineLayer], config: { created: new Date() } }, daysAgo(1));
  }, 120_000);
  const e2e = scanningServerPerDescribe({ env: () => ({ DRYDOCK_YANDEX_IAM_URL: e2eRegistry.iamUrl }) });
  afterAll(async () => {
    await e2eRegistry?.stop();
  });

  test("add, test, AUTOMATIC policy with criteria and a date condition, sync: exactly the expected images are queued and scanned", async () => {
    const { connection, state: data } = await integrateAndScan(
      e2e.gql,
      { name: "yandex", type: "YANDEX", url: e2eRegistry.registryUrl, apiUrl: e2eRegistry.apiUrl, insecure: true, authMethod: "API_KEY", username: "oauth", secret: OAUTH },
      ["shop/web", "shop/etl:1.*"],
      2,
    );
    expect(connection.checks.map((c) => c.name)).toContain(CHECKS.rights);
    // 3 repositories, 5 tags: web 2.0 was pushed 90 days ago, etl dev and tools/cli match no criterion.
    expect(data.registry.lastSync).toMatchObject({ repositories: 3, tagsSeen: 5, selected: 2, queued: 2, errors: [] });
    expect(scannedImages(data)).toEqual([
      { ref: "shop/etl:1.0", os: { id: "debian", versionId: "12" }, packages: 140, scan: "SUCCEEDED" },
      { ref: "shop/web:3.0", os: { id: "alpine", versionId: "3.18.1" }, packages: 15, scan: "SUCCEEDED" },
    ]);
    const output = e2e.server.output.join("\n");
    expect(output).not.toContain(OAUTH);
    for (const { token } of e2eRegistry.issued) expect(output).not.toContain(token);
  }, 120_000);
});
