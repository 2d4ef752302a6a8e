/**
 * Credentials provided lazily (a `CredentialsSource`): asked for at each use,
 * so a refreshed short-lived secret replaces the old one; never asked for
 * where credentials may not go; redacted from messages like fixed ones.
 */
import { DistributionClient } from "./client";
import type { CredentialsSource, RegistryCredentials } from "./endpoint";
import { FakeRegistry, TokenStore, tokenService } from "./test-support/fake-registry";
import { basic, closeAll, sendError, startServer } from "./test-support/servers";
import { failure } from "./test-support/results";
import { RegistryError } from "../errors";

const clients: DistributionClient[] = [];

/** A source whose current secret tests change, counting how often it is asked. */
function rotatingSource(first: string): { source: CredentialsSource; calls: () => number; rotate: (next: string) => void } {
  let current: RegistryCredentials = { username: "iam", secret: first };
  let calls = 0;
  return {
    source: async () => {
      calls++;
      return current;
    },
    calls: () => calls,
    rotate: (next) => (current = { username: "iam", secret: next }),
  };
}

function client(url: string, source: CredentialsSource, trustedOrigins: string[] = []): DistributionClient {
  const c = new DistributionClient(
    { url, insecure: true, caCertificate: null, credentials: source, trustedOrigins },
    { retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } },
  );
  clients.push(c);
  return c;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await closeAll();
});

test("Basic: each request carries the source's current secret, so a refreshed one replaces the old", async () => {
  const fake = new FakeRegistry({ kind: "basic", username: "iam", secret: "token-1" });
  fake.putImage("crp1/api", ["1.0"]);
  const registry = await startServer(fake.handler);
  const { source, rotate, calls } = rotatingSource("token-1");
  const c = client(registry.url, source);

  expect(await c.ping()).toMatchObject({ auth: "basic" });
  rotate("token-2");
  fake.auth = { kind: "basic", username: "iam", secret: "token-2" }; // the old token no longer works
  expect((await c.getManifest("crp1/api", "1.0")).kind).toBe("image");

  const sent = registry.requests.map((r) => r.headers.authorization).filter(Boolean);
  expect(sent[0]).toBe(basic("iam", "token-1"));
  expect(sent[sent.length - 1]).toBe(basic("iam", "token-2"));
  expect(calls()).toBeGreaterThanOrEqual(2);
});

test("Bearer: the registry's own token service gets the current secret; a foreign realm never makes the source be asked", async () => {
  const tokens = new TokenStore();
  const own = new FakeRegistry();
  const registry = await startServer(own.handler);
  const service = tokenService({ tokens, users: { iam: "token-1" } });
  own.auth = { kind: "bearer", realm: () => `${registry.url}/token`, service: "cr", tokens };
  own.putImage("crp1/api", ["1.0"]);
  registry.handler = (req, res, server) => (req.url?.startsWith("/token") ? service(req, res, server) : own.handler(req, res, server));
  const ok = rotatingSource("token-1");
  await client(registry.url, ok.source).getManifest("crp1/api", "1.0");
  expect(registry.requests.filter((r) => r.url.startsWith("/token")).map((r) => r.headers.authorization)).toContain(basic("iam", "token-1"));

  const foreignTokens = new TokenStore();
  const realm = await startServer(tokenService({ tokens: foreignTokens, users: {}, permit: () => true }));
  const elsewhere = new FakeRegistry({ kind: "bearer", realm: () => `${realm.url}/token`, service: "cr", tokens: foreignTokens });
  elsewhere.putImage("crp1/api", ["1.0"]);
  const other = await startServer(elsewhere.handler);
  const lazy = rotatingSource("token-1");
  await client(other.url, lazy.source).getManifest("crp1/api", "1.0");
  expect(lazy.calls()).toBe(0);
  expect(JSON.stringify(realm.requests)).not.toContain(Buffer.from("iam:token-1").toString("base64"));
  expect(realm.requests.every((r) => r.headers.authorization === undefined)).toBe(true);
});

test("a secret from the source is redacted from the registry's error text", async () => {
  const registry = await startServer((req, res) => {
    const sent = Buffer.from((req.headers.authorization ?? "").replace(/^Basic /, ""), "base64").toString();
    if (!req.headers.authorization) {
      return sendError(res, 401, "UNAUTHORIZED", "login", { "www-authenticate": 'Basic realm="r"', "docker-distribution-api-version": "registry/2.0" });
    }
    sendError(res, 400, "UNSUPPORTED", `cannot serve ${sent}`);
  });
  const error = await failure(client(registry.url, rotatingSource("Very-Secret-IAM").source).ping());
  expect(error.message).toContain("[HIDDEN]");
  expect(error.message).not.toContain("Very-Secret-IAM");
});

test("a failing source fails the request with its own error", async () => {
  const fake = new FakeRegistry({ kind: "basic", username: "iam", secret: "x" });
  const registry = await startServer(fake.handler);
  const error = await failure(
    client(registry.url, async () => {
      throw new RegistryError("REGISTRY_UNAUTHORIZED", "the IAM service refused the OAuth token");
    }).ping(),
  );
  expect(error.code).toBe("REGISTRY_UNAUTHORIZED");
  expect(error.message).toMatch(/IAM service refused/);
});
