/**
 * The shared emulator base against the real distribution registry with token
 * auth: tokens from the emulator's signer and token service are what the
 * registry verifies and enforces.
 */
import { request } from "undici";
import { DistributionClient } from "../../../workers/registry/distribution/client";
import { BASE_LAYER, MANIFEST_ACCEPT } from "../../registry/image-builder";
import { pushImage, registryRequest, type PushedImage } from "../../registry/push";
import {
  assertNoSecret,
  decodeToken,
  narrowScopes,
  parseScope,
  parseScopes,
  sendJson,
  startEmulator,
  startEmulatorServer,
  startLeakRecorder,
  type Authorize,
  type Emulator,
} from "./index";

const USERS: Record<string, string> = { reader: "reader-pw", admin: "admin-pw" };

/** reader: pull team/*; admin: pull and push anything, and the catalog; anonymous: pull public/*. */
const authorize: Authorize = (credentials, requested) => {
  if (credentials && USERS[credentials.username] !== credentials.password) return "unauthorized";
  const user = credentials?.username ?? null;
  return narrowScopes(requested, (scope) => {
    if (scope.type === "registry") return user === "admin" && scope.name === "catalog" ? ["*"] : [];
    if (scope.type !== "repository") return [];
    if (user === "admin") return ["pull", "push"];
    if (user === "reader") return scope.name.startsWith("team/") ? ["pull"] : [];
    return scope.name.startsWith("public/") ? ["pull"] : [];
  });
};

const basic = (user: string, password: string) => "Basic " + Buffer.from(`${user}:${password}`).toString("base64");

let emulator: Emulator;
let app: PushedImage;
let other: PushedImage;
const clients: DistributionClient[] = [];

beforeAll(async () => {
  emulator = await startEmulator({ service: "emulated-registry", authorize });
  const target = emulator.pushTarget();
  app = await pushImage(target, "team/app", "1.0", { format: "oci", layers: [BASE_LAYER], config: { created: "2024-01-02T03:04:05Z" } });
  await pushImage(target, "team/app", "2.0", { format: "docker", layers: [BASE_LAYER] });
  other = await pushImage(target, "secret/db", "1.0", { format: "oci", layers: [BASE_LAYER] });
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await emulator?.stop();
});

async function token(scopes: string[], authorization?: string): Promise<{ status: number; json: any }> {
  const url = new URL(emulator.realm);
  url.searchParams.set("service", "emulated-registry");
  for (const scope of scopes) url.searchParams.append("scope", scope);
  const answer = await request(url, { headers: authorization ? { authorization } : {} });
  return { status: answer.statusCode, json: await answer.body.json() };
}

const getManifest = (repository: string, reference: string, authorization?: string) =>
  registryRequest({ url: emulator.url }, "GET", `/v2/${repository}/manifests/${reference}`, {
    headers: { accept: MANIFEST_ACCEPT, ...(authorization ? { authorization } : {}) },
  });

describe("through the emulator", () => {
  test("pushed images land in the real registry, uploads going through the emulator (Location rewritten)", async () => {
    const pushes = emulator.requests().filter((r) => r.method === "PUT" && r.path.includes("/blobs/uploads/"));
    expect(pushes.length).toBeGreaterThan(0);
    for (const push of pushes) expect(push.authorization).toMatch(/^Bearer /);
    const started = await registryRequest(emulator.pushTarget(), "POST", "/v2/team/app/blobs/uploads/");
    expect(started.status).toBe(202);
    expect(started.headers.location.startsWith(`${emulator.url}/v2/team/app/blobs/uploads/`)).toBe(true);
  });

  test("a token from the token service pulls a manifest through the /v2/ proxy", async () => {
    const answer = await token(["repository:team/app:pull"], basic("reader", USERS.reader));
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ token: expect.any(String), access_token: answer.json.token, expires_in: 300 });
    expect(new Date(answer.json.issued_at).getTime()).toBeGreaterThan(Date.now() - 60_000);
    const manifest = await getManifest("team/app", "1.0", `Bearer ${answer.json.token}`);
    expect(manifest.status).toBe(200);
    expect(manifest.headers["docker-content-digest"]).toBe(app.manifestDigest);
    const recorded = emulator.requests().filter((r) => r.path === "/v2/team/app/manifests/1.0");
    expect(recorded.at(-1)?.authorization).toBe(`Bearer ${answer.json.token}`);
  });

  test("without a token the registry answers 401 with a Bearer challenge naming the emulator's realm", async () => {
    const answer = await getManifest("team/app", "1.0");
    expect(answer.status).toBe(401);
    expect(answer.headers["www-authenticate"]).toBe(
      `Bearer realm="${emulator.url}/service/token",service="emulated-registry",scope="repository:team/app:pull"`,
    );
  });

  test("a token for one repository does not pull another (the registry enforces the scope)", async () => {
    const answer = await token(["repository:team/app:pull"], basic("reader", USERS.reader));
    const refused = await getManifest("secret/db", "1.0", `Bearer ${answer.json.token}`);
    expect(refused.status).toBe(401);
    expect(refused.headers["www-authenticate"]).toContain('error="insufficient_scope"');
    const admin = await token(["repository:secret/db:pull"], basic("admin", USERS.admin));
    expect((await getManifest("secret/db", "1.0", `Bearer ${admin.json.token}`)).headers["docker-content-digest"]).toBe(other.manifestDigest);
  });

  test("the registry refuses tokens of another issuer or audience", async () => {
    const access = [{ type: "repository", name: "team/app", actions: ["pull"] }];
    for (const forged of [
      emulator.signer.sign({ subject: "x", access, issuer: "someone-else" }),
      emulator.signer.sign({ subject: "x", access, audience: "another-service" }),
    ]) {
      expect((await getManifest("team/app", "1.0", `Bearer ${forged}`)).status).toBe(401);
    }
    expect((await getManifest("team/app", "1.0", `Bearer ${emulator.signer.sign({ subject: "x", access })}`)).status).toBe(200);
  });
});

describe("the token service", () => {
  test("grants fewer actions than asked, per the emulator's decision, and signs them for the account", async () => {
    const answer = await token(["repository:team/app:pull,push", "repository:secret/db:pull", "registry:catalog:*"], basic("reader", USERS.reader));
    expect(answer.status).toBe(200);
    const { header, claims } = decodeToken(answer.json.token);
    expect(header).toMatchObject({ alg: "ES256", typ: "JWT", x5c: [expect.any(String)] });
    expect(claims).toMatchObject({ iss: emulator.signer.issuer, sub: "reader", aud: "emulated-registry" });
    expect(claims.exp - claims.iat).toBe(300);
    expect(claims.access).toEqual([{ type: "repository", name: "team/app", actions: ["pull"] }]);
  });

  test("anonymous requests get the anonymous grants; wrong passwords and unknown services are refused", async () => {
    const anonymous = await token(["repository:public/base:pull", "repository:team/app:pull"]);
    expect(anonymous.status).toBe(200);
    expect(decodeToken(anonymous.json.token).claims).toMatchObject({ sub: "", access: [{ type: "repository", name: "public/base", actions: ["pull"] }] });
    expect((await token(["repository:team/app:pull"], basic("reader", "wrong"))).status).toBe(401);
    expect((await token(["repository:team/app:pull"], "Bearer something"))).toMatchObject({ status: 401 });
    const wrongService = await request(`${emulator.realm}?service=other&scope=repository:team/app:pull`);
    expect(wrongService.statusCode).toBe(400);
    await wrongService.body.dump();
  });
});

test("scopes parse with slashes, colons, classes and several per value", () => {
  expect(parseScope("repository:team/sub/app:pull,push")).toEqual({ type: "repository", name: "team/sub/app", actions: ["pull", "push"] });
  expect(parseScope("repository:localhost:5000/app:pull")).toEqual({ type: "repository", name: "localhost:5000/app", actions: ["pull"] });
  expect(parseScope("registry:catalog:*")).toEqual({ type: "registry", name: "catalog", actions: ["*"] });
  expect(parseScope("repository(plugin):a/b:pull")).toEqual({ type: "repository", class: "plugin", name: "a/b", actions: ["pull"] });
  for (const bad of ["", "repository", "repository:app", "repository::pull", ":app:pull", "repository:app:", "repo sitory:app:pull"]) {
    expect(parseScope(bad)).toBeNull();
  }
  expect(parseScopes(["repository:a:pull repository:b:push", "bogus", "registry:catalog:*"]).map((s) => s.name)).toEqual(["a", "b", "catalog"]);
});

describe("drydock's DistributionClient through the emulator", () => {
  const client = (username: string, trustedOrigins: string[] = [], url = emulator.url) => {
    const c = new DistributionClient(
      { url, insecure: true, caCertificate: null, credentials: { username, secret: USERS[username] }, trustedOrigins },
      { retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } },
    );
    clients.push(c);
    return c;
  };

  test("lists tags, fetches a manifest and lists the catalog with Basic credentials the token service accepts", async () => {
    const reader = client("reader");
    expect(await reader.ping()).toEqual({ status: 200, auth: "bearer" });
    const tags: string[] = [];
    for await (const tag of reader.tags("team/app")) tags.push(tag);
    expect(tags.sort()).toEqual(["1.0", "2.0"]);
    expect((await reader.getManifest("team/app", "1.0")).digest).toBe(app.manifestDigest);
    const repositories: string[] = [];
    for await (const repository of client("admin").repositories(1)) repositories.push(repository); // page size 1: Link headers through the proxy
    expect(repositories).toEqual(["secret/db", "team/app"]);
    expect(emulator.requests().filter((r) => r.path === "/v2/_catalog" && r.query.get("last") === "secret/db")).not.toHaveLength(0);
    const tokenRequests = emulator.requests().filter((r) => r.path === "/service/token" && r.authorization === basic("reader", USERS.reader));
    expect(tokenRequests.length).toBeGreaterThan(0);
  });

  test("with the token service on a separate origin, credentials go there only when trusted", async () => {
    const separate = await startEmulator({ service: "hub", tokenServer: "separate", tokenPath: "/token", authorize });
    try {
      expect(separate.realm).toBe(`${separate.tokenServer.url}/token`);
      await pushImage(separate.pushTarget(), "team/app", "1.0", { format: "oci", layers: [BASE_LAYER] });
      const trusted = client("reader", [separate.tokenServer.url], separate.url);
      expect((await trusted.getManifest("team/app", "1.0")).digest).toBeDefined();
      expect(separate.tokenServer.requests().some((r) => r.authorization === basic("reader", USERS.reader))).toBe(true);

      separate.tokenServer.clearRequests();
      const untrusted = client("reader", [], separate.url);
      await expect(untrusted.getManifest("team/app", "1.0")).rejects.toMatchObject({ code: "REGISTRY_UNAUTHORIZED" }); // anonymous token: no pull on team/app
      assertNoSecret(separate.tokenServer.requests(), USERS.reader, "reader");
      expect(separate.tokenServer.requests().length).toBeGreaterThan(0);
    } finally {
      await separate.stop();
    }
  }, 60_000);
});

describe("emulator server", () => {
  test("routes bind raw and once-decoded segments (Harbor's double-encoded slashes), unmatched paths get 404", async () => {
    const server = await startEmulatorServer();
    try {
      server.route("GET", "/api/projects/:project/repositories/:repository/*rest", ({ res, params, rawParams }) =>
        sendJson(res, 200, { params, rawParams }),
      );
      const answer = await request(`${server.url}/api/projects/team/repositories/a%252Fb/artifacts/x?page=2`);
      expect(await answer.body.json()).toEqual({
        params: { project: "team", repository: "a%2Fb", rest: "artifacts/x" },
        rawParams: { project: "team", repository: "a%252Fb", rest: "artifacts/x" },
      });
      const missing = await request(`${server.url}/api/projects`, { method: "POST" });
      expect(missing.statusCode).toBe(404);
      await missing.body.dump();
      const [first] = server.requests();
      expect(first).toMatchObject({ method: "GET", path: "/api/projects/team/repositories/a%252Fb/artifacts/x" });
      expect(first.query.get("page")).toBe("2");
    } finally {
      await server.stop();
    }
  });
});

describe("leak recorder", () => {
  test("records method, URL, headers and body, answers as told, and assertNoSecret finds the secret in each place", async () => {
    const recorder = await startLeakRecorder();
    try {
      const first = await request(`${recorder.url}/token?scope=x`, { headers: { authorization: basic("bob", "hunter2") } });
      expect(first.statusCode).toBe(200);
      expect(await first.body.json()).toMatchObject({ token: "leak-recorder-token" });
      recorder.answer({ status: 401, headers: { "www-authenticate": 'Bearer realm="x"' } });
      const second = await request(`${recorder.url}/upload`, { method: "POST", body: "password=hunter2" });
      expect(second.statusCode).toBe(401);
      expect(second.headers["www-authenticate"]).toBe('Bearer realm="x"');
      await second.body.dump();

      const [withHeader, withBody] = recorder.requests();
      expect(withHeader).toMatchObject({ method: "GET", url: "/token?scope=x", authorization: basic("bob", "hunter2") });
      expect(withBody.body?.toString()).toBe("password=hunter2");
      expect(() => assertNoSecret([withHeader], "hunter2")).toThrow("authorization header of GET /token");
      expect(() => assertNoSecret([withBody], "hunter2")).toThrow("body of POST /upload");
      expect(() => assertNoSecret([{ ...withBody, body: undefined, url: "/x?p=hunter%232" }], "hunter#2")).toThrow("URL");
      expect(() => assertNoSecret(recorder.requests(), "other-secret", "bob")).not.toThrow();
    } finally {
      await recorder.stop();
    }
  });
});
