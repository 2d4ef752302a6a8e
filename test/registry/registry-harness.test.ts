/**
 * The registry harness against the real CNCF distribution registry (Debian's
 * docker-registry): images built here, pushed, and read back over the HTTP API.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import {
  BASE_LAYER,
  MediaTypes,
  MANIFEST_ACCEPT,
  buildLayer,
  buildTar,
  dir,
  file,
  hardlink,
  opaqueWhiteout,
  parseTar,
  sha256,
  symlink,
  whiteout,
} from "./image-builder";
import { basicAuth, pushBlob, pushImage, pushIndex, registryRequest, type RegistryAnswer } from "./push";
import { startRegistry, type RunningRegistry } from "./registry-server";

const sortedUnique = (values: string[]) => [...new Set(values)].sort();

function expectDigestHeader(answer: RegistryAnswer, digest: string): void {
  expect(answer.status).toBe(200);
  expect(sha256(answer.body)).toBe(digest);
  expect(answer.headers["docker-content-digest"]).toBe(digest);
}

/** GETs a manifest by tag or digest and checks that its digest is that of the bytes returned. */
async function getManifest(registry: RunningRegistry, repo: string, reference: string, accept = MANIFEST_ACCEPT) {
  const answer = await registryRequest(registry, "GET", `/v2/${repo}/manifests/${reference}`, { headers: { accept } });
  expect(answer.status).toBe(200);
  const digest = sha256(answer.body);
  expect(answer.headers["docker-content-digest"]).toBe(digest);
  expect(Number(answer.headers["content-length"])).toBe(answer.body.length);
  if (reference.startsWith("sha256:")) expect(digest).toBe(reference);
  return { answer, digest, mediaType: answer.headers["content-type"], json: answer.json() };
}

async function getBlob(registry: RunningRegistry, repo: string, digest: string): Promise<Buffer> {
  const answer = await registryRequest(registry, "GET", `/v2/${repo}/blobs/${digest}`);
  expectDigestHeader(answer, digest);
  return answer.body;
}

/** Follows `Link: <...>; rel="next"` through every page, checking each link is relative. */
async function allPages(registry: RunningRegistry, first: string, key: "repositories" | "tags") {
  const pages: string[][] = [];
  const links: string[] = [];
  let next: string | undefined = first;
  while (next) {
    const answer = await registryRequest(registry, "GET", next);
    expect(answer.status).toBe(200);
    pages.push(answer.json()[key] ?? []);
    const link = answer.headers.link;
    if (!link) break;
    links.push(link);
    const match = /^<([^>]+)>;\s*rel="next"$/.exec(link);
    expect(match).not.toBeNull();
    next = match![1];
    expect(next.startsWith("/v2/")).toBe(true); // relative: no scheme or host
    expect(pages.length).toBeLessThan(50);
  }
  return { pages, links };
}

const appLayer = buildLayer([
  dir("app"),
  file("app/server.js", "console.log('hello from drydock');\n", 0o755),
  file("app/config/settings.json", '{"debug":false}\n'),
  symlink("app/current", "/app/server.js"),
  hardlink("app/server-link.js", "app/server.js"),
  whiteout("etc/motd"),
  opaqueWhiteout("var/cache"),
  file(`app/${"deep/".repeat(30)}long-name.txt`, "pax header for a path over 100 bytes\n"),
]);

describe("registry harness, no auth", () => {
  let registry: RunningRegistry;

  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => {
    await registry?.stop();
  });

  test("GET /v2/ answers 200 as a v2 registry", async () => {
    expect(registry.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(registry.host).toBe(registry.url.replace("http://", ""));
    const answer = await registryRequest(registry, "GET", "/v2/");
    expect(answer.status).toBe(200);
    expect(answer.headers["docker-distribution-api-version"]).toBe("registry/2.0");
  });

  test("a Docker schema 2 image reads back byte for byte", async () => {
    const pushed = await pushImage(registry, "team/api", "1.0", {
      format: "docker",
      layers: [BASE_LAYER, appLayer],
      config: { created: "2024-05-06T07:08:09Z", cmd: ["node", "/app/server.js"], labels: { team: "api" } },
    });

    const tags = await registryRequest(registry, "GET", "/v2/team/api/tags/list");
    expect(tags.json()).toEqual({ name: "team/api", tags: ["1.0"] });

    const manifest = await getManifest(registry, "team/api", "1.0", MediaTypes.dockerManifest);
    expect(manifest.mediaType).toBe(MediaTypes.dockerManifest);
    expect(manifest.digest).toBe(pushed.manifestDigest);
    expect(manifest.json.mediaType).toBe(MediaTypes.dockerManifest);
    expect(manifest.json.config).toEqual({ mediaType: MediaTypes.dockerConfig, digest: pushed.configDigest, size: expect.any(Number) });
    expect(manifest.json.layers.map((l: { mediaType: string }) => l.mediaType)).toEqual([
      MediaTypes.dockerLayerGzip,
      MediaTypes.dockerLayerGzip,
    ]);

    // HEAD: same headers, no body
    const head = await registryRequest(registry, "HEAD", "/v2/team/api/manifests/1.0", { headers: { accept: MANIFEST_ACCEPT } });
    expect(head.status).toBe(200);
    expect(head.headers["docker-content-digest"]).toBe(pushed.manifestDigest);
    expect(head.headers["content-type"]).toBe(MediaTypes.dockerManifest);

    const config = JSON.parse((await getBlob(registry, "team/api", pushed.configDigest)).toString());
    expect(config).toMatchObject({
      created: "2024-05-06T07:08:09Z", // a string is kept as given
      architecture: "amd64",
      os: "linux",
      config: { Cmd: ["node", "/app/server.js"], Labels: { team: "api" } },
      rootfs: { type: "layers" },
    });
    expect(config.variant).toBeUndefined();

    const layers: Buffer[] = [];
    for (const layer of manifest.json.layers) layers.push(await getBlob(registry, "team/api", layer.digest));
    expect(layers.map((blob) => sha256(gunzipSync(blob)))).toEqual(config.rootfs.diff_ids);

    const entries = parseTar(layers[1]);
    const byPath = new Map(entries.map((entry) => [entry.path, entry]));
    expect(byPath.get("app/server.js")).toMatchObject({ type: "file", mode: 0o755 });
    expect(byPath.get("app/server.js")!.content.toString()).toBe("console.log('hello from drydock');\n");
    expect(byPath.get("app")).toMatchObject({ type: "dir" });
    expect(byPath.get("app/current")).toMatchObject({ type: "symlink", linkTarget: "/app/server.js" });
    expect(byPath.get("app/server-link.js")).toMatchObject({ type: "hardlink", linkTarget: "app/server.js" });
    expect(byPath.get("etc/.wh.motd")).toMatchObject({ type: "file", size: 0 });
    expect(byPath.get("var/cache/.wh..wh..opq")).toMatchObject({ type: "file", size: 0 });
    expect(byPath.get(`app/${"deep/".repeat(30)}long-name.txt`)!.content.toString()).toContain("pax header");
    expect(parseTar(layers[0]).find((e) => e.path === "usr/lib/os-release")).toMatchObject({
      type: "symlink",
      linkTarget: "../../etc/os-release",
    });
  });

  test("an OCI image reads back with OCI media types and annotations", async () => {
    const pushed = await pushImage(registry, "team/web", "2.0", {
      format: "oci",
      layers: [BASE_LAYER, buildLayer([file("srv/index.html", "<h1>drydock</h1>\n")])],
      config: { architecture: "arm64", variant: "v8", created: new Date("2024-02-03T04:05:06Z") },
      annotations: { "org.opencontainers.image.source": "https://example.invalid/web" },
    });
    const manifest = await getManifest(registry, "team/web", "2.0");
    expect(manifest.mediaType).toBe(MediaTypes.ociManifest);
    expect(manifest.digest).toBe(pushed.manifestDigest);
    expect(manifest.json.config.mediaType).toBe(MediaTypes.ociConfig);
    expect(manifest.json.layers[1].mediaType).toBe(MediaTypes.ociLayerGzip);
    expect(manifest.json.annotations["org.opencontainers.image.source"]).toBe("https://example.invalid/web");
    // also by digest
    await getManifest(registry, "team/web", pushed.manifestDigest);

    const config = JSON.parse((await getBlob(registry, "team/web", pushed.configDigest)).toString());
    expect(config).toMatchObject({ created: "2024-02-03T04:05:06.000Z", architecture: "arm64", os: "linux", variant: "v8" });
    const layer = await getBlob(registry, "team/web", manifest.json.layers[1].digest);
    expect(sha256(gunzipSync(layer))).toBe(config.rootfs.diff_ids[1]);
    expect(parseTar(layer).find((e) => e.path === "srv/index.html")!.content.toString()).toBe("<h1>drydock</h1>\n");
  });

  test("a multi-platform OCI index with BuildKit attestations", async () => {
    const platforms = [
      { platform: { os: "linux", architecture: "amd64" } },
      { platform: { os: "linux", architecture: "arm64", variant: "v8" } },
    ];
    const pushed = await pushIndex(registry, "team/multi", "latest", platforms, { attestation: true });

    const index = await getManifest(registry, "team/multi", "latest");
    expect(index.mediaType).toBe(MediaTypes.ociIndex);
    expect(index.digest).toBe(pushed.indexDigest);
    const entries: any[] = index.json.manifests;
    expect(entries).toHaveLength(4);
    expect(entries.slice(0, 2).map((e) => e.platform)).toEqual(platforms.map((p) => p.platform));
    const [amd64, arm64, ...attestations] = entries;
    for (const [i, attestation] of attestations.entries()) {
      expect(attestation.platform).toEqual({ architecture: "unknown", os: "unknown" });
      expect(attestation.annotations).toEqual({
        "vnd.docker.reference.type": "attestation-manifest",
        "vnd.docker.reference.digest": [amd64, arm64][i].digest,
      });
      const manifest = await getManifest(registry, "team/multi", attestation.digest);
      expect(manifest.mediaType).toBe(MediaTypes.ociManifest);
      expect(manifest.json.layers[0].mediaType).toBe(MediaTypes.inToto);
      const statement = JSON.parse((await getBlob(registry, "team/multi", manifest.json.layers[0].digest)).toString());
      expect(statement.subject[0].digest.sha256).toBe([amd64, arm64][i].digest.replace("sha256:", ""));
    }

    for (const [i, entry] of [amd64, arm64].entries()) {
      const manifest = await getManifest(registry, "team/multi", entry.digest);
      expect(manifest.mediaType).toBe(MediaTypes.ociManifest);
      expect(entry.size).toBe(manifest.answer.body.length);
      const config = JSON.parse((await getBlob(registry, "team/multi", manifest.json.config.digest)).toString());
      expect({ architecture: config.architecture, os: config.os, ...(config.variant ? { variant: config.variant } : {}) }).toEqual(
        platforms[i].platform,
      );
      const platformLayer = await getBlob(registry, "team/multi", manifest.json.layers[1].digest);
      expect(parseTar(platformLayer)[0].content.toString()).toBe(["linux", platforms[i].platform.architecture, platforms[i].platform.variant].filter(Boolean).join("/") + "\n");
    }
    // both platforms share the base layer; it is in the repository once, so a second upload is skipped
    expect(pushed.images[0].image.layers[0].digest).toBe(pushed.images[1].image.layers[0].digest);
    expect(await pushBlob(registry, "team/multi", BASE_LAYER)).toBe(false);

    // only the index is tagged
    const tags = await registryRequest(registry, "GET", "/v2/team/multi/tags/list");
    expect(tags.json().tags).toEqual(["latest"]);
  });

  test("a Docker manifest list", async () => {
    const pushed = await pushIndex(
      registry,
      "team/list",
      "v1",
      [{ platform: { os: "linux", architecture: "amd64" } }, { platform: { os: "linux", architecture: "arm", variant: "v7" } }],
      { format: "docker" },
    );
    const list = await getManifest(registry, "team/list", "v1");
    expect(list.mediaType).toBe(MediaTypes.dockerManifestList);
    expect(list.digest).toBe(pushed.indexDigest);
    expect(list.json.manifests.map((m: any) => [m.mediaType, m.platform])).toEqual([
      [MediaTypes.dockerManifest, { os: "linux", architecture: "amd64" }],
      [MediaTypes.dockerManifest, { os: "linux", architecture: "arm", variant: "v7" }],
    ]);
    for (const entry of list.json.manifests) await getManifest(registry, "team/list", entry.digest);
  });

  test("errors come in the distribution error format", async () => {
    const manifest = await registryRequest(registry, "GET", "/v2/team/api/manifests/nope", { headers: { accept: MANIFEST_ACCEPT } });
    expect(manifest.status).toBe(404);
    expect(manifest.json().errors[0].code).toBe("MANIFEST_UNKNOWN");
    const tags = await registryRequest(registry, "GET", "/v2/no/such-repo/tags/list");
    expect(tags.status).toBe(404);
    expect(tags.json().errors[0].code).toBe("NAME_UNKNOWN");
    const blob = await registryRequest(registry, "GET", `/v2/team/api/blobs/${sha256("absent")}`);
    expect(blob.status).toBe(404);
  });

  test("the catalog paginates with a relative Link header; tags/list (2.8) does not paginate", async () => {
    const layer = buildLayer([file("hello.txt", "hi\n")]);
    for (const repo of ["page/a", "page/b", "page/c"]) await pushImage(registry, repo, "1", { layers: [layer] });
    for (const tag of ["t1", "t2", "t3", "t4", "t5"]) await pushImage(registry, "page/tags", tag, { layers: [layer] });

    const full = await registryRequest(registry, "GET", "/v2/_catalog");
    const repositories: string[] = full.json().repositories;
    expect(repositories).toEqual(expect.arrayContaining(["page/a", "page/b", "page/c", "page/tags", "team/api", "team/multi"]));
    expect(repositories).toEqual([...repositories].sort());

    const first = await registryRequest(registry, "GET", "/v2/_catalog?n=2");
    expect(first.json().repositories).toEqual(repositories.slice(0, 2));
    expect(first.headers.link).toBe(`</v2/_catalog?last=${encodeURIComponent(repositories[1])}&n=2>; rel="next"`);

    const catalog = await allPages(registry, "/v2/_catalog?n=2", "repositories");
    expect(catalog.pages.flat()).toEqual(repositories);
    expect(catalog.pages.slice(0, -1).every((page) => page.length === 2)).toBe(true);

    // n=0: empty page, no Link; above the maximum (1000): PAGINATION_NUMBER_INVALID
    const none = await registryRequest(registry, "GET", "/v2/_catalog?n=0");
    expect(none.json()).toEqual({ repositories: [] });
    expect(none.headers.link).toBeUndefined();
    const tooMany = await registryRequest(registry, "GET", "/v2/_catalog?n=1001");
    expect(tooMany.status).toBe(400);
    expect(tooMany.json().errors[0].code).toBe("PAGINATION_NUMBER_INVALID");

    // distribution 2.8 ignores n/last on tags/list: every tag in one page, no Link, and
    // NOT in lexical order. Tag pagination needs an emulator in front (or distribution 3).
    const tags = await registryRequest(registry, "GET", "/v2/page/tags/tags/list?n=2");
    expect(tags.headers.link).toBeUndefined();
    expect(sortedUnique(tags.json().tags)).toEqual(["t1", "t2", "t3", "t4", "t5"]);
  });

  test("a tar builds deterministically", () => {
    const entries = [file("a.txt", "a"), symlink("b", "a.txt")];
    expect(buildTar(entries)).toEqual(buildTar(entries));
    expect(buildLayer(entries).digest).toBe(buildLayer(entries).digest);
    expect(buildTar(entries).length % 512).toBe(0);
  });
});

describe("registry harness, Basic auth", () => {
  const auth = { username: "drydock", password: "p4ss word:with colon" };
  let registry: RunningRegistry;

  beforeAll(async () => {
    registry = await startRegistry({ auth });
  });
  afterAll(async () => {
    await registry?.stop();
  });

  test("401 without or with wrong credentials, 200 with them", async () => {
    const anonymous = await registryRequest(registry, "GET", "/v2/", { auth: false });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers["www-authenticate"]).toBe('Basic realm="drydock-test-registry"');
    expect(anonymous.headers["docker-distribution-api-version"]).toBe("registry/2.0");
    expect(anonymous.json().errors[0].code).toBe("UNAUTHORIZED");

    const wrong = await registryRequest(registry, "GET", "/v2/", {
      auth: false,
      headers: { authorization: basicAuth({ ...auth, password: "wrong" }) },
    });
    expect(wrong.status).toBe(401);

    const ok = await registryRequest(registry, "GET", "/v2/");
    expect(ok.status).toBe(200);
  });

  test("push and read back with credentials; catalog refused without", async () => {
    const pushed = await pushImage(registry, "private/app", "1.0", { format: "oci", layers: [BASE_LAYER] });
    const manifest = await getManifest(registry, "private/app", "1.0");
    expect(manifest.digest).toBe(pushed.manifestDigest);
    expect((await registryRequest(registry, "GET", "/v2/_catalog")).json()).toEqual({ repositories: ["private/app"] });
    expect((await registryRequest(registry, "GET", "/v2/_catalog", { auth: false })).status).toBe(401);
    expect((await registryRequest(registry, "GET", "/v2/private/app/manifests/1.0", { auth: false })).status).toBe(401);
  });
});

describe("registry lifecycle", () => {
  test("stop() ends the registry and removes its temp dir; two run side by side", async () => {
    const [one, two] = await Promise.all([startRegistry(), startRegistry()]);
    expect(one.url).not.toBe(two.url);
    expect(existsSync(one.dir)).toBe(true);
    await one.stop();
    await one.stop(); // idempotent
    expect(existsSync(one.dir)).toBe(false);
    await expect(registryRequest(one, "GET", "/v2/")).rejects.toThrow();
    expect((await registryRequest(two, "GET", "/v2/")).status).toBe(200);
    await two.stop();
  });

  test("a missing binary fails with a hint", async () => {
    await expect(startRegistry({ binary: "/nonexistent/docker-registry" })).rejects.toThrow(/apt-get install docker-registry/);
  });

  test("a registry that exits at once fails the start, and leaves nothing behind", async () => {
    const before = readdirSync(os.tmpdir()).filter((name) => name.startsWith("drydock-registry-")).length;
    await expect(startRegistry({ binary: "/bin/false" })).rejects.toThrow(/registry exited \(code 1\) before answering/);
    expect(readdirSync(os.tmpdir()).filter((name) => name.startsWith("drydock-registry-")).length).toBeLessThanOrEqual(before);
  });

  test("the registry dies with the process that started it, even on SIGKILL", async () => {
    const script = [
      'const { startRegistry } = require("./registry-server");',
      "startRegistry().then((r) => console.log(JSON.stringify({ url: r.url, dir: r.dir })));",
    ].join("\n");
    const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], {
      cwd: __dirname,
      stdio: ["ignore", "pipe", "inherit"],
    });
    const line = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout!.on("data", (chunk) => {
        out += chunk;
        if (out.includes("\n")) resolve(out.split("\n")[0]);
      });
      child.once("exit", (code) => reject(new Error(`child exited early (${code}): ${out}`)));
    });
    const { url, dir: tempDir } = JSON.parse(line) as { url: string; dir: string };
    try {
      expect((await registryRequest({ url }, "GET", "/v2/")).status).toBe(200);
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await exited;
      const deadline = Date.now() + 10_000;
      const alive = () =>
        readdirSync("/proc")
          .filter((pid) => /^\d+$/.test(pid))
          .some((pid) => {
            try {
              return readFileSync(path.join("/proc", pid, "cmdline"), "utf8").includes(tempDir);
            } catch {
              return false;
            }
          });
      while (alive() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(alive()).toBe(false);
      await expect(registryRequest({ url }, "GET", "/v2/")).rejects.toThrow();
    } finally {
      child.kill("SIGKILL");
      rmSync(tempDir, { recursive: true, force: true });
    }
  });
});
