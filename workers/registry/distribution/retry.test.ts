/** Retries against local servers: 429 with Retry-After, 5xx, resets; budgets; nothing retried that cannot help. */
import { DistributionClient, type ClientOptions } from "./client";
import { FakeRegistry, TokenStore, tokenService } from "./test-support/fake-registry";
import { closeAll, pathOf, sendError, startServer, type Handler, type TestServer } from "./test-support/servers";
import type { RetryEvent } from "./retry";
import { failure } from "./test-support/results";

const clients: DistributionClient[] = [];

function client(server: TestServer, options: ClientOptions = {}): DistributionClient {
  const c = new DistributionClient(
    { url: server.url, insecure: true, caCertificate: null, credentials: null },
    { retry: { attempts: 4, baseDelayMs: 5, maxDelayMs: 20 }, ...options },
  );
  clients.push(c);
  return c;
}

/** Fails the first `n` requests with `fail`, then serves the fake registry. */
function flaky(fake: FakeRegistry, n: number, fail: Handler): Handler {
  let count = 0;
  return (req, res, s) => (count++ < n ? fail(req, res, s) : fake.handler(req, res, s));
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await closeAll();
});

describe("retried", () => {
  test("502, 503, 504 and 500 until the budget allows, then success", async () => {
    const fake = new FakeRegistry();
    fake.putImage("a", ["1"]);
    const statuses = [502, 503, 504];
    let i = 0;
    const server = await startServer(flaky(fake, 3, (_req, res) => sendError(res, statuses[i++], "UNAVAILABLE", "try later")));
    const events: RetryEvent[] = [];
    const c = client(server, { onRetry: (e) => events.push(e) });
    expect((await c.getManifest("a", "1")).kind).toBe("image");
    expect(events.map((e) => [e.attempt, e.status, e.code])).toEqual([
      [1, 502, "REGISTRY_UNREACHABLE"],
      [2, 503, "REGISTRY_UNREACHABLE"],
      [3, 504, "REGISTRY_UNREACHABLE"],
    ]);
    expect(server.requests).toHaveLength(4);
  });

  test("backoff grows exponentially with jitter (seeded)", async () => {
    const server = await startServer((_req, res) => sendError(res, 500, "UNKNOWN", "boom"));
    const events: RetryEvent[] = [];
    const c = client(server, { retry: { attempts: 4, baseDelayMs: 10, maxDelayMs: 25, random: () => 0.5 }, onRetry: (e) => events.push(e) });
    const error = await failure(c.ping());
    expect(error).toMatchObject({ code: "REGISTRY_UNREACHABLE", retryable: true, status: 500, message: expect.stringMatching(/after 4 attempts/) });
    expect(events.map((e) => e.delayMs)).toEqual([8, 15, 19]); // ¾ of 10, 20, min(40, 25)
  });

  test("429 with Retry-After in seconds is waited (measured)", async () => {
    const fake = new FakeRegistry();
    fake.putImage("a", ["1"]);
    const server = await startServer(flaky(fake, 1, (_req, res) => sendError(res, 429, "TOOMANYREQUESTS", "slow down", { "retry-after": "1" })));
    const started = Date.now();
    await client(server).getManifest("a", "1");
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(server.requests).toHaveLength(2);
  });

  test("503 with Retry-After as an HTTP date, relative to the injected clock", async () => {
    const fake = new FakeRegistry();
    const at = Date.parse("2024-03-01T12:00:00Z");
    const server = await startServer(flaky(fake, 1, (_req, res) => sendError(res, 503, "UNAVAILABLE", "maintenance", { "retry-after": new Date(at).toUTCString() })));
    const events: RetryEvent[] = [];
    const started = Date.now();
    await client(server, { now: () => at - 300, onRetry: (e) => events.push(e) }).ping();
    expect(events).toEqual([{ attempt: 1, delayMs: 300, code: "REGISTRY_UNREACHABLE", status: 503, retryAfter: true, operation: "check the registry" }]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  test("connection resets are retried", async () => {
    const fake = new FakeRegistry();
    fake.putImage("a", ["1"]);
    const server = await startServer(flaky(fake, 2, (req) => void req.socket.destroy()));
    expect((await client(server).getManifest("a", "1")).kind).toBe("image");
    expect(server.requests).toHaveLength(3);
  });

  test("a token service failing with 503 is retried too", async () => {
    const tokens = new TokenStore();
    const service = tokenService({ tokens, users: {}, permit: () => true });
    let realm = "";
    const fake = new FakeRegistry({ kind: "bearer", realm: () => realm, service: "svc", tokens });
    let failures = 1;
    const server = await startServer((req, res, s) => {
      if (pathOf(req) !== "/token") return fake.handler(req, res, s);
      if (failures-- > 0) return sendError(res, 503, "UNAVAILABLE", "token service down");
      return service(req, res, s);
    });
    realm = `${server.url}/token`;
    expect(await client(server).ping()).toMatchObject({ auth: "bearer" });
    expect(server.requests.filter((r) => r.url.startsWith("/token"))).toHaveLength(2);
  });
});

describe("given up", () => {
  test("429 exhausted: RATE_LIMITED carrying retryAfterMs (from Retry-After, else the next backoff)", async () => {
    const withHeader = await startServer((_req, res) => sendError(res, 429, "TOOMANYREQUESTS", "slow down", { "retry-after": "0" }));
    const error = await failure(client(withHeader, { retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 } }).ping());
    expect(error).toMatchObject({ code: "RATE_LIMITED", retryable: true, status: 429, retryAfterMs: 0, message: expect.stringMatching(/after 3 attempts/) });
    expect(withHeader.requests).toHaveLength(3);

    const without = await startServer((_req, res) => sendError(res, 429, "TOOMANYREQUESTS", "slow down"));
    const second = await failure(client(without, { retry: { attempts: 2, baseDelayMs: 100, maxDelayMs: 1000, random: () => 1 } }).ping());
    expect(second).toMatchObject({ code: "RATE_LIMITED", retryAfterMs: 200 });
  });

  test("a Retry-After beyond the cap is not waited: RATE_LIMITED at once, with the registry's wish", async () => {
    const server = await startServer((_req, res) => sendError(res, 429, "TOOMANYREQUESTS", "slow down", { "retry-after": "3600" }));
    const started = Date.now();
    const error = await failure(client(server, { retry: { attempts: 5, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 10_000 } }).ping());
    expect(error).toMatchObject({ code: "RATE_LIMITED", retryAfterMs: 3_600_000 });
    expect(server.requests).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  test("nothing is retried that cannot help: 400, 401, 403, 404, digest mismatch, TLS, protocol", async () => {
    const answers: Record<string, () => [number, string]> = {
      "/v2/a/tags/list": () => [404, "NAME_UNKNOWN"],
      "/v2/b/tags/list": () => [403, "DENIED"],
      "/v2/c/tags/list": () => [400, "NAME_INVALID"],
    };
    const server = await startServer((req, res) => {
      const answer = answers[pathOf(req)];
      if (answer) return sendError(res, ...answer(), "no");
      if (pathOf(req).includes("/manifests/")) return void res.writeHead(200, { "content-type": "application/json" }).end("{}");
      sendError(res, 401, "UNAUTHORIZED", "no", { "www-authenticate": 'Basic realm="x"' });
    });
    const c = client(server);
    const codes: string[] = [];
    for (const name of ["a", "b", "c"]) {
      codes.push(
        (
          await failure((async () => {
            for await (const _ of c.tags(name));
          })())
        ).code,
      );
    }
    codes.push((await failure(c.getManifest("d", "sha256:" + "0".repeat(64)))).code);
    codes.push((await failure(c.ping())).code);
    expect(codes).toEqual(["NAME_UNKNOWN", "REGISTRY_FORBIDDEN", "REGISTRY_PROTOCOL", "DIGEST_MISMATCH", "REGISTRY_UNAUTHORIZED"]);
    expect(server.requests).toHaveLength(5);
  });
});
