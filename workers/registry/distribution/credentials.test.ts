/**
 * Where credentials go (DESIGN §2): only to the endpoint's origin, its
 * trusted origins, and a token realm on one of those. Local servers record
 * every Authorization header they receive.
 */
import { inspect } from "node:util";
import { DistributionClient, type ClientOptions } from "./client";
import type { RegistryEndpoint } from "./endpoint";
import { FakeRegistry, TokenStore, tokenService } from "./test-support/fake-registry";
import { basic, closeAll, pathOf, sendError, startServer, type RecordedRequest } from "./test-support/servers";
import { RegistryError } from "../errors";
import { failure, readAll } from "./test-support/results";

const creds = { username: "robot$ci", secret: "Sup3r-Secret-Value" };
const BASIC = basic(creds.username, creds.secret);
const clients: DistributionClient[] = [];

function client(url: string, extra: Partial<RegistryEndpoint> = {}, options: ClientOptions = {}): DistributionClient {
  const c = new DistributionClient(
    { url, insecure: true, caCertificate: null, credentials: creds, ...extra },
    { retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 5 }, ...options },
  );
  clients.push(c);
  return c;
}

/** No trace of the secret anywhere in what a server received. */
function expectNoSecret(requests: RecordedRequest[]): void {
  const seen = JSON.stringify(requests);
  expect(seen).not.toContain(creds.secret);
  expect(seen).not.toContain(BASIC.slice(6));
  expect(requests.every((r) => r.headers.authorization === undefined || r.headers.authorization.startsWith("Bearer "))).toBe(true);
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await closeAll();
});

describe("token realms", () => {
  async function setup(options: { anonymousRefused?: boolean } = {}) {
    const tokens = new TokenStore();
    const realm = await startServer(tokenService({ tokens, users: { [creds.username]: creds.secret }, permit: () => true, ...options }));
    const fake = new FakeRegistry({ kind: "bearer", realm: () => `${realm.url}/token`, service: "svc", tokens });
    fake.putImage("team/api", ["1.0"]);
    const registry = await startServer(fake.handler);
    return { realm, registry };
  }

  test("a realm on a foreign origin gets no credentials: the token is fetched anonymously", async () => {
    const { realm, registry } = await setup();
    const c = client(registry.url);
    expect(await c.ping()).toMatchObject({ auth: "bearer" });
    expect((await c.getManifest("team/api", "1.0")).kind).toBe("image");
    expect(realm.requests.length).toBeGreaterThanOrEqual(2);
    expect(realm.requests.map((r) => r.headers.authorization)).toEqual(realm.requests.map(() => undefined));
    expectNoSecret(realm.requests);
    expect(realm.requests.some((r) => r.url.includes("account="))).toBe(false); // not even the user name
    expectNoSecret(registry.requests); // and the registry only ever saw Bearer tokens
  });

  test("when that realm insists on credentials: REGISTRY_UNAUTHORIZED saying why they were withheld", async () => {
    const { realm, registry } = await setup({ anonymousRefused: true });
    const error = await failure(client(registry.url).ping());
    expect(error.code).toBe("REGISTRY_UNAUTHORIZED");
    expect(error.message).toMatch(/does not send them there: it is neither the registry's origin nor a trusted one/);
    expectNoSecret(realm.requests);
  });

  test("a realm on a trusted origin gets them (e.g. auth.docker.io for Docker Hub)", async () => {
    const { realm, registry } = await setup({ anonymousRefused: true });
    const c = client(registry.url, { trustedOrigins: [`${realm.url}/some/path`] });
    await c.getManifest("team/api", "1.0");
    expect(realm.requests.map((r) => r.headers.authorization)).toEqual([BASIC]);
    expectNoSecret(registry.requests);
  });

  test("a trusted origin is scheme + host + port: another port on the same host is foreign", async () => {
    const { realm, registry } = await setup();
    await client(registry.url, { trustedOrigins: [`http://127.0.0.1:${realm.port + 1}`, `https://127.0.0.1:${realm.port}`] }).ping();
    expectNoSecret(realm.requests);
  });
});

describe("redirects", () => {
  async function blobSetup() {
    const fake = new FakeRegistry({ kind: "basic", username: creds.username, secret: creds.secret });
    const content = Buffer.from("layer bytes ".repeat(1000));
    const digest = fake.putBlob(content);
    const storage = await startServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": content.length });
      res.end(content);
    });
    const registry = await startServer(fake.handler);
    return { fake, content, digest, storage, registry };
  }

  test("a blob GET redirected (307) to another origin is followed without the Authorization header", async () => {
    const { fake, content, digest, storage, registry } = await blobSetup();
    fake.blobRedirect = (d) => `${storage.url}/bucket/${d}?X-Signature=abc`;
    const c = client(registry.url);
    expect(await readAll(await c.openBlob("team/api", digest))).toEqual(content);
    expect(await c.getJsonBlob<unknown>("team/api", digest).catch((e: RegistryError) => e.code)).toBe("REGISTRY_PROTOCOL"); // not JSON, but fetched
    expect(storage.requests).toHaveLength(2);
    expect(storage.requests[0].url).toBe(`/bucket/${digest}?X-Signature=abc`);
    expect(storage.requests.map((r) => r.headers.authorization)).toEqual([undefined, undefined]);
    const blobGets = registry.requests.filter((r) => r.url.includes("/blobs/"));
    expect(blobGets.map((r) => r.headers.authorization)).toEqual([undefined, BASIC, BASIC]); // challenge, then Basic up front
  });

  test("a same-origin redirect keeps it; once dropped it stays dropped, even back on the registry", async () => {
    const { fake, content, digest, storage, registry } = await blobSetup();
    fake.blobRedirect = (d, req) => (pathOf(req).startsWith("/v2/") && !req.url!.includes("moved") ? `/v2/moved/blobs/${d}?moved=1` : undefined);
    const c = client(registry.url);
    expect(await readAll(await c.openBlob("team/api", digest))).toEqual(content);
    const moved = registry.requests.filter((r) => r.url.includes("moved=1"));
    expect(moved.map((r) => r.headers.authorization)).toEqual([BASIC]);

    // registry → storage → back to the registry: no credentials on the way back
    const registryHandler = registry.handler;
    registry.handler = (req, res, s) =>
      req.url!.includes("moved=2") ? void res.writeHead(200, { "content-length": content.length }).end(content) : registryHandler(req, res, s);
    let bounced = false;
    storage.handler = (_req, res) => {
      bounced = true;
      res.writeHead(302, { location: `${registry.url}/v2/moved/blobs/${digest}?moved=2` }).end();
    };
    fake.blobRedirect = (d, req) => (req.url!.includes("moved") ? undefined : `${storage.url}/x/${d}`);
    expect(await readAll(await c.openBlob("team/api", digest))).toEqual(content);
    expect(bounced).toBe(true);
    expect(registry.requests.filter((r) => r.url.includes("moved=2")).map((r) => r.headers.authorization)).toEqual([undefined]);
  });

  test("a 401 from where a redirect led is not answered with credentials", async () => {
    const { fake, digest, storage, registry } = await blobSetup();
    fake.blobRedirect = (d) => `${storage.url}/bucket/${d}`;
    storage.handler = (_req, res) => sendError(res, 401, "UNAUTHORIZED", "signature expired", { "www-authenticate": 'Basic realm="storage"' });
    const error = await failure(client(registry.url).openBlob("team/api", digest));
    expect(error).toMatchObject({ code: "REGISTRY_UNAUTHORIZED", status: 401 });
    expect(storage.requests.map((r) => r.headers.authorization)).toEqual([undefined]);
  });

  test("at most 5 redirects", async () => {
    const { fake, digest, registry } = await blobSetup();
    let hops = 0;
    fake.blobRedirect = (d) => `/v2/team/api/blobs/${d}?hop=${++hops}`;
    const error = await failure(client(registry.url, {}, { retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } }).openBlob("team/api", digest));
    expect(error).toMatchObject({ code: "REGISTRY_PROTOCOL", message: expect.stringMatching(/more than 5 redirects/) });
    expect(hops).toBe(6);
  });
});

describe("credentials never appear in errors", () => {
  test("a server echoing the password and the Authorization header in its error body", async () => {
    const server = await startServer((req, res) => {
      if (!req.headers.authorization) return sendError(res, 401, "UNAUTHORIZED", "login", { "www-authenticate": 'Basic realm="r"' });
      sendError(res, 400, "MANIFEST_INVALID", `bad request from ${creds.username}:${creds.secret} with ${req.headers.authorization}`);
    });
    const error = await failure(client(server.url).getManifest("team/api", "1.0"));
    expect(error.code).toBe("REGISTRY_PROTOCOL");
    const everything = `${error.message} ${String(error.stack)} ${JSON.stringify(error)}`;
    expect(everything).not.toContain(creds.secret);
    expect(everything).not.toContain(BASIC.slice(6));
    expect(error.message).toContain("[HIDDEN]");
  });

  test("a token echoed back is hidden too", async () => {
    const tokens = new TokenStore();
    let issued = "";
    const token = tokenService({ tokens, users: { [creds.username]: creds.secret } });
    const server = await startServer((req, res, s) => {
      if (pathOf(req) === "/token") {
        const write = res.end.bind(res);
        res.end = ((body: Buffer) => {
          issued = JSON.parse(body.toString()).token;
          return write(body);
        }) as typeof res.end;
        return token(req, res, s);
      }
      if (!req.headers.authorization) {
        return sendError(res, 401, "UNAUTHORIZED", "login", { "www-authenticate": `Bearer realm="${s.url}/token",service="x"` });
      }
      sendError(res, 404, "MANIFEST_UNKNOWN", `no manifest for ${req.headers.authorization}`);
    });
    const error = await failure(client(server.url).getManifest("a", "1"));
    expect(error.code).toBe("MANIFEST_UNKNOWN");
    expect(issued).not.toBe("");
    expect(error.message).not.toContain(issued);
  });

  test("a client logged or inspected shows neither the secret nor its tokens", async () => {
    const tokens = new TokenStore();
    const service = tokenService({ tokens, users: { [creds.username]: creds.secret } });
    let realm = "";
    const fake = new FakeRegistry({ kind: "bearer", realm: () => realm, service: "svc", tokens });
    const server = await startServer((req, res, s) => (pathOf(req) === "/token" ? service(req, res, s) : fake.handler(req, res, s)));
    realm = `${server.url}/token`;
    const c = client(server.url);
    await c.ping();
    const [token] = tokens.granted.keys();
    const shown = inspect(c, { depth: 20, showHidden: true });
    expect(shown).not.toContain(creds.secret);
    expect(shown).not.toContain(BASIC.slice(6));
    expect(shown).not.toContain(token);
    expect(Object.keys(c)).not.toContain("endpoint");
  });

  test("a URL with user info is refused without repeating it", async () => {
    const c = client(`https://user:${creds.secret}@r.example.com`);
    const error = await failure(c.ping());
    expect(error.code).toBe("REGISTRY_PROTOCOL");
    expect(error.message).not.toContain(creds.secret);
  });
});
