import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { request } from "undici";
import { runCli, type CliProcess } from "../helpers/cli";
import { dropDatabases, newDatabaseUrls } from "../helpers/databases";
import { fixturePath } from "../helpers/fixtures";
import { expectedNpmFindings, readOsvFolder } from "../helpers/osv-expectations";
import { alpineLayer, debianLayer, npmAppLayer, pythonAppLayer } from "../helpers/scan-images";
import { addIntegration, automaticPolicy, syncRegistry, waitForScans } from "../helpers/vendor-e2e";
import { pushImage } from "../registry/push";
import { type RunningRegistry, startRegistry } from "../registry/registry-server";

/**
 * The whole product, as operators run it: a server and two workers as child
 * processes, a DOCKER_REGISTRY integration with an AUTOMATIC policy on the
 * real registry, one sync, and every selected image scanned — all through
 * GraphQL over HTTP; then the OSV fixtures imported, and the findings read
 * the same way.
 */

const { mysqlUrl, databaseUrl, name } = newDatabaseUrls();
const dataDir = mkdtempSync(path.join(os.tmpdir(), "drydock-e2e-"));
// The real OSV fixtures, copied where imports may read them.
const osvRoot = path.join(dataDir, "osv");
cpSync(fixturePath("osv"), osvRoot, { recursive: true });
const env = { MYSQL_URL: mysqlUrl, DATABASE_URL: databaseUrl, HOST: "127.0.0.1", DRYDOCK_DATA_DIR: dataDir, DRYDOCK_IMPORT_ROOTS: osvRoot };
const processes: CliProcess[] = [];
let registry: RunningRegistry;
let api: string;
let token: string;

async function gql(query: string, variables: Record<string, unknown> = {}) {
  const answer = await request(`${api}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await answer.body.json()) as { data?: any; errors?: unknown[] };
  if (body.errors) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data;
}

beforeAll(async () => {
  registry = await startRegistry();
  const now = new Date();
  await pushImage(registry, "web/storefront", "2.1", { layers: [alpineLayer, npmAppLayer], config: { created: now } });
  await pushImage(registry, "data/etl", "1.0", { layers: [debianLayer, pythonAppLayer], config: { created: now } });
  // Out of the policy: created long before its CREATED_WITHIN window.
  await pushImage(registry, "data/etl", "0.1", { layers: [debianLayer], config: { created: new Date("2019-01-01T00:00:00Z") } });

  const server = runCli(["server"], { ...env, PORT: "0" });
  processes.push(server);
  api = (await server.waitFor(/GraphQL API: /, 60_000)).split(": ").pop()!.trim().replace(/\/graphql$/, "");
  token = (await server.waitFor(/^First ADMIN API token/)).split(": ").pop()!.trim();
  processes.push(runCli(["worker"], env), runCli(["worker"], env));
  await Promise.all(processes.slice(1).map((worker) => worker.waitFor(/worker started/, 60_000)));
}, 120_000);

afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop()));
  await registry?.stop();
  await dropDatabases(name);
  rmSync(dataDir, { recursive: true, force: true });
});

test("sync → policy → scans in two workers → inventory, all through GraphQL", async () => {
  const registryId = await addIntegration(gql, { name: "local", type: "DOCKER_REGISTRY", url: registry.url, insecure: true, authMethod: "NONE" });
  await automaticPolicy(gql, registryId);
  await syncRegistry(gql, registryId);
  const data = await waitForScans(
    gql,
    registryId,
    2,
    `query($id: ID!) {
      registry(id: $id) { lastSync { status selected queued } }
      images(filter: { registryId: $id }, first: 10) { totalCount nodes {
        repository tag lastScan { status attempts(first: 5) { nodes { outcome } } }
        os { id versionId }
        packages(first: 1) { totalCount }
        apk: packages(first: 50, filter: { type: apk, name: "musl" }) { nodes { name version layerDigest purl } }
        deb: packages(first: 5, filter: { type: deb, name: "bash" }) { nodes { name version sourceName sourceVersion layerDigest } }
        npm: packages(first: 5, filter: { type: npm, name: "semver" }) { nodes { version installed } }
        pypi: packages(first: 5, filter: { type: pypi }) { nodes { name version } }
      } }
      scanJobs(filter: { registryId: $id }, first: 10) { totalCount nodes { status } }
    }`,
  );
  expect(data.registry.lastSync).toMatchObject({ selected: 2, queued: 2 });

  const byRef = new Map((data.images.nodes as any[]).map((image) => [`${image.repository}:${image.tag}`, image]));
  expect([...byRef.keys()].sort()).toEqual(["data/etl:1.0", "web/storefront:2.1"]);

  const storefront = byRef.get("web/storefront:2.1");
  expect(storefront.lastScan.status).toBe("SUCCEEDED");
  expect(storefront.lastScan.attempts.nodes).toEqual([{ outcome: "SUCCEEDED" }]);
  expect(storefront.os).toEqual({ id: "alpine", versionId: "3.18.1" });
  expect(storefront.apk.nodes).toEqual([
    { name: "musl", version: "1.2.4-r0", layerDigest: alpineLayer.digest, purl: expect.stringMatching(/^pkg:apk\/alpine\/musl@1\.2\.4-r0\?arch=x86_64/) },
  ]);
  expect(storefront.npm.nodes).toEqual([{ version: "4.3.6", installed: false }]);
  // 15 apk packages and the lockfile's 106 npm entries.
  expect(storefront.packages.totalCount).toBe(15 + 106);

  const etl = byRef.get("data/etl:1.0");
  expect(etl.os).toEqual({ id: "debian", versionId: "12" });
  expect(etl.deb.nodes).toEqual([{ name: "bash", version: "5.2.15-2+b7", sourceName: "bash", sourceVersion: "5.2.15-2", layerDigest: debianLayer.digest }]);
  expect(etl.pypi.nodes).toEqual([{ name: "Pygments", version: "2.6.1" }]);
  expect(etl.packages.totalCount).toBe(140 + 1);
}, 120_000);

test("importing the OSV fixtures re-matches the stored inventories: the expected findings, through GraphQL", async () => {
  const { importVulnerabilities } = await gql(`mutation($source: String!) { importVulnerabilities(source: $source) { id status } }`, { source: osvRoot });
  const deadline = Date.now() + 60_000;
  let run: any;
  for (;;) {
    run = (await gql(`query($id: ID!) { importRun(id: $id) { status imported withdrawn version error changedImages(first: 10) { nodes { repository tag } } } }`, { id: importVulnerabilities.id })).importRun;
    if (run.status === "SUCCEEDED" || run.status === "FAILED") break;
    if (Date.now() > deadline) throw new Error(`import did not finish: ${JSON.stringify(run)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  expect(run).toMatchObject({ status: "SUCCEEDED", imported: 27, withdrawn: 0, version: 1, error: null });
  // Only the Alpine + npm image has findings: the Debian 12 image meets Debian:9 records only.
  expect(run.changedImages.nodes).toEqual([{ repository: "web/storefront", tag: "2.1" }]);

  const { images } = await gql(`{ images(first: 10) { nodes { repository tag
    vulnerabilitySummary { critical high medium low unknown fixable }
    vulnerabilities(first: 50) { totalCount nodes { advisoryId aliases packageName installedVersion fixedVersion severity } } } } }`);
  const byRepository = new Map(images.nodes.map((image: any) => [image.repository, image]));
  const etl: any = byRepository.get("data/etl");
  expect(etl.vulnerabilities.totalCount).toBe(0);

  const storefront: any = byRepository.get("web/storefront");
  const lock = JSON.parse(readFileSync(fixturePath("pkgdb", "npm", "in-place-npm", "package-lock.json"), "utf8")) as { packages: Record<string, { name?: string; version: string }> };
  const lockPackages = Object.entries(lock.packages)
    .filter(([key]) => key !== "")
    .map(([key, entry]) => ({ name: entry.name ?? key.split("node_modules/").pop()!, version: entry.version }));
  const expectedNpm = expectedNpmFindings(readOsvFolder(path.join(osvRoot, "npm")), lockPackages);
  expect(expectedNpm.map((f) => f.advisoryId)).toEqual(["GHSA-c2qf-rxjj-qqgw"]);
  // fixtures README: musl 1.2.4-r0 on Alpine:v3.18 is affected, fixed in 1.2.4-r3. Alpine advisories name the origin
  // package: musl-utils 1.2.4-r0 (origin musl) is affected as well.
  const alpineAffected = ["musl", "musl-utils"].map((packageName) => ({ advisoryId: "ALPINE-CVE-2025-26519", packageName, installedVersion: "1.2.4-r0", fixedVersion: "1.2.4-r3" }));
  const expected = [...alpineAffected, ...expectedNpm];
  const actual = storefront.vulnerabilities.nodes.map(({ advisoryId, packageName, installedVersion, fixedVersion }: any) => ({ advisoryId, packageName, installedVersion, fixedVersion }));
  const order = (a: { advisoryId: string; packageName: string }, b: { advisoryId: string; packageName: string }) =>
    a.advisoryId.localeCompare(b.advisoryId) || a.packageName.localeCompare(b.packageName);
  expect(actual.sort(order)).toEqual(expected.sort(order));
  expect(storefront.vulnerabilities.nodes.find((v: any) => v.advisoryId === "ALPINE-CVE-2025-26519").aliases).toContain("CVE-2025-26519");
  const summary = storefront.vulnerabilitySummary;
  expect(summary.critical + summary.high + summary.medium + summary.low + summary.unknown).toBe(3);
  expect(summary.fixable).toBe(3);
}, 90_000);
