/**
 * The fault-injecting proxy (fault-proxy.ts) in front of the real registry:
 * transparent at rate 0, reproducible with a seed, never more consecutive
 * faults per key than asked, and Retry-After measured.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { Agent, request } from "undici";
import { MANIFEST_ACCEPT, MediaTypes, buildLayer, file, sha256 } from "./image-builder";
import { basicAuth, pushImage, registryRequest } from "./push";
import { startRegistry, type RunningRegistry } from "./registry-server";
import { rewriteResponseHeader, startFaultProxy, type Fault, type FaultEvent, type FaultProxy, type FaultProxyOptions } from "./fault-proxy";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Everything started here, stopped in afterEach/afterAll even when a test fails. */
const proxies: FaultProxy[] = [];
async function proxy(options: Partial<FaultProxyOptions> & { target: string }): Promise<FaultProxy> {
  const started = await startFaultProxy({ seed: 1, rate: 0, faults: [], maxConsecutive: 3, ...options });
  proxies.push(started);
  return started;
}
afterEach(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.stop()));
});

const dispatcher = new Agent({ keepAliveTimeout: 1000 });
afterAll(async () => {
  await dispatcher.close();
});

interface Outcome {
  status: number | "error";
  code?: string;
  headers: Record<string, string>;
  body: Buffer;
}

/** One request; a socket error is an outcome, not an exception. */
async function call(base: string, method: string, path: string, headers: Record<string, string> = {}): Promise<Outcome> {
  try {
    const answer = await request(new URL(path, base), { method: method as "GET", headers, dispatcher });
    const body = method === "HEAD" ? (await answer.body.dump(), Buffer.alloc(0)) : Buffer.from(await answer.body.arrayBuffer());
    const flat: Record<string, string> = {};
    for (const [k, v] of Object.entries(answer.headers)) if (v !== undefined) flat[k] = Array.isArray(v) ? v.join(", ") : v;
    return { status: answer.statusCode, headers: flat, body };
  } catch (error) {
    return { status: "error", code: (error as { code?: string }).code, headers: {}, body: Buffer.alloc(0) };
  }
}

/** The longest run of faults per key, from the proxy's log. */
function longestRuns(log: FaultEvent[]): Map<string, number> {
  const current = new Map<string, number>();
  const longest = new Map<string, number>();
  for (const event of log) {
    const run = event.fault ? (current.get(event.key) ?? 0) + 1 : 0;
    current.set(event.key, run);
    longest.set(event.key, Math.max(longest.get(event.key) ?? 0, run));
  }
  return longest;
}

describe("fault proxy in front of the real registry", () => {
  let registry: RunningRegistry;
  const repo = "faults/app";
  const paths: string[] = [];

  beforeAll(async () => {
    registry = await startRegistry();
    // A few images straight into the registry, for the read paths below.
    for (const tag of ["1.0", "1.1", "2.0"]) {
      const pushed = await pushImage(registry, repo, tag, {
        layers: [buildLayer([file("app/version", `${tag}\n`)])],
        config: { created: "2024-03-04T05:06:07Z" },
      });
      paths.push(`/v2/${repo}/manifests/${tag}`, `/v2/${repo}/blobs/${pushed.configDigest}`);
    }
    paths.push("/v2/", "/v2/_catalog", "/v2/_catalog?n=1", `/v2/${repo}/tags/list`);
  });
  afterAll(async () => {
    await registry?.stop();
  });

  test("at rate 0 it is transparent: a push through it (upload via the rewritten Location) reads back byte for byte", async () => {
    const p = await proxy({ target: registry.url, seed: 9, rate: 0, faults: ["429", "500", "reset"] });
    expect(p.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const target = { url: p.url };

    // Location of an upload session points at the proxy, not at the registry.
    const session = await registryRequest(target, "POST", "/v2/through/proxy/blobs/uploads/");
    expect(session.status).toBe(202);
    expect(session.headers.location.startsWith(`${p.url}/v2/through/proxy/blobs/uploads/`)).toBe(true);
    expect(session.headers.location).not.toContain(registry.host);

    // 6 MiB of incompressible bytes: streamed both ways without damage.
    const big = buildLayer([file("data/random.bin", randomBytes(6 * 1024 * 1024))], { compression: "none" });
    const small = buildLayer([file("etc/hello", "hello\n")]);
    const pushed = await pushImage(target, "through/proxy", "v1", {
      format: "oci",
      layers: [small, big],
      config: { created: "2024-01-02T03:04:05Z" },
    });

    const log = p.log();
    const uploads = log.filter((e) => e.method === "PUT" && e.path.startsWith("/v2/through/proxy/blobs/uploads/"));
    expect(uploads).toHaveLength(3); // config + two layers, all through the proxy
    expect(log.every((e) => e.fault === null)).toBe(true);
    expect(p.stats().faults).toEqual({ "429": 0, "500": 0, "503": 0, reset: 0, slow: 0 });

    // Read back through the proxy, and straight from the registry: the same bytes.
    for (const base of [p.url, registry.url]) {
      const manifest = await call(base, "GET", "/v2/through/proxy/manifests/v1", { accept: MANIFEST_ACCEPT });
      expect(manifest.status).toBe(200);
      expect(manifest.headers["content-type"]).toBe(MediaTypes.ociManifest);
      expect(sha256(manifest.body)).toBe(pushed.manifestDigest);
      expect(manifest.headers["docker-content-digest"]).toBe(pushed.manifestDigest);
      for (const blob of [pushed.image.config, small, big]) {
        const answer = await call(base, "GET", `/v2/through/proxy/blobs/${blob.digest}`);
        expect(answer.status).toBe(200);
        expect(answer.body.equals(blob.bytes)).toBe(true);
      }
      const head = await call(base, "HEAD", `/v2/through/proxy/blobs/${big.digest}`);
      expect(head.status).toBe(200);
      expect(Number(head.headers["content-length"])).toBe(big.size);
    }

    // Pagination Link passes through (the registry writes it relative) and its query reaches the registry.
    const page = await call(p.url, "GET", "/v2/_catalog?n=1");
    expect(page.status).toBe(200);
    expect(JSON.parse(page.body.toString()).repositories).toHaveLength(1);
    expect(page.headers.link).toMatch(/^<\/v2\/_catalog\?.*>; rel="next"$/);

    const stats = p.stats();
    expect(stats.requests).toBe(p.log().length);
    expect(stats.byKey.get("GET /v2/_catalog?n=1")).toBe(1);
  });

  test("headers and credentials pass through to an authenticated registry", async () => {
    const secured = await startRegistry({ auth: { username: "ci", password: "pw" } });
    try {
      const p = await proxy({ target: secured.url });
      const anonymous = await call(p.url, "GET", "/v2/");
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers["www-authenticate"]).toBe('Basic realm="drydock-test-registry"');
      const wrong = await call(p.url, "GET", "/v2/", { authorization: basicAuth({ username: "ci", password: "nope" }) });
      expect(wrong.status).toBe(401);
      const right = await call(p.url, "GET", "/v2/", { authorization: basicAuth({ username: "ci", password: "pw" }) });
      expect(right.status).toBe(200);
      expect(right.headers["docker-distribution-api-version"]).toBe("registry/2.0");
    } finally {
      await secured.stop();
    }
  });

  test("the same seed gives the same fault sequence; another seed another; concurrency does not change a key's fate", async () => {
    const faults: Fault[] = ["429", "500", "503", "reset", "slow"];
    const options = { target: registry.url, rate: 0.5, faults, maxConsecutive: 3, slowMs: 20 };
    const requests = [...paths, ...paths, ...paths]; // each key three times
    const run = async (seed: number) => {
      const p = await proxy({ ...options, seed });
      const outcomes: (number | "error")[] = [];
      for (const path of requests) outcomes.push((await call(p.url, "GET", path)).status);
      return { outcomes, faults: p.log().map((e) => `${e.key} ${e.fault ?? "-"}`), stats: p.stats() };
    };

    const first = await run(42);
    const second = await run(42);
    expect(second.faults).toEqual(first.faults);
    expect(second.outcomes).toEqual(first.outcomes);
    const injected = Object.values(first.stats.faults).reduce((a, b) => a + b, 0);
    expect(injected).toBeGreaterThan(requests.length * 0.25);
    expect(injected).toBeLessThan(requests.length * 0.75);
    // Every kind turns up, and a fault status or a socket error is what the client sees.
    for (const kind of faults) expect(first.stats.faults[kind]).toBeGreaterThan(0);
    expect(first.outcomes).toContain("error");
    expect(first.outcomes).toContain(429);

    const other = await run(43);
    expect(other.faults).not.toEqual(first.faults);

    // All at once, in reverse order: per key, the same faults as the sequential run.
    const p = await proxy({ ...options, seed: 42 });
    await Promise.all([...requests].reverse().map((path) => call(p.url, "GET", path)));
    const perKey = (lines: string[]) => {
      const byKey = new Map<string, string[]>();
      for (const line of lines) {
        const at = line.lastIndexOf(" ");
        const key = line.slice(0, at);
        byKey.set(key, [...(byKey.get(key) ?? []), line.slice(at + 1)]);
      }
      return byKey;
    };
    expect(perKey(p.log().map((e) => `${e.key} ${e.fault ?? "-"}`))).toEqual(perKey(first.faults));
  });

  test("a key never gets more than maxConsecutive faults in a row, so a client with that retry budget gets through", async () => {
    // rate 1: the cap alone decides — fault, fault, pass, fault, fault, pass.
    const always = await proxy({ target: registry.url, seed: 5, rate: 1, faults: ["500"], maxConsecutive: 2 });
    const statuses: (number | "error")[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await call(always.url, "GET", "/v2/")).status);
    expect(statuses).toEqual([500, 500, 200, 500, 500, 200]);

    // rate 0.9 with every kind of failure: a client retrying up to the budget always succeeds.
    const budget = 3;
    const p = await proxy({
      target: registry.url,
      seed: 77,
      rate: 0.9,
      faults: ["429", "500", "503", "reset"],
      maxConsecutive: budget,
      retryAfterSeconds: 0,
    });
    for (const path of [...paths, ...paths]) {
      let answer: Outcome | undefined;
      for (let attempt = 0; attempt <= budget; attempt++) {
        answer = await call(p.url, "GET", path);
        if (answer.status !== "error" && answer.status < 429) break;
      }
      expect([path, answer!.status]).toEqual([path, 200]);
    }
    const stats = p.stats();
    expect(stats.maxConsecutiveSeen).toBe(budget); // reached, never passed
    const runs = longestRuns(p.log());
    expect([...runs].filter(([, run]) => run > budget)).toEqual([]);
    expect(Math.max(...runs.values())).toBe(budget);
    expect(Object.values(stats.faults).reduce((a, b) => a + b, 0)).toBeGreaterThan(paths.length);
  });

  test("429 carries Retry-After and a distribution error body; 500 and 503 have error bodies", async () => {
    const statusOf = async (fault: Fault) => {
      const p = await proxy({ target: registry.url, rate: 1, faults: [fault], maxConsecutive: 1, retryAfterSeconds: 7 });
      const answer = await call(p.url, "GET", `/v2/${repo}/tags/list`);
      const again = await call(p.url, "GET", `/v2/${repo}/tags/list`); // the cap lets the next one through
      expect(again.status).toBe(200);
      return answer;
    };
    const limited = await statusOf("429");
    expect(limited.status).toBe(429);
    expect(limited.headers["retry-after"]).toBe("7");
    expect(limited.headers["content-type"]).toMatch(/^application\/json/);
    expect(JSON.parse(limited.body.toString())).toEqual({
      errors: [{ code: "TOOMANYREQUESTS", message: expect.any(String), detail: expect.anything() }],
    });

    const unavailable = await statusOf("503");
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers["retry-after"]).toBe("7");
    expect(JSON.parse(unavailable.body.toString()).errors[0].code).toBe("UNAVAILABLE");

    const broken = await statusOf("500");
    expect(broken.status).toBe(500);
    expect(broken.headers["retry-after"]).toBeUndefined();
    expect(JSON.parse(broken.body.toString()).errors[0].code).toBe("UNKNOWN");

    // A HEAD gets the status and headers, no body.
    const p = await proxy({ target: registry.url, rate: 1, faults: ["429"], maxConsecutive: 1 });
    const head = await call(p.url, "HEAD", `/v2/${repo}/manifests/1.0`);
    expect(head.status).toBe(429);
    expect(head.headers["retry-after"]).toBe("1");
  });

  test("a fault on an upload does not reach the registry, and the retried PUT completes it", async () => {
    const p = await proxy({
      target: registry.url,
      rate: 1,
      faults: ["500"],
      maxConsecutive: 1,
      only: ({ method }) => method === "PUT",
    });
    const blob = buildLayer([file("upload/me", randomBytes(256 * 1024))], { compression: "none" });
    const session = await registryRequest({ url: p.url }, "POST", "/v2/faults/upload/blobs/uploads/");
    expect(session.status).toBe(202);
    const location = new URL(session.headers.location);
    location.searchParams.set("digest", blob.digest);
    const put = () =>
      request(location, { method: "PUT", headers: { "content-type": "application/octet-stream" }, body: blob.bytes, dispatcher });
    const first = await put();
    expect(first.statusCode).toBe(500);
    await first.body.dump();
    const second = await put();
    expect(second.statusCode).toBe(201);
    await second.body.dump();
    expect(second.headers["docker-content-digest"]).toBe(blob.digest);
    const back = await call(registry.url, "GET", `/v2/faults/upload/blobs/${blob.digest}`);
    expect(back.body.equals(blob.bytes)).toBe(true);
    // `only` kept the POST out of the schedule.
    expect(p.log().map((e) => [e.method, e.eligible, e.fault])).toEqual([
      ["POST", false, null],
      ["PUT", true, "500"],
      ["PUT", true, null],
    ]);
  });

  test("a reset is a socket error for the client", async () => {
    const p = await proxy({ target: registry.url, rate: 1, faults: ["reset"], maxConsecutive: 1 });
    await expect(request(`${p.url}/v2/`, { dispatcher })).rejects.toMatchObject({
      code: expect.stringMatching(/^(ECONNRESET|UND_ERR_SOCKET|EPIPE)$/),
    });
    expect((await call(p.url, "GET", "/v2/")).status).toBe(200); // and the next one goes through
    expect(p.stats().faults.reset).toBe(1);
  });

  test("slow holds back the headers, or dribbles the body, by slowMs", async () => {
    const [config] = paths.filter((path) => path.includes("/blobs/"));
    for (const slowMode of ["headers", "body"] as const) {
      const p = await proxy({ target: registry.url, rate: 1, faults: ["slow"], maxConsecutive: 1, slowMs: 300, slowMode });
      const started = performance.now();
      const answer = await request(`${p.url}${config}`, { dispatcher });
      const headersAfter = performance.now() - started;
      const body = Buffer.from(await answer.body.arrayBuffer());
      const bodyAfter = performance.now() - started;
      expect(answer.statusCode).toBe(200);
      expect(sha256(body)).toBe(config.split("/").pop());
      if (slowMode === "headers") expect(headersAfter).toBeGreaterThanOrEqual(290);
      else expect(headersAfter).toBeLessThan(250);
      expect(bodyAfter).toBeGreaterThanOrEqual(290);
      expect(p.log()[0]).toMatchObject({ fault: "slow", slowMode });
      const fast = performance.now();
      await call(p.url, "GET", config); // the cap: the next one is not slowed
      expect(performance.now() - fast).toBeLessThan(250);
    }
  });

  test("retryAfterViolations counts a client that retries too soon, not one that waits", async () => {
    const p = await proxy({ target: registry.url, rate: 1, faults: ["429"], maxConsecutive: 1, retryAfterSeconds: 1 });

    // Impatient: retries at once.
    expect((await call(p.url, "GET", `/v2/${repo}/tags/list`)).status).toBe(429);
    expect((await call(p.url, "GET", `/v2/${repo}/tags/list`)).status).toBe(200);
    expect(p.retryAfterViolations()).toBe(1);

    // Patient: waits what Retry-After says.
    const limited = await call(p.url, "GET", "/v2/_catalog");
    expect(limited.status).toBe(429);
    await sleep(Number(limited.headers["retry-after"]) * 1000);
    expect((await call(p.url, "GET", "/v2/_catalog")).status).toBe(200);
    expect(p.retryAfterViolations()).toBe(1);
    expect(p.log().map((e) => e.retryAfterViolation)).toEqual([false, true, false, false]);
  });

  test("stop() closes the listener and open connections, even with a response in flight", async () => {
    const p = await startFaultProxy({ target: registry.url, seed: 1, rate: 1, faults: ["slow"], maxConsecutive: 5, slowMs: 10_000, slowMode: "headers" });
    const inFlight = call(p.url, "GET", "/v2/");
    await sleep(50);
    const started = performance.now();
    await p.stop();
    expect(performance.now() - started).toBeLessThan(1000);
    expect((await inFlight).status).toBe("error");
    expect((await call(p.url, "GET", "/v2/")).code).toBe("ECONNREFUSED");
    await p.stop(); // twice is fine
  });
});

describe("URL rewriting", () => {
  test("Location, Link and the WWW-Authenticate realm that name the target are made to name the proxy", () => {
    const target = new URL("http://127.0.0.1:5000");
    const proxyOrigin = "http://127.0.0.1:6000";
    const rewrite = (name: string, value: string) => rewriteResponseHeader(name, value, target, proxyOrigin);
    expect(rewrite("Location", "http://127.0.0.1:5000/v2/a/blobs/uploads/x?_state=y")).toBe("http://127.0.0.1:6000/v2/a/blobs/uploads/x?_state=y");
    expect(rewrite("location", "http://localhost:5000/v2/a")).toBe("http://127.0.0.1:6000/v2/a");
    expect(rewrite("Location", "/v2/a/blobs/uploads/x")).toBe("/v2/a/blobs/uploads/x");
    expect(rewrite("Location", "https://cdn.example.invalid/blob")).toBe("https://cdn.example.invalid/blob");
    expect(rewrite("Link", '<http://127.0.0.1:5000/v2/_catalog?last=a&n=1>; rel="next"')).toBe('<http://127.0.0.1:6000/v2/_catalog?last=a&n=1>; rel="next"');
    expect(rewrite("WWW-Authenticate", 'Bearer realm="http://127.0.0.1:5000/token",service="registry",scope="repository:a:pull"')).toBe(
      'Bearer realm="http://127.0.0.1:6000/token",service="registry",scope="repository:a:pull"',
    );
    expect(rewrite("WWW-Authenticate", 'Bearer realm="https://auth.example.invalid/token",service="http://127.0.0.1:5000"')).toBe(
      'Bearer realm="https://auth.example.invalid/token",service="http://127.0.0.1:5000"',
    );
    expect(rewrite("Content-Type", "http://127.0.0.1:5000")).toBe("http://127.0.0.1:5000");
  });

  test("end to end against an upstream that answers with absolute URLs", async () => {
    let seen: http.IncomingHttpHeaders = {};
    let origin = "";
    const upstream = http.createServer((req, res) => {
      seen = req.headers;
      res.setHeader("Location", `${origin}/v2/x/blobs/uploads/1`);
      res.setHeader("Link", `<${origin}/v2/_catalog?last=b&n=2>; rel="next"`);
      res.setHeader("WWW-Authenticate", [`Bearer realm="${origin}/token",service="t"`, 'Basic realm="plain"']);
      res.setHeader("X-Echo", req.url ?? "");
      res.end("ok");
    });
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    try {
      const p = await proxy({ target: origin });
      const answer = await request(`${p.url}/v2/_catalog?n=2&last=a`, {
        headers: { "x-custom": "yes", authorization: "Bearer abc" },
        dispatcher,
      });
      expect(await answer.body.text()).toBe("ok");
      expect(answer.headers.location).toBe(`${p.url}/v2/x/blobs/uploads/1`);
      expect(answer.headers.link).toBe(`<${p.url}/v2/_catalog?last=b&n=2>; rel="next"`);
      expect(answer.headers["www-authenticate"]).toEqual([`Bearer realm="${p.url}/token",service="t"`, 'Basic realm="plain"']);
      expect(answer.headers["x-echo"]).toBe("/v2/_catalog?n=2&last=a");
      expect(seen.host).toBe(origin.replace("http://", ""));
      expect(seen["x-custom"]).toBe("yes");
      expect(seen.authorization).toBe("Bearer abc");
    } finally {
      await Promise.all(proxies.splice(0).map((p) => p.stop()));
      upstream.closeAllConnections();
      await new Promise<void>((resolve) => upstream.close(() => resolve()));
    }
  });

  test("an upstream that is down gives 502 with an error body", async () => {
    const down = http.createServer();
    await new Promise<void>((resolve) => down.listen(0, "127.0.0.1", resolve));
    const origin = `http://127.0.0.1:${(down.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => down.close(() => resolve()));
    const p = await proxy({ target: origin });
    const answer = await call(p.url, "GET", "/v2/");
    expect(answer.status).toBe(502);
    expect(JSON.parse(answer.body.toString()).errors[0].message).toMatch(/ECONNREFUSED/);
  });
});
