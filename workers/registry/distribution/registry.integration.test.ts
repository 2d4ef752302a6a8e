/**
 * The client against the real CNCF distribution registry (Debian's
 * docker-registry 2.8, test/registry/): anonymous, and with htpasswd Basic
 * auth. Images are built and pushed by the test harness.
 */
import { gunzipSync } from "node:zlib";
import { BASE_LAYER, buildLayer, file, parseTar, sha256 } from "../../../test/registry/image-builder";
import { pushImage, pushIndex, type PushedImage, type PushedIndex } from "../../../test/registry/push";
import { startRegistry, type RunningRegistry } from "../../../test/registry/registry-server";
import { DistributionClient, type ClientOptions } from "./client";
import type { RegistryEndpoint } from "./endpoint";
import { MediaTypes } from "./media-types";
import { collect, failure, readAll } from "./test-support/results";

const FAST: ClientOptions = { retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 20 } };
const clients: DistributionClient[] = [];

function client(registry: RunningRegistry, extra: Partial<RegistryEndpoint> = {}, options: ClientOptions = {}): DistributionClient {
  const c = new DistributionClient({ url: registry.url, insecure: true, caCertificate: null, credentials: null, ...extra }, { ...FAST, ...options });
  clients.push(c);
  return c;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

describe("real registry, anonymous", () => {
  let registry: RunningRegistry;
  let api: PushedImage;
  let web: PushedImage;
  let multi: PushedIndex;
  let list: PushedIndex;
  const appLayer = buildLayer([file("app/server.js", "console.log('drydock');\n")]);

  beforeAll(async () => {
    registry = await startRegistry();
    api = await pushImage(registry, "team/api", "1.0", { layers: [BASE_LAYER, appLayer], config: { created: "2024-05-06T07:08:09Z" } });
    await pushImage(registry, "team/api", "1.1", { layers: [BASE_LAYER], config: { created: "2024-06-01T00:00:00Z" } });
    web = await pushImage(registry, "team/web", "2.0", { format: "oci", layers: [BASE_LAYER], annotations: { "org.opencontainers.image.source": "x" } });
    multi = await pushIndex(registry, "team/multi", "latest", [{ platform: { os: "linux", architecture: "amd64" } }, { platform: { os: "linux", architecture: "arm64", variant: "v8" } }], {
      attestation: true,
    });
    list = await pushIndex(registry, "team/list", "v1", [{ platform: { os: "linux", architecture: "amd64" } }], { format: "docker" });
    for (const repo of ["a/one", "b/two", "c/three"]) await pushImage(registry, repo, "1", { layers: [BASE_LAYER] });
  }, 60_000);

  afterAll(async () => {
    await registry?.stop();
  });

  test("ping: a registry, no auth", async () => {
    expect(await client(registry).ping()).toEqual({ status: 200, auth: "none" });
  });

  test("the catalog, in pages of 2 through the relative Link; the same without n", async () => {
    const all = ["a/one", "b/two", "c/three", "team/api", "team/list", "team/multi", "team/web"];
    expect(await collect(client(registry).repositories(2))).toEqual(all);
    expect(await collect(client(registry).repositories())).toEqual(all);
  });

  test("tags (2.8 ignores n and sorts nothing: the client passes them through)", async () => {
    expect((await collect(client(registry).tags("team/api", 1))).sort()).toEqual(["1.0", "1.1"]);
    expect(await failure(collect(client(registry).tags("no/such")))).toMatchObject({ code: "NAME_UNKNOWN", status: 404 });
  });

  test("Docker schema 2 and OCI manifests, by tag and by digest; HEAD agrees with GET", async () => {
    const c = client(registry);
    const docker = await c.getManifest("team/api", "1.0");
    expect(docker).toMatchObject({ digest: api.manifestDigest, mediaType: MediaTypes.dockerManifest, kind: "image" });
    expect(docker.kind === "image" && docker.json.config.digest).toBe(api.configDigest);
    expect((await c.getManifest("team/api", api.manifestDigest)).digest).toBe(api.manifestDigest);
    expect(await c.headManifest("team/api", "1.0")).toEqual({ digest: api.manifestDigest, mediaType: MediaTypes.dockerManifest, size: docker.bytes.length });
    expect(await c.headManifest("team/api", api.manifestDigest)).toEqual({ digest: api.manifestDigest, mediaType: MediaTypes.dockerManifest, size: docker.bytes.length });

    const oci = await c.getManifest("team/web", "2.0");
    expect(oci).toMatchObject({ digest: web.manifestDigest, mediaType: MediaTypes.ociManifest, kind: "image" });
    expect(oci.json.annotations).toEqual({ "org.opencontainers.image.source": "x" });
  });

  test("an OCI index with attestations and a Docker manifest list; every entry resolves", async () => {
    const c = client(registry);
    const index = await c.getManifest("team/multi", "latest");
    expect(index).toMatchObject({ digest: multi.indexDigest, mediaType: MediaTypes.ociIndex, kind: "index" });
    if (index.kind !== "index") throw new Error("not an index");
    expect(index.json.manifests.map((m) => m.platform)).toEqual([
      { os: "linux", architecture: "amd64" },
      { os: "linux", architecture: "arm64", variant: "v8" },
      { os: "unknown", architecture: "unknown" },
      { os: "unknown", architecture: "unknown" },
    ]);
    for (const entry of index.json.manifests) {
      const child = await c.getManifest("team/multi", entry.digest);
      expect(child.bytes.length).toBe(entry.size);
      expect(child.mediaType).toBe(MediaTypes.ociManifest);
    }
    const docker = await c.getManifest("team/list", "v1");
    expect(docker).toMatchObject({ digest: list.indexDigest, mediaType: MediaTypes.dockerManifestList, kind: "index" });
    expect(await c.headManifest("team/list", "v1")).toMatchObject({ digest: list.indexDigest, mediaType: MediaTypes.dockerManifestList });
  });

  test("config as a JSON blob; a layer as a verified stream", async () => {
    const c = client(registry);
    const config = await c.getJsonBlob<{ created: string; architecture: string; rootfs: { diff_ids: string[] } }>("team/api", api.configDigest);
    expect(config).toMatchObject({ created: "2024-05-06T07:08:09Z", architecture: "amd64" });
    const layer = await readAll(await c.openBlob("team/api", appLayer.digest));
    expect(sha256(layer)).toBe(appLayer.digest);
    expect(sha256(gunzipSync(layer))).toBe(config.rootfs.diff_ids[1]);
    expect(parseTar(layer).find((e) => e.path === "app/server.js")?.content.toString()).toBe("console.log('drydock');\n");
  });

  test("unknown manifest, blob and repository", async () => {
    const c = client(registry);
    expect(await failure(c.getManifest("team/api", "9.9"))).toMatchObject({ code: "MANIFEST_UNKNOWN", status: 404, retryable: false });
    expect(await failure(c.headManifest("team/api", "9.9"))).toMatchObject({ code: "MANIFEST_UNKNOWN", status: 404 });
    expect(await failure(c.getJsonBlob("team/api", sha256("absent")))).toMatchObject({ code: "BLOB_UNKNOWN", status: 404 });
    expect(await failure(c.openBlob("team/api", sha256("absent")))).toMatchObject({ code: "BLOB_UNKNOWN" });
    // distribution 2.8 says MANIFEST_UNKNOWN (not NAME_UNKNOWN) for a manifest of an unknown repository
    expect(await failure(c.getManifest("no/such", "1"))).toMatchObject({ code: "MANIFEST_UNKNOWN" });
  });

  test("a stopped registry is REGISTRY_UNREACHABLE", async () => {
    const gone = await startRegistry();
    const c = client(gone);
    await c.ping();
    await gone.stop();
    expect(await failure(c.ping())).toMatchObject({ code: "REGISTRY_UNREACHABLE", retryable: true });
  });
});

describe("real registry, htpasswd Basic auth", () => {
  const auth = { username: "drydock", password: "p4ss word:with colon" };
  let registry: RunningRegistry;
  let pushed: PushedImage;

  beforeAll(async () => {
    registry = await startRegistry({ auth });
    pushed = await pushImage(registry, "private/app", "1.0", { format: "oci", layers: [BASE_LAYER], config: { created: "2024-02-03T04:05:06Z" } });
  }, 60_000);

  afterAll(async () => {
    await registry?.stop();
  });

  const credentials = { username: auth.username, secret: auth.password };

  test("the right credentials: Basic, then everything works", async () => {
    const c = client(registry, { credentials });
    expect(await c.ping()).toEqual({ status: 200, auth: "basic" });
    expect(await collect(c.repositories())).toEqual(["private/app"]);
    expect(await collect(c.tags("private/app"))).toEqual(["1.0"]);
    expect((await c.getManifest("private/app", "1.0")).digest).toBe(pushed.manifestDigest);
    expect(await c.getJsonBlob("private/app", pushed.configDigest)).toMatchObject({ created: "2024-02-03T04:05:06Z" });
  });

  test("a wrong password and no credentials are REGISTRY_UNAUTHORIZED, without the secret in the message", async () => {
    const wrong = await failure(client(registry, { credentials: { ...credentials, secret: "wrong-secret-value" } }).ping());
    expect(wrong).toMatchObject({ code: "REGISTRY_UNAUTHORIZED", retryable: false, message: expect.stringMatching(/rejected the user name or secret/) });
    expect(wrong.message).not.toContain("wrong-secret-value");
    const none = await failure(collect(client(registry).repositories()));
    expect(none).toMatchObject({ code: "REGISTRY_UNAUTHORIZED", message: expect.stringMatching(/requires credentials to list the catalog/) });
  });
});
