/** Listing, manifests, blobs, limits, error mapping and concurrency against local servers. */
import { createHash } from "node:crypto";
import type { ServerResponse } from "node:http";
import { DistributionClient, type ClientOptions } from "./client";
import type { RegistryEndpoint } from "./endpoint";
import { MANIFEST_ACCEPT, MediaTypes } from "./media-types";
import { FakeRegistry } from "./test-support/fake-registry";
import { closeAll, closedPort, pathOf, queryOf, sendError, sendJson, sha256, sleep, startServer, type TestServer, V2_HEADERS } from "./test-support/servers";
import { collect, failure, readAll } from "./test-support/results";
import { isRegistryError, type RegistryError } from "../errors";

const clients: DistributionClient[] = [];
const FAST: ClientOptions = { retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 5 } };

function client(url: string | TestServer, extra: Partial<RegistryEndpoint> = {}, options: ClientOptions = {}): DistributionClient {
  const c = new DistributionClient(
    { url: typeof url === "string" ? url : url.url, insecure: true, caCertificate: null, credentials: null, ...extra },
    { ...FAST, ...options },
  );
  clients.push(c);
  return c;
}

function drainOrClose(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await closeAll();
});

describe("ping", () => {
  test("a registry answers 200 with Docker-Distribution-API-Version, or JSON", async () => {
    expect(await client(await startServer(new FakeRegistry().handler)).ping()).toEqual({ status: 200, auth: "none" });
    const bare = await startServer((_req, res) => sendJson(res, 200, {}));
    expect(await client(bare).ping()).toEqual({ status: 200, auth: "none" });
  });

  test("an HTML page or a 404 is REGISTRY_PROTOCOL: not a registry", async () => {
    const html = await startServer((_req, res) => void res.writeHead(200, { "content-type": "text/html" }).end("<html>welcome</html>"));
    expect(await failure(client(html).ping())).toMatchObject({ code: "REGISTRY_PROTOCOL", retryable: false, message: expect.stringMatching(/not a registry/) });
    const missing = await startServer((_req, res) => void res.writeHead(404, { "content-type": "text/html" }).end("<html>not found</html>"));
    const error = await failure(client(missing).ping());
    expect(error).toMatchObject({ code: "REGISTRY_PROTOCOL", status: 404, message: expect.stringMatching(/not a registry/) });
    expect(missing.requests.map((r) => r.url)).toEqual(["/v2/"]);
  });

  test("a path prefix is kept (vendors serving /v2/ below a path); a trailing /v2 is tolerated", async () => {
    const server = await startServer((req, res) => (pathOf(req) === "/artifactory/api/docker/key/v2/" ? sendJson(res, 200, {}, V2_HEADERS) : sendError(res, 404, "X", "x")));
    await client(`${server.url}/artifactory/api/docker/key/`).ping();
    await client(`${server.url}/artifactory/api/docker/key/v2`).ping();
    expect(server.requests.map((r) => r.url)).toEqual(["/artifactory/api/docker/key/v2/", "/artifactory/api/docker/key/v2/"]);
  });

  test("connection refused is REGISTRY_UNREACHABLE (retryable), after the retry budget", async () => {
    const port = await closedPort();
    const retries: number[] = [];
    const error = await failure(client(`http://127.0.0.1:${port}`, {}, { onRetry: (e) => retries.push(e.attempt) }).ping());
    expect(error).toMatchObject({ code: "REGISTRY_UNREACHABLE", retryable: true, message: expect.stringMatching(/refused the connection \(after 2 attempts\)/) });
    expect(retries).toEqual([1]);
  });

  test("http:// without insecure is refused before any request", async () => {
    const server = await startServer(new FakeRegistry().handler);
    const c = client(server, { insecure: false });
    const error = await failure(c.ping());
    expect(error).toMatchObject({ code: "REGISTRY_TLS", retryable: false, message: expect.stringMatching(/only allowed when the integration is marked insecure/) });
    expect(await failure(c.getManifest("a", "1"))).toBe(error);
    expect(server.requests).toHaveLength(0);
  });

  test("a silent server times out: REGISTRY_UNREACHABLE", async () => {
    const server = await startServer(() => undefined); // never answers
    const error = await failure(client(server, {}, { requestTimeoutMs: 150, retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } }).ping());
    expect(error).toMatchObject({ code: "REGISTRY_UNREACHABLE", retryable: true, message: expect.stringMatching(/did not answer in time/) });
  });
  test("a server that stalls after its headers and part of the body times out too: REGISTRY_UNREACHABLE, the listing not hung", async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", ...V2_HEADERS });
      res.write(`{"repositories":["${"a".repeat(1024)}"`); // then silence, the connection left open
    });
    const listing = collect(client(server, {}, { requestTimeoutMs: 150, retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } }).repositories());
    expect(await failure(listing)).toMatchObject({ code: "REGISTRY_UNREACHABLE", retryable: true });
  });
});

describe("pagination", () => {
  test("tags/list: n, last and a relative Link across pages", async () => {
    const fake = new FakeRegistry();
    for (const tag of ["1.0", "1.1", "2.0", "2.1", "3.0"]) fake.putImage("team/api", [tag]);
    const server = await startServer(fake.handler);
    expect(await collect(client(server).tags("team/api", 2))).toEqual(["1.0", "1.1", "2.0", "2.1", "3.0"]);
    expect(server.requests.map((r) => r.url)).toEqual([
      "/v2/team/api/tags/list?n=2",
      "/v2/team/api/tags/list?last=1.1&n=2",
      "/v2/team/api/tags/list?last=2.1&n=2",
    ]);
  });

  test("_catalog: the same, and without n the server's page size applies", async () => {
    const fake = new FakeRegistry();
    fake.defaultPageSize = 2;
    for (const repo of ["a", "b/c", "d", "e/f/g"]) fake.putImage(repo, ["1"]);
    const server = await startServer(fake.handler);
    expect(await collect(client(server).repositories())).toEqual(["a", "b/c", "d", "e/f/g"]);
    expect(server.requests.map((r) => r.url)).toEqual(["/v2/_catalog", "/v2/_catalog?last=b%2Fc&n=2"]);
    expect(await collect(client(server).repositories(3))).toEqual(["a", "b/c", "d", "e/f/g"]);
  });

  test("the Link is resolved against the request URL, below a path prefix", async () => {
    const server = await startServer((req, res) => {
      const last = queryOf(req).get("last");
      if (pathOf(req) !== "/prefix/v2/a/tags/list") return sendError(res, 404, "NAME_UNKNOWN", "x");
      if (!last) return sendJson(res, 200, { name: "a", tags: ["1"] }, { link: '<list?last=1>; rel="next"' });
      sendJson(res, 200, { name: "a", tags: null });
    });
    expect(await collect(client(`${server.url}/prefix`).tags("a"))).toEqual(["1"]);
    expect(server.requests.map((r) => r.url)).toEqual(["/prefix/v2/a/tags/list", "/prefix/v2/a/tags/list?last=1"]);
  });

  test("a Link loop or a Link to another origin is REGISTRY_PROTOCOL", async () => {
    const loop = await startServer((_req, res) => sendJson(res, 200, { tags: ["x"] }, { link: '</v2/a/tags/list?last=x>; rel="next"' }));
    const seen: string[] = [];
    const error = await failure((async () => {
      for await (const tag of client(loop).tags("a")) seen.push(tag);
    })());
    expect(error).toMatchObject({ code: "REGISTRY_PROTOCOL", message: expect.stringMatching(/loop/) });
    expect(seen).toEqual(["x"]); // the second page points back at itself: refused before yielding
    const foreign = await startServer((_req, res) => sendJson(res, 200, { repositories: ["x"] }, { link: '<http://evil.example/v2/_catalog?last=x>; rel="next"' }));
    expect(await failure(collect(client(foreign).repositories()))).toMatchObject({ code: "REGISTRY_PROTOCOL", message: expect.stringMatching(/another origin/) });
  });

  test("NAME_UNKNOWN; invalid names are refused before any request; breaking off early is clean", async () => {
    const fake = new FakeRegistry();
    fake.putImage("a", ["1", "2", "3"]);
    const server = await startServer(fake.handler);
    const c = client(server, {}, { concurrency: 1 });
    expect(await failure(collect(c.tags("nope")))).toMatchObject({ code: "NAME_UNKNOWN", status: 404, retryable: false });
    expect(await failure(collect(c.tags("../a")))).toMatchObject({ code: "REGISTRY_PROTOCOL", message: expect.stringMatching(/invalid repository name/) });
    expect(server.requests).toHaveLength(1);
    for await (const _ of c.tags("a", 1)) break;
    expect(c.inFlight).toBe(0);
    expect((await c.getManifest("a", "1")).kind).toBe("image"); // the only permit is free
  });

  test("a page that is not a list of names is REGISTRY_PROTOCOL", async () => {
    const server = await startServer((_req, res) => sendJson(res, 200, { repositories: [1, 2] }));
    expect(await failure(collect(client(server).repositories()))).toMatchObject({ code: "REGISTRY_PROTOCOL" });
  });
});

describe("manifests", () => {
  function manifestServer(body: Buffer | string, headers: Record<string, string | number> = {}) {
    return startServer((req, res) => {
      res.writeHead(200, { "content-type": MediaTypes.ociManifest, "content-length": Buffer.byteLength(body), ...headers });
      res.end(req.method === "HEAD" ? undefined : body);
    });
  }

  test("by tag: Docker-Content-Digest verified, Accept lists the four types; by digest: verified against it", async () => {
    const fake = new FakeRegistry();
    const { digest } = fake.putImage("team/api", ["1.0"]);
    const index = fake.putManifest("team/api", ["multi"], { schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: [{ mediaType: MediaTypes.ociManifest, digest, size: 10, platform: { os: "linux", architecture: "amd64" } }] }, MediaTypes.ociIndex);
    const server = await startServer(fake.handler);
    const c = client(server);

    const byTag = await c.getManifest("team/api", "1.0");
    expect(byTag).toMatchObject({ digest, kind: "image", mediaType: MediaTypes.ociManifest });
    expect(sha256(byTag.bytes)).toBe(digest);
    expect(byTag.kind === "image" && byTag.json.layers).toHaveLength(1);
    expect(server.requests[0].headers.accept).toBe(MANIFEST_ACCEPT);
    for (const type of Object.values({ a: MediaTypes.dockerManifest, b: MediaTypes.ociManifest, c: MediaTypes.dockerManifestList, d: MediaTypes.ociIndex })) {
      expect(MANIFEST_ACCEPT).toContain(type);
    }

    const byDigest = await c.getManifest("team/api", digest);
    expect(byDigest.digest).toBe(digest);
    const list = await c.getManifest("team/api", "multi");
    expect(list).toMatchObject({ kind: "index", digest: index, mediaType: MediaTypes.ociIndex });
    expect(list.kind === "index" && list.json.manifests[0].platform).toEqual({ os: "linux", architecture: "amd64" });
  });

  test("content that does not match the digest asked for, or the header: DIGEST_MISMATCH", async () => {
    const real = JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: [] });
    const server = await manifestServer(real + " ", { "docker-content-digest": sha256(real) });
    const c = client(server);
    expect(await failure(c.getManifest("a", "latest"))).toMatchObject({ code: "DIGEST_MISMATCH", retryable: false });
    expect(await failure(c.getManifest("a", sha256(real)))).toMatchObject({ code: "DIGEST_MISMATCH" });
    expect(server.requests).toHaveLength(2); // not retried
  });

  test("sha512 digests verify; without a header a tag's digest is the sha256 of the bytes", async () => {
    const body = JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: [] });
    const sha512 = "sha512:" + createHash("sha512").update(body).digest("hex");
    const c = client(await manifestServer(body));
    expect((await c.getManifest("a", sha512)).digest).toBe(sha512);
    expect((await c.getManifest("a", "latest")).digest).toBe(sha256(body));
    expect(await failure(c.getManifest("a", "sha384:" + "a".repeat(96)))).toMatchObject({ code: "REGISTRY_PROTOCOL", message: expect.stringMatching(/unsupported/) });
  });

  test("size cap: a declared Content-Length over the limit is not read; a chunked body is cut off", async () => {
    const big = JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: [], annotations: { pad: "x".repeat(10_000) } });
    const declared = await manifestServer(big);
    const error = await failure(client(declared, {}, { maxManifestBytes: 1024 }).getManifest("a", "1"));
    expect(error).toMatchObject({ code: "RESPONSE_TOO_LARGE", retryable: false, message: expect.stringMatching(/limit of 1024 bytes/) });

    let written = 0;
    let ended = false;
    const endless = await startServer(async (_req, res) => {
      res.writeHead(200, { "content-type": MediaTypes.ociManifest }); // chunked, no length
      res.on("close", () => (ended = true));
      while (!res.destroyed && written < 50 * 1024 * 1024) {
        const chunk = Buffer.alloc(16 * 1024, 0x20);
        written += chunk.length;
        if (!res.write(chunk)) await drainOrClose(res);
      }
      res.end();
    });
    const cut = await failure(client(endless, {}, { maxManifestBytes: 64 * 1024 }).getManifest("a", "1"));
    expect(cut).toMatchObject({ code: "RESPONSE_TOO_LARGE", message: expect.stringMatching(/more than 65536 bytes/) });
    await sleep(50);
    expect(ended).toBe(true);
    expect(written).toBeLessThan(10 * 1024 * 1024); // the client hung up long before 50 MiB
  });

  test("garbage instead of a manifest is REGISTRY_PROTOCOL", async () => {
    const c = client(await manifestServer("<html>oops</html>"));
    expect(await failure(c.getManifest("a", "1"))).toMatchObject({ code: "REGISTRY_PROTOCOL", message: expect.stringMatching(/not valid JSON/) });
  });

  test("HEAD: digest, media type and size without the body; 404 is MANIFEST_UNKNOWN; missing headers fall back to GET", async () => {
    const fake = new FakeRegistry();
    const { digest } = fake.putImage("team/api", ["1.0"]);
    const server = await startServer(fake.handler);
    const c = client(server);
    const head = await c.headManifest("team/api", "1.0");
    expect(head).toEqual({ digest, mediaType: MediaTypes.ociManifest, size: fake.manifests.get("team/api")!.get(digest)!.bytes.length });
    expect(server.requests.map((r) => [r.method, r.headers.accept])).toEqual([["HEAD", MANIFEST_ACCEPT]]);
    expect(await failure(c.headManifest("team/api", "2.0"))).toMatchObject({ code: "MANIFEST_UNKNOWN", status: 404 });

    const body = JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: [] });
    const bare = await manifestServer(body); // no Docker-Content-Digest
    expect(await client(bare).headManifest("a", "latest")).toEqual({ digest: sha256(body), mediaType: MediaTypes.ociIndex, size: body.length });
    expect(bare.requests.map((r) => r.method)).toEqual(["HEAD", "GET"]);
  });
});

describe("blobs", () => {
  test("getJsonBlob: verified, capped, parsed; BLOB_UNKNOWN", async () => {
    const fake = new FakeRegistry();
    const { configDigest, config } = fake.putImage("a", ["1"]);
    const server = await startServer(fake.handler);
    const c = client(server);
    expect(await c.getJsonBlob("a", configDigest)).toEqual(config);
    expect(await failure(c.getJsonBlob("a", sha256("absent")))).toMatchObject({ code: "BLOB_UNKNOWN", status: 404 });
    fake.blobs.set(configDigest, Buffer.from('{"created":"tampered"}'));
    expect(await failure(c.getJsonBlob("a", configDigest))).toMatchObject({ code: "DIGEST_MISMATCH" });
    const big = fake.putBlob(JSON.stringify({ pad: "x".repeat(5000) }));
    expect(await failure(client(server, {}, { maxJsonBytes: 1000 }).getJsonBlob("a", big))).toMatchObject({ code: "RESPONSE_TOO_LARGE" });
  });

  test("openBlob streams: the first bytes arrive before the server has sent the rest", async () => {
    const chunk = Buffer.alloc(64 * 1024, 7);
    const total = Buffer.concat(Array.from({ length: 64 }, () => chunk)); // 4 MiB
    const digest = sha256(total);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const server = await startServer(async (_req, res) => {
      res.writeHead(200, { "content-length": total.length });
      res.write(chunk);
      await gate;
      for (let i = 1; i < 64; i++) if (!res.write(chunk)) await drainOrClose(res);
      res.end();
    });
    const c = client(server);
    const stream = await c.openBlob("a", digest);
    const hash = createHash("sha256");
    let received = 0;
    for await (const piece of stream) {
      if (received === 0) release(); // only now may the server go on
      hash.update(piece as Buffer);
      received += (piece as Buffer).length;
    }
    expect(received).toBe(total.length);
    expect(`sha256:${hash.digest("hex")}`).toBe(digest);
    expect(c.inFlight).toBe(0);
  });

  test("openBlob with the wrong content: an error event (DIGEST_MISMATCH), never a clean end", async () => {
    const server = await startServer((_req, res) => void res.writeHead(200).end("not what was asked for"));
    const stream = await client(server).openBlob("a", sha256("the real content"));
    let ended = false;
    stream.on("end", () => (ended = true));
    const error = await failure(readAll(stream));
    expect(error.code).toBe("DIGEST_MISMATCH");
    expect(ended).toBe(false);
  });

  test("openBlob: an abort signal stops the stream and frees the permit", async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200, { "content-length": 1_000_000 });
      res.write(Buffer.alloc(1000));
    });
    const c = client(server, {}, { concurrency: 1 });
    const controller = new AbortController();
    const stream = await c.openBlob("a", sha256("x"), controller.signal);
    expect(c.inFlight).toBe(1);
    const read = readAll(stream).catch((error: unknown) => error);
    controller.abort();
    expect(isRegistryError(await read)).toBe(false); // the caller's own abort, not a registry failure
    await sleep(10);
    expect(c.inFlight).toBe(0);
  });

  test("a connection reset mid-stream is an error (REGISTRY_UNREACHABLE, retryable)", async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200, { "content-length": 100_000 });
      res.write(Buffer.alloc(1000), () => res.destroy());
    });
    const error = await failure(readAll(await client(server).openBlob("a", sha256("x"))));
    expect(error).toMatchObject({ code: "REGISTRY_UNREACHABLE", retryable: true });
  });
});

describe("errors and concurrency", () => {
  test("the spec's error codes map to stable codes", async () => {
    const answers: Record<string, [number, string]> = {
      "/v2/a/manifests/m": [404, "MANIFEST_UNKNOWN"],
      "/v2/a/blobs/b": [404, "BLOB_UNKNOWN"],
      "/v2/a/tags/list": [404, "NAME_UNKNOWN"],
      "/v2/d/tags/list": [403, "DENIED"],
      "/v2/u/tags/list": [400, "UNAUTHORIZED"],
      "/v2/t/tags/list": [429, "TOOMANYREQUESTS"],
      "/v2/x/tags/list": [400, "PAGINATION_NUMBER_INVALID"],
    };
    const server = await startServer((req, res) => {
      const [status, code] = answers[pathOf(req)] ?? [404, "UNSUPPORTED"];
      sendError(res, status, code, `message for ${code}`, status === 429 ? { "retry-after": "0" } : {});
    });
    const c = client(server, {}, { retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
    const codeOf = async (p: Promise<unknown>) => (await failure(p)).code;
    expect(await codeOf(c.getManifest("a", "m"))).toBe("MANIFEST_UNKNOWN");
    expect(await codeOf(c.getJsonBlob("a", sha256("b")).catch((e: RegistryError) => Promise.reject(e)))).toBe("BLOB_UNKNOWN");
    expect(await codeOf(collect(c.tags("a")))).toBe("NAME_UNKNOWN");
    expect(await codeOf(collect(c.tags("d")))).toBe("REGISTRY_FORBIDDEN");
    expect(await codeOf(collect(c.tags("u")))).toBe("REGISTRY_UNAUTHORIZED");
    const limited = await failure(collect(c.tags("t")));
    expect(limited).toMatchObject({ code: "RATE_LIMITED", retryable: true, retryAfterMs: 0 });
    const invalid = await failure(collect(c.tags("x")));
    expect(invalid).toMatchObject({ code: "REGISTRY_PROTOCOL", status: 400, retryable: false });
    expect(invalid.message).toMatch(/^list the tags of x: GET http:\/\/127\.0\.0\.1:\d+\/v2\/x\/tags\/list: unexpected answer HTTP 400 \(PAGINATION_NUMBER_INVALID: message for PAGINATION_NUMBER_INVALID\)$/);
  });

  test("no more than `concurrency` requests in flight at once; streams hold their permit until closed", async () => {
    const fake = new FakeRegistry();
    const digests = Array.from({ length: 12 }, (_, i) => fake.putBlob(JSON.stringify({ i })));
    const server = await startServer(async (req, res, s) => {
      await sleep(30);
      return fake.handler(req, res, s);
    });
    const c = client(server, {}, { concurrency: 3 });
    const values = await Promise.all(digests.map((d) => c.getJsonBlob<{ i: number }>("a", d)));
    expect(values.map((v) => v.i)).toEqual(digests.map((_, i) => i));
    expect(server.maxInFlight).toBe(3);
    expect(c.inFlight).toBe(0);

    const streams = await Promise.all(digests.slice(0, 3).map((d) => c.openBlob("a", d)));
    expect(c.inFlight).toBe(3);
    let fourth = false;
    const pending = c.getJsonBlob("a", digests[3]).then(() => (fourth = true));
    await sleep(80);
    expect(fourth).toBe(false); // waits for a permit
    streams[0].destroy();
    await pending;
    await Promise.all(streams.slice(1).map(readAll));
    expect(c.inFlight).toBe(0);
  });

  test("close() ends the client: later calls reject", async () => {
    const server = await startServer(new FakeRegistry().handler);
    const c = client(server);
    await c.ping();
    await c.close();
    expect(await failure(c.ping())).toMatchObject({ code: "REGISTRY_UNREACHABLE", message: expect.stringMatching(/closed/) });
  });
});
