import type { Registry } from "../../db/entities";
import { AuthMethod, RegistryType } from "../../db/enums";
import type { RegistryAdapter } from "../../workers/registry/adapter";
import { assertNoSecret } from "../emulators/shared";
import { startNexusEmulator, type NexusEmulator } from "../emulators/nexus";
import { leakRecorderPerTest } from "../helpers/leaks";
import { alpineLayer, debianLayer } from "../helpers/scan-images";
import { listRepositories, TestAdapters, EVERY_CHECK_PASSES, outcomes } from "../helpers/vendor-adapters";
import { integrateAndScan, scanningServerPerDescribe } from "../helpers/vendor-e2e";
import { buildLayer, file } from "../registry/image-builder";

/**
 * The NEXUS type against the Nexus emulator (test/emulators/nexus): hosted
 * Docker repositories listed through the search API, proxy and group ones
 * skipped, pushedAt from the manifest asset's blobCreated, path-based and
 * port-connector routing, the "not verifiable" rights probes, no secret
 * leaving its origins, and a whole sync + scan through GraphQL.
 */

const DAY = 24 * 3600_000;
const daysAgo = (n: number) => new Date(Math.floor((Date.now() - n * DAY) / 1000) * 1000);
const app = (name: string) => buildLayer([file(`app/${name}`, `${name}\n`)]);

const SECRET = "nexus-Secret-4f1d";
const FULL = ["nx-repository-view-docker-*-browse", "nx-repository-view-docker-*-read"];
/** The build date of team/api:1.1 and :latest, long before their push. */
const apiBuilt = daysAgo(200);
const pushed = {
  api10: daysAgo(90),
  api11: daysAgo(2),
  latest: daysAgo(1),
  web20: daysAgo(3),
  tool: daysAgo(400),
  shop1: daysAgo(5),
  shop2: daysAgo(1),
};

let nexus: NexusEmulator;
const adapters = new TestAdapters();

function adapter(username: string, fields: Partial<Registry> = {}, secret = SECRET): RegistryAdapter {
  return adapters.create(adapters.integration(secret, { type: RegistryType.NEXUS, url: nexus.url, authMethod: AuthMethod.ACCOUNT, username, ...fields }));
}

const listAll = async (target: RegistryAdapter) => (await listRepositories(target)).sort((a, b) => a.repository.localeCompare(b.repository));

const rightsOf = async (target: RegistryAdapter) => (await target.checkConnection()).find((check) => check.name === "minimum rights")!;

beforeAll(async () => {
  nexus = await startNexusEmulator({
    users: {
      reader: { password: SECRET, privileges: FULL },
      "read-only": { password: SECRET, privileges: ["nx-repository-view-docker-*-read"] },
      "no-apps-read": { password: SECRET, privileges: ["nx-repository-view-docker-*-browse", "nx-repository-view-docker-docker-hosted-read"] },
    },
    repositories: [
      {
        name: "docker-hosted",
        images: {
          // Config dates that disagree with the push dates: the listing must use blobCreated.
          "team/api": [
            { tag: "1.0", blobCreated: pushed.api10, image: { layers: [alpineLayer, app("api-1.0")], config: { created: new Date() } } },
            { tag: "1.1", blobCreated: pushed.api11, image: { layers: [alpineLayer, app("api-1.1")], config: { created: apiBuilt } } },
            { tag: "latest", blobCreated: pushed.latest, image: { layers: [alpineLayer, app("api-1.1")], config: { created: apiBuilt } } },
          ],
          // A reproducible build (1970): its createdAt counts as missing.
          "team/web": [{ tag: "2.0", blobCreated: pushed.web20, image: { layers: [debianLayer], config: { created: new Date(0) } } }],
          "legacy/tool": [{ tag: "0.1", blobCreated: pushed.tool }],
        },
      },
      {
        name: "apps-hosted",
        connector: true,
        forceBasicAuth: true,
        images: { "shop/app": [{ tag: "1", blobCreated: pushed.shop1 }, { tag: "2", blobCreated: pushed.shop2 }] },
      },
      { name: "hub-proxy", type: "proxy" },
      { name: "all-group", type: "group", connector: true },
      { name: "maven-releases", format: "maven2" },
    ],
  });
}, 120_000);

afterAll(async () => {
  await adapters.closeAll();
  await nexus?.stop();
});

afterEach(() => {
  Object.keys(nexus.behaviour).forEach((key) => delete nexus.behaviour[key as keyof typeof nexus.behaviour]);
});

describe("discovery", () => {
  test("path-based: every hosted Docker repository's images by <repositoryKey>/<image>; proxy and group skipped; other formats left out", async () => {
    expect(await listAll(adapter("reader"))).toEqual([
      { repository: "all-group", skipped: "a group repository: only hosted Docker repositories are integrated" },
      { repository: "apps-hosted/shop/app" },
      { repository: "docker-hosted/legacy/tool" },
      { repository: "docker-hosted/team/api" },
      { repository: "docker-hosted/team/web" },
      { repository: "hub-proxy", skipped: "a proxy repository: only hosted Docker repositories are integrated" },
    ]);
  });

  test("a pushed image of a proxy or group repository is skipped with that repository's reason", async () => {
    const reader = adapter("reader");
    expect(await reader.pushedRepository("docker-hosted/team/api")).toEqual({ repository: "docker-hosted/team/api" });
    expect(await reader.pushedRepository("hub-proxy/library/nginx")).toEqual({
      repository: "hub-proxy/library/nginx",
      skipped: "a proxy repository: only hosted Docker repositories are integrated",
    });
    expect(await reader.pushedRepository("all-group/team/api")).toEqual({
      repository: "all-group/team/api",
      skipped: "a group repository: only hosted Docker repositories are integrated",
    });
  });

  test("tags: the manifest digest, no createdAt, pushedAt = the manifest asset's blobCreated; the search's second page is read", async () => {
    nexus.base.server.clearRequests();
    const nexusAdapter = adapter("reader");
    await listAll(nexusAdapter);
    const tags = await nexusAdapter.listTags("docker-hosted/team/api");
    expect(tags.sort((a, b) => a.tag.localeCompare(b.tag))).toEqual([
      { repository: "docker-hosted/team/api", tag: "1.0", digest: nexus.digestOf("docker-hosted", "team/api", "1.0"), createdAt: null, pushedAt: pushed.api10 },
      { repository: "docker-hosted/team/api", tag: "1.1", digest: nexus.digestOf("docker-hosted", "team/api", "1.1"), createdAt: null, pushedAt: pushed.api11 },
      { repository: "docker-hosted/team/api", tag: "latest", digest: nexus.digestOf("docker-hosted", "team/api", "1.1"), createdAt: null, pushedAt: pushed.latest },
    ]);
    const searches = nexus.requests().filter((r) => r.path === "/service/rest/v1/search" && r.query.get("repository") === "docker-hosted");
    expect(searches.map((r) => r.query.has("continuationToken"))).toEqual([false, true]);
    // Listing cost no registry call: the search carries digests and dates.
    expect(nexus.requests().filter((r) => r.path.includes("/v2/"))).toEqual([]);
  });

  test("listTags without a listing first searches that image only", async () => {
    nexus.base.server.clearRequests();
    const tags = await adapter("reader").listTags("docker-hosted/team/web");
    expect(tags).toEqual([
      { repository: "docker-hosted/team/web", tag: "2.0", digest: nexus.digestOf("docker-hosted", "team/web", "2.0"), createdAt: null, pushedAt: pushed.web20 },
    ]);
    expect(nexus.requests().map((r) => `${r.path}?${r.query.get("repository")}&${r.query.get("name")}`)).toEqual(["/service/rest/v1/search?docker-hosted&team/web"]);
  });

  test("path-based pulls go to <url>/repository/<key>/v2/<image> through the Bearer token realm", async () => {
    nexus.base.server.clearRequests();
    const { api, name } = adapter("reader").distribution("docker-hosted/team/api");
    const manifest = await api.getManifest(name, "1.1");
    expect(manifest.digest).toBe(nexus.digestOf("docker-hosted", "team/api", "1.1"));
    const paths = nexus.requests().map((r) => r.path);
    expect(paths).toContain("/repository/docker-hosted/v2/team/api/manifests/1.1");
    expect(paths).toContain("/v2/token");
  });

  test("connector port: only the repositoryKey, its Docker endpoint is url (BASIC challenge), REST on the same port", async () => {
    const url = nexus.connectors["apps-hosted"];
    const connector = adapter("reader", { url, repositoryKey: "apps-hosted" });
    expect(await listAll(connector)).toEqual([{ repository: "apps-hosted/shop/app" }]);
    const tags = await connector.listTags("apps-hosted/shop/app");
    expect(tags.map((t) => [t.tag, t.pushedAt])).toEqual([
      ["1", pushed.shop1],
      ["2", pushed.shop2],
    ]);
    const { api, name } = connector.distribution("apps-hosted/shop/app");
    expect((await api.headManifest(name, "2")).digest).toBe(nexus.digestOf("apps-hosted", "shop/app", "2"));
    const pulls = nexus.requests("apps-hosted").filter((r) => r.path === "/v2/shop/app/manifests/2");
    // forceBasicAuth: the BASIC challenge is answered with Basic directly, no token realm involved.
    expect(pulls.map((r) => r.authorization?.split(" ")[0])).toEqual([undefined, "Basic"]);
    expect(nexus.requests("apps-hosted").filter((r) => r.path === "/v2/token")).toEqual([]);
    await expect(api.headManifest("docker-hosted/team/api", "1.0")).rejects.toMatchObject({ code: "NAME_UNKNOWN" });
  });

  test("a connector of a group repository is skipped with the reason", async () => {
    const group = adapter("reader", { url: nexus.connectors["all-group"], repositoryKey: "all-group" });
    expect(await listAll(group)).toEqual([{ repository: "all-group", skipped: "a group repository: only hosted Docker repositories are integrated" }]);
  });
});

describe("connection test", () => {
  test("an account with browse and read everywhere: every check ok, rights not verifiable with what the probes showed", async () => {
    const checks = await adapter("reader").checkConnection();
    expect(outcomes(checks)).toEqual(EVERY_CHECK_PASSES);
    const rights = checks[4].message;
    expect(rights).toMatch(/^not verifiable: /);
    expect(rights).toContain("docker-hosted: browse ok");
    expect(rights).toContain("apps-hosted: browse ok");
    expect(rights).toContain("read ok");
    expect(rights).toMatch(/not probed: .*all-group \(a group repository/);
  });

  test("without browse, no hosted repository is visible: the check names the browse privilege", async () => {
    const rights = await rightsOf(adapter("read-only"));
    expect(rights.ok).toBe(false);
    expect(rights.message).toMatch(/^missing nx-repository-view-docker-\*-browse \(no hosted Docker repository is visible to the account\)/);
    expect(rights.message).not.toContain("-read");
  });

  test("connector without browse: the check names that repository's browse privilege", async () => {
    const rights = await rightsOf(adapter("read-only", { url: nexus.connectors["apps-hosted"], repositoryKey: "apps-hosted" }));
    expect(rights.ok).toBe(false);
    expect(rights.message).toContain("missing nx-repository-view-docker-apps-hosted-browse (apps-hosted is not in the account's repository list)");
  });

  test("without read on one repository: the check names exactly that read privilege", async () => {
    const rights = await rightsOf(adapter("no-apps-read"));
    expect(rights.ok).toBe(false);
    expect(rights.message).toMatch(/^missing nx-repository-view-docker-apps-hosted-read \(pulling apps-hosted\/shop\/app:1 was refused\)\./);
    expect(rights.message).not.toContain("docker-hosted-read");
    expect(rights.message).toContain("docker-hosted: browse ok (the search found docker-hosted/legacy/tool:0.1), read ok");
  });

  test("a wrong password: not authenticated, later steps not checked, the secret never in a message", async () => {
    const checks = await adapter("reader", {}, "wrong-password-77").checkConnection();
    expect(outcomes(checks)).toEqual([
      ["reachable", true],
      ["TLS", true],
      ["authenticated", false],
      ["can list", false],
      ["minimum rights", false],
    ]);
    expect(JSON.stringify(checks)).not.toContain("wrong-password-77");
  });
});

describe("credentials stay on their origins", () => {
  const recorder = leakRecorderPerTest();

  test("the allowed realm (<origin>/v2/token) receives the credentials", async () => {
    nexus.base.server.clearRequests();
    const { api, name } = adapter("reader").distribution("docker-hosted/team/api");
    await api.headManifest(name, "1.0");
    const tokenRequests = nexus.requests().filter((r) => r.path === "/v2/token");
    expect(tokenRequests.length).toBeGreaterThan(0);
    expect(tokenRequests[0].authorization).toBe("Basic " + Buffer.from(`reader:${SECRET}`).toString("base64"));
  });

  test("a challenge naming a realm on another origin gets no secret", async () => {
    nexus.behaviour.realm = `${recorder.url}/v2/token`;
    const { api, name } = adapter("reader").distribution("docker-hosted/team/api");
    await expect(api.getManifest(name, "1.0")).rejects.toBeDefined();
    expect(recorder.requests().length).toBeGreaterThan(0);
    assertNoSecret(recorder.requests(), SECRET, "reader");
  });

  test("a redirect of the REST API to another origin gets no secret", async () => {
    nexus.behaviour.redirectApi = recorder.url;
    await listAll(adapter("reader")).catch(() => undefined);
    expect(recorder.requests().map((r) => r.path)).toContain("/service/rest/v1/repositories");
    assertNoSecret(recorder.requests(), SECRET, "reader");
  });

  test("a redirect of /v2/ to another origin gets no secret", async () => {
    nexus.behaviour.redirectV2 = recorder.url;
    const { api, name } = adapter("reader").distribution("docker-hosted/team/api");
    await expect(api.getManifest(name, "1.0")).rejects.toBeDefined();
    expect(recorder.requests().map((r) => r.path)).toContain("/v2/team/api/manifests/1.0");
    assertNoSecret(recorder.requests(), SECRET, "reader");
  });
});

describe("end to end through GraphQL", () => {
  const e2e = scanningServerPerDescribe();

  test("add, test, AUTOMATIC policy with criteria and a date condition, sync: exactly the expected images queued and scanned", async () => {
    const { connection, state: data } = await integrateAndScan(
      e2e.gql,
      { name: "nexus", type: "NEXUS", url: nexus.url, insecure: true, authMethod: "ACCOUNT", username: "reader", secret: SECRET },
      ["docker-hosted/team/*", "apps-hosted/shop/app:1"],
    );
    expect(connection.checks.map((c) => c.name)).toEqual(["reachable", "TLS", "authenticated", "can list", "minimum rights"]);

    expect(data.registry.lastSync).toMatchObject({ repositories: 4, tagsSeen: 7, selected: 4 });
    expect(data.registry.lastSync.skipped.map((s: { repository: string }) => s.repository).sort()).toEqual(["all-group", "hub-proxy"]);
    // Out: team/api:1.0 (pushed 90 days ago; its fresh config date does not count), legacy/tool and shop/app:2 (no criterion).
    // In: team/api:1.1 and :latest although built 200 days ago, team/web:2.0 although its config says 1970.
    const byRef = new Map((data.images.nodes as any[]).map((image) => [`${image.repository}:${image.tag}`, image]));
    expect([...byRef.keys()].sort()).toEqual(["apps-hosted/shop/app:1", "docker-hosted/team/api:1.1", "docker-hosted/team/api:latest", "docker-hosted/team/web:2.0"]);

    const api11 = byRef.get("docker-hosted/team/api:1.1");
    expect(api11).toMatchObject({ pushedAt: pushed.api11.toISOString(), createdAt: apiBuilt.toISOString() });
    expect(api11.os).toEqual({ id: "alpine", versionId: "3.18.1" });
    expect(api11.packages.totalCount).toBe(15);
    const web = byRef.get("docker-hosted/team/web:2.0");
    expect(web).toMatchObject({ createdAt: null, pushedAt: pushed.web20.toISOString(), os: { id: "debian", versionId: "12" } });
    expect(web.packages.totalCount).toBe(140);
    for (const image of byRef.values()) expect(image.lastScan?.status).toBe("SUCCEEDED");
    expect(data.scanJobs.nodes).toHaveLength(byRef.size);
  }, 150_000);
});
