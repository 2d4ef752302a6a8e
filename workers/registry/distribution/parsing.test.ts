/** Pure parsing: WWW-Authenticate challenges, Link headers, Retry-After, backoff, digests, names, manifests. */
import { RegistryError } from "../errors";
import { parseChallenges, pickChallenge } from "./challenge";
import { digestOf, parseDigest } from "./digest";
import { Semaphore } from "./limits";
import { MediaTypes, parseManifest } from "./media-types";
import { nextPageUrl } from "./pagination";
import { isReference, isRepositoryName } from "./reference";
import { backoffDelay, parseRetryAfter } from "./retry";

describe("WWW-Authenticate", () => {
  test("Bearer with quoted params", () => {
    expect(parseChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"')).toEqual([
      {
        scheme: "bearer",
        params: { realm: "https://auth.docker.io/token", service: "registry.docker.io", scope: "repository:library/alpine:pull" },
      },
    ]);
  });

  test("scheme and parameter names are case-insensitive (Nexus sends BASIC)", () => {
    const [challenge] = parseChallenges('BASIC Realm="Sonatype Nexus Repository Manager"');
    expect(challenge.scheme).toBe("basic");
    expect(challenge.params.realm).toBe("Sonatype Nexus Repository Manager");
  });

  test("quoted values keep commas, spaces and escaped quotes; several scopes space-separated", () => {
    const [challenge] = parseChallenges(
      'Bearer realm="https://r.example.com/token?a=1,b=2", service = "a \\"quoted\\" svc", scope="repository:a:pull repository:b:pull",error="insufficient_scope"',
    );
    expect(challenge.params).toEqual({
      realm: "https://r.example.com/token?a=1,b=2",
      service: 'a "quoted" svc',
      scope: "repository:a:pull repository:b:pull",
      error: "insufficient_scope",
    });
  });

  test("several challenges in one header or in several headers; Bearer preferred", () => {
    const one = parseChallenges('Basic realm="x, y", Bearer realm="https://t/token",service=reg');
    expect(one.map((c) => c.scheme)).toEqual(["basic", "bearer"]);
    expect(one[1].params).toEqual({ realm: "https://t/token", service: "reg" });
    expect(pickChallenge(one)?.scheme).toBe("bearer");
    const many = parseChallenges(['Negotiate abc==', 'basic realm="harbor"']);
    expect(many.map((c) => c.scheme)).toEqual(["negotiate", "basic"]);
    expect(pickChallenge(many)?.scheme).toBe("basic");
    expect(pickChallenge(parseChallenges("Negotiate"))).toBeUndefined();
    expect(parseChallenges(undefined)).toEqual([]);
    expect(parseChallenges(" , ")).toEqual([]);
  });
});

describe("Link pagination", () => {
  const request = new URL("https://r.example.com/v2/_catalog?n=2");

  test("a relative next link resolves against the request URL", () => {
    expect(nextPageUrl('</v2/_catalog?last=team%2Fapi&n=2>; rel="next"', request)?.href).toBe("https://r.example.com/v2/_catalog?last=team%2Fapi&n=2");
    const prefixed = new URL("https://r.example.com/artifactory/api/docker/key/v2/tags/list");
    expect(nextPageUrl('<?last=b>; rel="next"', new URL("https://r.example.com/artifactory/api/docker/key/v2/a/tags/list"))?.href).toBe(
      "https://r.example.com/artifactory/api/docker/key/v2/a/tags/list?last=b",
    );
    expect(nextPageUrl("<https://r.example.com/v2/_catalog?last=x>; rel=next", prefixed)?.href).toBe("https://r.example.com/v2/_catalog?last=x");
  });

  test("only rel=next counts; none ⇒ last page", () => {
    expect(nextPageUrl('</v2/_catalog?last=a>; rel="prev", </v2/_catalog?last=z>; rel="next"', request)?.search).toBe("?last=z");
    expect(nextPageUrl('</v2/_catalog?last=a>; rel="prev"', request)).toBeUndefined();
    expect(nextPageUrl(['</a>; title="x, y"', '</b>; rel="first next"'], request)?.pathname).toBe("/b");
    expect(nextPageUrl(undefined, request)).toBeUndefined();
  });
});

describe("Semaphore", () => {
  test("first come, first served; a waiter that aborts leaves the queue; release is idempotent", async () => {
    const semaphore = new Semaphore(2);
    const a = await semaphore.acquire();
    const b = await semaphore.acquire();
    const order: string[] = [];
    const controller = new AbortController();
    const c = semaphore.acquire().then((release) => (order.push("c"), release));
    const aborted = semaphore.acquire(controller.signal).catch(() => order.push("aborted"));
    const d = semaphore.acquire().then((release) => (order.push("d"), release));
    controller.abort();
    await aborted;
    a();
    a(); // twice: no extra permit
    const releaseC = await c;
    expect(semaphore.inFlight).toBe(2);
    b();
    const releaseD = await d;
    expect(order).toEqual(["aborted", "c", "d"]);
    releaseC();
    releaseD();
    expect(semaphore.inFlight).toBe(0);
    expect(() => new Semaphore(0)).toThrow(RangeError);
  });
});

describe("Retry-After and backoff", () => {
  const now = Date.parse("2024-01-01T00:00:00Z");

  test("seconds or an HTTP date; garbage is ignored", () => {
    expect(parseRetryAfter("3", now)).toBe(3000);
    expect(parseRetryAfter(["0"], now)).toBe(0);
    expect(parseRetryAfter("Mon, 01 Jan 2024 00:00:05 GMT", now)).toBe(5000);
    expect(parseRetryAfter("Sun, 31 Dec 2023 23:00:00 GMT", now)).toBe(0); // in the past
    expect(parseRetryAfter("-1", now)).toBeUndefined();
    expect(parseRetryAfter("1.5", now)).toBeUndefined();
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  test("exponential with jitter between half and all of the ceiling, capped", () => {
    const options = { attempts: 10, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelay(1, { ...options, random: () => 0 })).toBe(50);
    expect(backoffDelay(1, { ...options, random: () => 1 })).toBe(100);
    expect(backoffDelay(3, { ...options, random: () => 0.5 })).toBe(300);
    expect(backoffDelay(8, { ...options, random: () => 1 })).toBe(1000);
    for (let i = 0; i < 50; i++) {
      const d = backoffDelay(2, options);
      expect(d).toBeGreaterThanOrEqual(100);
      expect(d).toBeLessThanOrEqual(200);
    }
  });
});

describe("digests, names and manifests", () => {
  test("sha256 and sha512 digests are verifiable; others are not", () => {
    const bytes = Buffer.from("hello");
    expect(parseDigest(digestOf(bytes))?.algorithm).toBe("sha256");
    expect(parseDigest(digestOf(bytes, "sha512"))?.hex).toHaveLength(128);
    expect(parseDigest("sha256:abc")).toBeNull();
    expect(parseDigest("md5:" + "a".repeat(32))).toBeNull();
    expect(parseDigest("SHA256:" + "a".repeat(64))).toBeNull();
    expect(parseDigest("constructor:" + "a".repeat(64))).toBeNull();
  });

  test("names and references that could escape the URL path are refused", () => {
    for (const good of ["alpine", "team/api", "a.b/c_d/e-f", "a__b", "Repo-Key/img"]) expect(isRepositoryName(good)).toBe(true);
    for (const bad of ["", "../x", "a/../b", "a//b", "/a", "a/", "a?b", "a%2fb", "-a", "a b", "x".repeat(256)]) expect(isRepositoryName(bad)).toBe(false);
    for (const good of ["latest", "1.0", "_x", "sha256:" + "a".repeat(64)]) expect(isReference(good)).toBe(true);
    for (const bad of ["", ".x", "-x", "a/b", "../x", "x".repeat(129), "a?b"]) expect(isReference(bad)).toBe(false);
  });

  test("manifests: type from mediaType, Content-Type or shape; schema 1 and garbage refused", () => {
    const config = { mediaType: MediaTypes.ociConfig, digest: "sha256:" + "a".repeat(64), size: 2 };
    const image = Buffer.from(JSON.stringify({ schemaVersion: 2, config, layers: [] }));
    expect(parseManifest(image, `${MediaTypes.dockerManifest}; charset=utf-8`)).toMatchObject({ kind: "image", mediaType: MediaTypes.dockerManifest });
    expect(parseManifest(image, "application/json")).toMatchObject({ kind: "image", mediaType: MediaTypes.ociManifest });
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.dockerManifestList, manifests: [config] }));
    expect(parseManifest(index, undefined)).toMatchObject({ kind: "index", mediaType: MediaTypes.dockerManifestList });
    const expectProtocol = (bytes: string, pattern: RegExp) => {
      let caught: unknown;
      try {
        parseManifest(Buffer.from(bytes), undefined);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(RegistryError);
      expect(caught).toMatchObject({ code: "REGISTRY_PROTOCOL", message: expect.stringMatching(pattern) });
    };
    expectProtocol("<html>", /not valid JSON/);
    expectProtocol("[]", /not a JSON object/);
    expectProtocol('{"schemaVersion":1,"fsLayers":[]}', /schemaVersion 1/);
    expectProtocol(JSON.stringify({ schemaVersion: 2, mediaType: "text/plain", config, layers: [] }), /unsupported media type/);
    expectProtocol(JSON.stringify({ schemaVersion: 2, config: { digest: "x" }, layers: [] }), /config descriptor/);
    expectProtocol(JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: {} }), /descriptors/);
  });
});
