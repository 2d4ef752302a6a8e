import { randomBytes } from "node:crypto";
import type { Registry } from "../../db/entities";
import { AuthMethod, RegistryType } from "../../db/enums";
import { loadConfig } from "../../lib/config";
import type { ConnectionCheck, ListedRepository, RegistryAdapter } from "../../workers/registry/adapter";
import { CHECKS } from "../../workers/registry/connection-checks";
import { trustKnownServices } from "../../workers/registry/known-services";
import { createAdapter } from "../../workers/registry/registry";
import { TagResolver } from "../../workers/registry/tag-resolver";
import { startDockerHubEmulator, type DockerHubEmulator, type HubAccount } from "../emulators/docker-hub";
import { assertNoSecret } from "../emulators/shared";
import { leakRecorderPerTest } from "../helpers/leaks";
import { alpineLayer, debianLayer } from "../helpers/scan-images";
import { listRepositories, TestAdapters } from "../helpers/vendor-adapters";
import { integrateAndScan, scannedImages, scanningServerPerDescribe, syncRegistry, waitForRegistry } from "../helpers/vendor-e2e";
import { buildLayer, file } from "../registry/image-builder";
import { pushImage } from "../registry/push";

/**
 * DOCKER_HUB against the Docker Hub emulator: the Hub API, the registry and
 * the token service on three origins; the registry's manifest answers carry
 * the pull quota.
 */

const DAY = 24 * 3600_000;
const daysAgo = (n: number) => new Date(Date.now() - n * DAY);
const secretOf = (name: string) => `${name}-${randomBytes(8).toString("hex")}`;

const accounts = {
  alice: { username: "alice", password: secretOf("pw"), accessTokens: [secretOf("dckr_pat")] },
  acme: { username: "acme", kind: "organization", accessTokens: [secretOf("dckr_oat")] },
  carol: { username: "carol", password: secretOf("pw"), accessTokens: [secretOf("dckr_pat")], twoFactor: true },
} satisfies Record<string, HubAccount>;

const marker = (name: string) => buildLayer([file(`app/${name}`, `${name}\n`)]);

const pushedAt = { web10: daysAgo(2), web09: daysAgo(400), webDev: daysAgo(1), tools: daysAgo(5), acme: daysAgo(3) };

let hub: DockerHubEmulator;
const adapters = new TestAdapters();

function integration(who: HubAccount, secret: string, fields: Partial<Registry> = {}): Registry {
  return adapters.integration(secret, { type: RegistryType.DOCKER_HUB, url: hub.url, apiUrl: hub.apiUrl, authMethod: AuthMethod.ACCOUNT, username: who.username, ...fields });
}

function adapterFor(who: HubAccount, secret: string, platforms = ["linux/amd64"], resolver = new TagResolver(platforms)): RegistryAdapter {
  return adapters.create(integration(who, secret), resolver);
}

const byName = (checks: ConnectionCheck[]) => Object.fromEntries(checks.map((c) => [c.name, c]));

beforeAll(async () => {
  hub = await startDockerHubEmulator({ accounts: Object.values(accounts), pullQuota: { limit: 100, remaining: 100, windowSeconds: 21600 } });
  trustKnownServices({ ...loadConfig({}), dockerHubAuthUrl: hub.authUrl });
  const target = hub.pushTarget();
  await pushImage(target, "alice/web", "1.0", { layers: [alpineLayer], config: { created: new Date() } });
  await pushImage(target, "alice/web", "0.9", { layers: [alpineLayer, marker("0.9")], config: { created: new Date() } });
  await pushImage(target, "alice/web", "dev", { layers: [debianLayer], config: { created: new Date() } });
  await pushImage(target, "alice/tools", "latest", { layers: [marker("tools")] });
  await pushImage(target, "acme/app", "1", { layers: [marker("acme")] });
  hub.setRepository({ repository: "alice/web", tags: [{ name: "1.0", pushedAt: pushedAt.web10 }, { name: "0.9", pushedAt: pushedAt.web09 }, { name: "dev", pushedAt: pushedAt.webDev }] });
  hub.setRepository({ repository: "alice/tools", private: true, tags: [{ name: "latest", pushedAt: pushedAt.tools }] });
  hub.setRepository({ repository: "alice/chart", repositoryType: "plugin", tags: [] });
  hub.setRepository({ repository: "bob/public", tags: [] });
  hub.setRepository({ repository: "acme/app", private: true, tags: [{ name: "1", pushedAt: pushedAt.acme }] });
}, 120_000);

afterAll(async () => {
  await adapters.closeAll();
  await hub?.stop();
});

describe("discovery", () => {
  test("the account's own namespace, page after page: canonical names, the plugin repository skipped, tag_last_pushed as pushedAt, no registry call", async () => {
    hub.api.clearRequests();
    hub.emulator.server.clearRequests();
    const adapter = adapterFor(accounts.alice, accounts.alice.password);
    const repositories: ListedRepository[] = await listRepositories(adapter);
    expect(repositories).toEqual([
      { repository: "alice/chart", skipped: "not an image repository (repository_type plugin)" },
      { repository: "alice/tools" },
      { repository: "alice/web" },
    ]);
    const tags = (await adapter.listTags("alice/web")).sort((a, b) => a.tag.localeCompare(b.tag));
    expect(tags.map(({ tag, createdAt, pushedAt }) => ({ tag, createdAt, pushedAt }))).toEqual([
      { tag: "0.9", createdAt: null, pushedAt: pushedAt.web09 },
      { tag: "1.0", createdAt: null, pushedAt: pushedAt.web10 },
      { tag: "dev", createdAt: null, pushedAt: pushedAt.webDev },
    ]);
    expect(tags.every((t) => /^sha256:[a-f0-9]{64}$/.test(t.digest ?? ""))).toBe(true);
    expect(await adapter.listTags("alice/tools")).toEqual([expect.objectContaining({ repository: "alice/tools", tag: "latest", pushedAt: pushedAt.tools })]);

    const paths = hub.apiRequests().map((r) => `${r.method} ${r.url}`);
    // Page 2 of the repositories (3 of them) and of alice/web's tags (3 of them) was served.
    expect(paths).toContain("GET /v2/namespaces/alice/repositories?page=2&page_size=2");
    expect(paths).toContain("GET /v2/namespaces/alice/repositories/web/tags?page=2&page_size=2");
    expect(paths.filter((p) => p.startsWith("POST /v2/users/login"))).toHaveLength(1);
    // Listing costs no pull quota: the registry was not asked at all.
    expect(hub.registryRequests()).toEqual([]);
  });

  test("a pushed repository is in scope only in the account's namespace, and only an image repository", async () => {
    const adapter = adapterFor(accounts.alice, accounts.alice.password);
    expect(await adapter.pushedRepository("alice/web")).toEqual({ repository: "alice/web" });
    expect(await adapter.pushedRepository("alice/chart")).toEqual({ repository: "alice/chart", skipped: "not an image repository (repository_type plugin)" });
    expect(await adapter.pushedRepository("bob/public")).toEqual({ repository: "bob/public", skipped: "not among the repositories this integration lists: outside its scope" });
  });

  test("a sync's resolution comes from the Hub's platform list: the tag resolves to its linux/amd64 manifest without a manifest GET", async () => {
    const resolver = new TagResolver(["linux/amd64"]);
    const adapter = adapterFor(accounts.alice, accounts.alice.password, ["linux/amd64"], resolver);
    const [tag] = (await adapter.listTags("alice/web")).filter((t) => t.tag === "1.0");
    const before = hub.pulls();
    const { api, name } = adapter.distribution("alice/web");
    const resolved = await resolver.resolve(api, name, "1.0", tag.digest!);
    expect(resolved).toEqual({ digest: tag.digest, images: [{ platform: "linux/amd64", digest: tag.digest, createdAt: null }] });
    expect(hub.pulls()).toBe(before);
  });

  test("every registry answer's quota headers reach the adapter's meter; a HEAD costs nothing", async () => {
    const adapter = adapterFor(accounts.alice, accounts.alice.password);
    const { api, name } = adapter.distribution("alice/web");
    hub.setPullQuota({ limit: 100, remaining: 40, windowSeconds: 21600 });
    await api.headManifest(name, "1.0");
    expect(adapter.pullQuota?.latest).toMatchObject({ quota: 100, remaining: 40, windowSeconds: 21600 });
    await api.getManifest(name, "1.0");
    expect(adapter.pullQuota?.latest).toMatchObject({ remaining: 39 });
    expect(hub.pullQuota()).toMatchObject({ remaining: 39 });
    hub.setPullQuota({ limit: 100, remaining: 100, windowSeconds: 21600 });
  });
});

describe("connection test", () => {
  test("a user with its password, and with a personal access token: every check passes, the rights check names the personal namespace", async () => {
    for (const [secret, method] of [
      [accounts.alice.password, AuthMethod.ACCOUNT],
      [accounts.alice.accessTokens[0], AuthMethod.API_KEY],
    ] as const) {
      const adapter = adapters.track(createAdapter(integration(accounts.alice, secret, { authMethod: method }), adapters.secrets, new TagResolver(["linux/amd64"])));
      const checks = await adapter.checkConnection();
      expect(checks.map((c) => c.name)).toEqual([CHECKS.reachable, CHECKS.tls, CHECKS.authenticated, CHECKS.canList, CHECKS.rights]);
      expect(checks.every((c) => c.ok)).toBe(true);
      expect(byName(checks)[CHECKS.rights].message).toBe("alice is the account's personal namespace");
    }
  });

  test("an organisation's namespace: the rights check says it is not a personal namespace", async () => {
    const checks = byName(await adapterFor(accounts.acme, accounts.acme.accessTokens[0]).checkConnection());
    expect(checks[CHECKS.canList].ok).toBe(true);
    expect(checks[CHECKS.rights]).toEqual({
      name: CHECKS.rights,
      ok: false,
      message: expect.stringMatching(/^acme is an organisation's namespace \(Organization\), not an account's personal namespace/),
    });
  });

  test("a wrong password fails authentication, saying what to check; a two-factor account is told to use an access token", async () => {
    // The token service refuses first, at the registry's /v2/.
    const wrong = byName(await adapterFor(accounts.alice, "not-the-password").checkConnection());
    expect(wrong[CHECKS.authenticated]).toMatchObject({ ok: false, message: "the registry refused the credentials: check the username and secret" });
    expect(wrong[CHECKS.rights]).toMatchObject({ ok: false, message: "not checked: an earlier step failed" });

    const twoFactor = byName(await adapterFor(accounts.carol, accounts.carol.password).checkConnection());
    expect(twoFactor[CHECKS.authenticated]).toMatchObject({ ok: false, message: expect.stringContaining("use a personal access token") });
    const withToken = await adapterFor(accounts.carol, accounts.carol.accessTokens[0]).checkConnection();
    expect(withToken.every((c) => c.ok)).toBe(true);
  });
});

describe("no credential leaks", () => {
  const recorder = leakRecorderPerTest();
  afterEach(() => {
    hub.intercept("api", null);
    hub.intercept("registry", null);
  });

  test("the allowed realm, the Hub token service on its own origin, receives the credentials", async () => {
    hub.emulator.tokenServer.clearRequests();
    const adapter = adapterFor(accounts.alice, accounts.alice.password);
    await adapter.distribution("alice/tools").api.headManifest("alice/tools", "latest");
    const basic = `Basic ${Buffer.from(`alice:${accounts.alice.password}`).toString("base64")}`;
    expect(hub.tokenRequests().some((r) => r.authorization === basic)).toBe(true);
  });

  test("a /v2/ challenge naming a realm on another origin gets no secret", async () => {
    hub.intercept("registry", ({ res }) => {
      res.writeHead(401, { "www-authenticate": `Bearer realm="${recorder.url}/token",service="registry.docker.io"`, "docker-distribution-api-version": "registry/2.0" }).end();
      return true;
    });
    const checks = byName(await adapterFor(accounts.alice, accounts.alice.password).checkConnection());
    expect(checks[CHECKS.authenticated].ok).toBe(false);
    expect(recorder.requests().length).toBeGreaterThan(0);
    assertNoSecret(recorder.requests(), accounts.alice.password, "alice");
  });

  test("a redirect from the Hub API to another origin is followed without the login token or the secret", async () => {
    hub.intercept("api", ({ res, method }) => {
      if (method !== "GET") return false;
      res.writeHead(307, { location: `${recorder.url}/elsewhere` }).end();
      return true;
    });
    await expect(listRepositories(adapterFor(accounts.alice, accounts.alice.password))).rejects.toThrow();
    expect(recorder.requests().length).toBeGreaterThan(0);
    expect(recorder.requests().every((r) => r.authorization === undefined)).toBe(true);
    assertNoSecret(recorder.requests(), accounts.alice.password, "alice");
  });

  test("a redirect from /v2/ to another origin is followed without credentials", async () => {
    hub.intercept("registry", ({ res, path }) => {
      if (!path.includes("/blobs/")) return false;
      res.writeHead(307, { location: `${recorder.url}/storage/blob` }).end();
      return true;
    });
    recorder.answer({ status: 200, body: "{}" });
    const adapter = adapterFor(accounts.alice, accounts.alice.password);
    const { api, name } = adapter.distribution("alice/tools");
    const manifest = await api.getManifest(name, "latest");
    if (manifest.kind !== "image") throw new Error("expected an image manifest");
    await expect(api.getJsonBlob(name, manifest.json.config.digest)).rejects.toThrow();
    expect(recorder.requests().length).toBeGreaterThan(0);
    expect(recorder.requests().every((r) => r.authorization === undefined)).toBe(true);
    assertNoSecret(recorder.requests(), accounts.alice.password, "alice");
  });
});

describe("end to end through GraphQL", () => {
  // One scan at a time: the quota run below pauses the second scan after the first spent the pull above the reserve.
  const e2e = scanningServerPerDescribe({ env: () => ({ DRYDOCK_DOCKER_HUB_AUTH_URL: hub.authUrl }), workerConcurrency: 1 });
  let registryId: string;
  const until = (what: string, done: (data: any) => boolean, timeoutMs?: number) => waitForRegistry(e2e.gql, registryId, what, done, timeoutMs);

  test("add, test, AUTOMATIC policy with criteria and a date condition, sync: exactly the expected images are queued and scanned", async () => {
    hub.setPullQuota({ limit: 100, remaining: 100, windowSeconds: 8 });
    const pullsBefore = hub.pulls();
    const run = await integrateAndScan(
      e2e.gql,
      { name: "hub", type: "DOCKER_HUB", url: hub.url, apiUrl: hub.apiUrl, insecure: true, authMethod: "API_KEY", username: "alice", secret: accounts.alice.accessTokens[0] },
      ["alice/web:*"],
      2,
    );
    registryId = run.registryId;
    expect(run.connection.checks.map((c) => c.name)).toContain(CHECKS.rights);
    const data = run.state;
    // alice/web 0.9 was pushed 400 days ago; alice/tools is no criterion; alice/chart is skipped.
    expect(data.registry.lastSync).toMatchObject({
      repositories: 2,
      tagsSeen: 4,
      selected: 2,
      queued: 2,
      skipped: [{ repository: "alice/chart", reason: "not an image repository (repository_type plugin)" }],
      errors: [],
      pullsPausedUntil: null,
    });
    expect(scannedImages(data)).toEqual([
      { ref: "alice/web:1.0", os: { id: "alpine", versionId: "3.18.1" }, packages: 15, scan: "SUCCEEDED" },
      { ref: "alice/web:dev", os: { id: "debian", versionId: "12" }, packages: 140, scan: "SUCCEEDED" },
    ]);
    // One manifest GET per scan, none for discovery.
    expect(hub.pulls() - pullsBefore).toBe(2);
    expect(e2e.server.output.join("\n")).not.toContain(accounts.alice.accessTokens[0]);
  }, 120_000);

  test("pulls pause before the quota is spent: the paused attempt does not count, the ScanJob and the SyncRun report the pause, and the scan resumes after the window", async () => {
    const target = hub.pushTarget();
    await pushImage(target, "alice/web", "1.1", { layers: [alpineLayer, marker("1.1")] });
    await pushImage(target, "alice/web", "1.2", { layers: [alpineLayer, marker("1.2")] });
    hub.setRepository({
      repository: "alice/web",
      tags: [
        { name: "1.0", pushedAt: pushedAt.web10 },
        { name: "0.9", pushedAt: pushedAt.web09 },
        { name: "dev", pushedAt: pushedAt.webDev },
        { name: "1.1", pushedAt: new Date() },
        { name: "1.2", pushedAt: new Date() },
      ],
    });
    // 6 left, 5 kept in reserve (5% of 100): the first scan spends the last pull above the reserve.
    hub.setPullQuota({ limit: 100, remaining: 6, windowSeconds: 8 });
    await syncRegistry(e2e.gql, registryId);

    const paused = await until("paused", (d) => (d.scanJobs.nodes as any[]).some((j) => j.pausedUntil !== null));
    const job = (paused.scanJobs.nodes as any[]).find((j) => j.pausedUntil !== null);
    expect(job).toMatchObject({ status: "QUEUED", attemptCount: 0, attempts: { nodes: [{ outcome: "PAUSED" }] } });
    expect(job.pauseReason).toMatch(/^pulls paused until .*: the registry's pull quota has 5 of 100 pulls left in its 8-second window/);
    expect(hub.pullQuota()).toMatchObject({ remaining: 5 });

    // A sync while paused says so.
    await syncRegistry(e2e.gql, registryId);
    const reported = await until("a sync that reports the pause", (d) => d.registry.lastSync?.queued === 0 && d.registry.lastSync?.status === "SUCCEEDED");
    expect(reported.registry.lastSync.pullsPausedUntil).not.toBeNull();
    expect(reported.registry.lastSync.pullsPauseReason).toMatch(/5 of 100 pulls left/);

    const done = await until("resumed", (d) => d.scanJobs.nodes.length === 4 && d.scanJobs.nodes.every((j: any) => j.status === "SUCCEEDED"), 60_000);
    const resumed = (done.scanJobs.nodes as any[]).find((j) => j.id === job.id);
    expect(resumed).toMatchObject({ attemptCount: 1, pausedUntil: null, attempts: { nodes: [{ outcome: "PAUSED" }, { outcome: "SUCCEEDED" }] } });
    expect(hub.pullQuota()).toMatchObject({ remaining: 4 });
  }, 120_000);
});
