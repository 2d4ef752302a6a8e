/** The auth handshake against local servers: Basic, Bearer tokens per scope, and telling failures apart. */
import { DistributionClient, type ClientOptions } from "./client";
import type { RegistryEndpoint } from "./endpoint";
import { FakeRegistry, TokenStore, tokenService } from "./test-support/fake-registry";
import { basic, closeAll, sendError, startServer, type TestServer } from "./test-support/servers";
import { failure } from "./test-support/results";

const FAST: ClientOptions = { retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 5 } };
const clients: DistributionClient[] = [];

function client(server: TestServer, extra: Partial<RegistryEndpoint> = {}, options: ClientOptions = {}): DistributionClient {
  const c = new DistributionClient({ url: server.url, insecure: true, caCertificate: null, credentials: null, ...extra }, { ...FAST, ...options });
  clients.push(c);
  return c;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await closeAll();
});

const creds = { username: "ci", secret: "s3cret-pa55" };
const v2 = (server: TestServer) => server.requests.filter((r) => r.url.startsWith("/v2/"));

describe("Basic", () => {
  test("answers the challenge with the credentials, then sends them up front", async () => {
    const fake = new FakeRegistry({ kind: "basic", ...creds });
    fake.putImage("team/api", ["1.0"]);
    const server = await startServer(fake.handler);
    const c = client(server, { credentials: creds });

    expect(await c.ping()).toEqual({ status: 200, auth: "basic" });
    expect(server.requests.map((r) => r.headers.authorization)).toEqual([undefined, basic(creds.username, creds.secret)]);

    await c.getManifest("team/api", "1.0");
    expect(server.requests).toHaveLength(3); // no second 401 round trip
    expect(server.requests[2].headers.authorization).toBe(basic(creds.username, creds.secret));
  });

  test("the scheme is matched case-insensitively (Nexus sends BASIC)", async () => {
    const fake = new FakeRegistry({ kind: "basic", ...creds, scheme: "BASIC" });
    const server = await startServer(fake.handler);
    expect(await client(server, { credentials: creds }).ping()).toEqual({ status: 200, auth: "basic" });
  });

  test("a wrong password and missing credentials are REGISTRY_UNAUTHORIZED, each said plainly", async () => {
    const server = await startServer(new FakeRegistry({ kind: "basic", ...creds }).handler);
    const wrong = await failure(client(server, { credentials: { ...creds, secret: "nope" } }).ping());
    expect(wrong).toMatchObject({ code: "REGISTRY_UNAUTHORIZED", retryable: false, status: 401 });
    expect(wrong.message).toMatch(/rejected the user name or secret/);
    expect(server.requests).toHaveLength(2); // not retried

    const none = await failure(client(server).ping());
    expect(none).toMatchObject({ code: "REGISTRY_UNAUTHORIZED" });
    expect(none.message).toMatch(/requires credentials/);
  });
});

describe("Bearer", () => {
  async function bearerSetup(options: { permit?: (user: string | null, scope: string) => boolean; expiresIn?: number; field?: "token" | "access_token"; anonymousRefused?: boolean } = {}) {
    const tokens = new TokenStore();
    const auth = await startServer(tokenService({ tokens, users: { [creds.username]: creds.secret }, ...options }));
    let realm = "";
    const fake = new FakeRegistry({ kind: "bearer", realm: () => realm, service: "fake-registry", tokens });
    const registry = await startServer(fake.handler);
    realm = `${registry.url}/token`; // same origin as the registry: credentials may go there
    const registryHandler = registry.handler;
    registry.handler = (req, res, s) => (req.url?.startsWith("/token") ? auth.handler(req, res, s) : registryHandler(req, res, s));
    const tokenRequests = () => registry.requests.filter((r) => r.url.startsWith("/token"));
    return { tokens, fake, registry, tokenRequests };
  }

  test("ping fetches a token without scope; each repository gets its own scope; tokens are reused until shortly before expiry", async () => {
    const { fake, registry, tokenRequests } = await bearerSetup({ expiresIn: 300 });
    fake.putImage("team/api", ["1.0"]);
    fake.putImage("team/web", ["2.0"]);
    let clock = Date.parse("2024-01-01T00:00:00Z");
    const c = client(registry, { credentials: creds }, { now: () => clock });

    expect(await c.ping()).toEqual({ status: 200, auth: "bearer" });
    const [first] = tokenRequests();
    expect(first.headers.authorization).toBe(basic(creds.username, creds.secret));
    const firstQuery = new URLSearchParams(first.url.split("?")[1]);
    expect(firstQuery.get("service")).toBe("fake-registry");
    expect(firstQuery.getAll("scope")).toEqual([]);
    expect(firstQuery.get("account")).toBe(creds.username);

    await c.getManifest("team/api", "1.0");
    await c.headManifest("team/api", "1.0");
    for await (const _ of c.tags("team/api"));
    expect(tokenRequests().map((r) => new URLSearchParams(r.url.split("?")[1]).getAll("scope"))).toEqual([[], ["repository:team/api:pull"]]);

    await c.getManifest("team/web", "2.0");
    expect(tokenRequests()).toHaveLength(3);
    const before = v2(registry).length;
    await c.getManifest("team/web", "2.0");
    expect(tokenRequests()).toHaveLength(3);
    expect(v2(registry).length).toBe(before + 1); // the cached token went up front: no 401 round trip

    clock += 269_000; // 300 s token, renewed 30 s early: still good
    await c.getManifest("team/api", "1.0");
    expect(tokenRequests()).toHaveLength(3);
    clock += 2_000;
    await c.getManifest("team/api", "1.0");
    expect(tokenRequests()).toHaveLength(4);
  });

  test("access_token without expires_in: 60 s by default", async () => {
    const { fake, registry, tokenRequests } = await bearerSetup({ field: "access_token" });
    fake.putImage("a", ["1"]);
    let clock = 1_000_000;
    const c = client(registry, { credentials: creds }, { now: () => clock });
    await c.getManifest("a", "1");
    expect(tokenRequests()).toHaveLength(1);
    clock += 40_000;
    await c.getManifest("a", "1");
    expect(tokenRequests()).toHaveLength(1);
    clock += 20_000;
    await c.getManifest("a", "1");
    expect(tokenRequests()).toHaveLength(2);
  });

  test("without credentials the token is fetched anonymously", async () => {
    const { fake, registry, tokenRequests } = await bearerSetup({ permit: () => true });
    fake.putImage("public/app", ["1"]);
    const c = client(registry);
    expect(await c.ping()).toEqual({ status: 200, auth: "bearer" });
    expect((await c.getManifest("public/app", "1")).kind).toBe("image");
    expect(tokenRequests().map((r) => r.headers.authorization)).toEqual([undefined, undefined]);
    expect(tokenRequests().every((r) => !new URLSearchParams(r.url.split("?")[1]).has("account"))).toBe(true);
  });

  test("concurrent requests for one scope share one token request", async () => {
    const { fake, registry, tokenRequests } = await bearerSetup();
    fake.putImage("a", ["1", "2", "3", "4"]);
    const c = client(registry, { credentials: creds });
    await c.ping();
    await Promise.all(["1", "2", "3", "4"].map((tag) => c.getManifest("a", tag)));
    expect(tokenRequests().filter((r) => r.url.includes("scope="))).toHaveLength(1);
  });

  test("a revoked cached token is replaced once, transparently", async () => {
    const { tokens, fake, registry, tokenRequests } = await bearerSetup();
    fake.putImage("a", ["1"]);
    const c = client(registry, { credentials: creds });
    await c.getManifest("a", "1");
    tokens.revokeAll();
    await c.getManifest("a", "1");
    expect(tokenRequests()).toHaveLength(2);
  });

  test("wrong password (token service 401) and catalog not permitted (insufficient_scope) are different codes", async () => {
    const { fake, registry } = await bearerSetup({ permit: (user, scope) => user !== null && scope !== "registry:catalog:*" });
    fake.putImage("a", ["1"]);

    const wrong = await failure(client(registry, { credentials: { ...creds, secret: "wrong" } }).ping());
    expect(wrong).toMatchObject({ code: "REGISTRY_UNAUTHORIZED", status: 401, retryable: false });
    expect(wrong.message).toMatch(/token service .* rejected the user name or secret/);

    const c = client(registry, { credentials: creds });
    expect(await c.ping()).toMatchObject({ auth: "bearer" });
    const catalog = await failure((async () => {
      for await (const _ of c.repositories());
    })());
    expect(catalog).toMatchObject({ code: "REGISTRY_FORBIDDEN", retryable: false });
    expect(catalog.message).toMatch(/valid but not permitted to list the catalog/);
    // the same credentials still pull
    expect((await c.getManifest("a", "1")).kind).toBe("image");
  });

  test("anonymous access refused: REGISTRY_UNAUTHORIZED saying credentials are needed", async () => {
    const { registry } = await bearerSetup({ permit: (user) => user !== null });
    const error = await failure((async () => {
      for await (const _ of client(registry).tags("private/app"));
    })());
    expect(error).toMatchObject({ code: "REGISTRY_UNAUTHORIZED" });
    expect(error.message).toMatch(/requires credentials to pull private\/app/);
  });

  test("403 DENIED is REGISTRY_FORBIDDEN", async () => {
    const server = await startServer((_req, res) => sendError(res, 403, "DENIED", "requested access to the resource is denied"));
    const error = await failure(client(server, { credentials: creds }).getManifest("a", "1"));
    expect(error).toMatchObject({ code: "REGISTRY_FORBIDDEN", status: 403, retryable: false });
    expect(error.message).toMatch(/DENIED: requested access to the resource is denied/);
    expect(server.requests).toHaveLength(1);
  });

  test("Harbor: Bearer for repositories, a Basic challenge on the catalog", async () => {
    const tokens = new TokenStore();
    const auth = await startServer(tokenService({ tokens, users: { [creds.username]: creds.secret } }));
    const fake = new FakeRegistry({ kind: "bearer", realm: () => `${auth.url}/service/token`, service: "harbor-registry", tokens, catalogChallenge: "basic" });
    fake.putImage("library/app", ["1"]);
    const registry = await startServer(fake.handler);
    const c = client(registry, { credentials: creds, trustedOrigins: [auth.url] });
    expect(await c.ping()).toMatchObject({ auth: "bearer" });
    const names: string[] = [];
    for await (const name of c.repositories()) names.push(name);
    expect(names).toEqual(["library/app"]);
    expect((await c.getManifest("library/app", "1")).kind).toBe("image");
    const catalogAuth = registry.requests.filter((r) => r.url.startsWith("/v2/_catalog")).map((r) => r.headers.authorization?.split(" ")[0]);
    expect(catalogAuth).toEqual(["Bearer", "Basic"]);
  });

  test("a Bearer challenge without a realm, or a 401 without a usable challenge, is refused", async () => {
    const server = await startServer((_req, res) => sendError(res, 401, "UNAUTHORIZED", "x", { "www-authenticate": 'Bearer service="x"' }));
    expect(await failure(client(server).ping())).toMatchObject({ code: "REGISTRY_PROTOCOL", message: expect.stringMatching(/no valid token realm/) });
    const none = await startServer((_req, res) => sendError(res, 401, "UNAUTHORIZED", "x"));
    expect(await failure(client(none).ping())).toMatchObject({ code: "REGISTRY_UNAUTHORIZED", message: expect.stringMatching(/offered no Basic or Bearer/) });
  });
});
