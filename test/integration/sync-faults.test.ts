/**
 * Discovery under faults (issue 3, item 9, and item 5's "a failing repository
 * is recorded, the run goes on, and its images are not marked removed"), against
 * the real registry behind the seeded fault proxy:
 *  (a) ~20 % of requests fail (429 + Retry-After, 500, 503 + Retry-After, resets,
 *      slow answers), never more in a row per request than the retry budget: the
 *      run ends with exactly the images and counts of a fault-free run of the same
 *      content, and every Retry-After was waited (measured at the proxy);
 *  (b) a registry that is down: a FAILED SyncRun with the error, nothing thrown,
 *      nothing stored touched;
 *  (c) one repository whose tag listing keeps failing: PARTIAL, the error names
 *      it, the others are processed, and its stored images are not marked removed.
 * Every schedule is seeded and bounded, so nothing here depends on timing luck.
 */
import { performance } from "node:perf_hooks";
import { makeWorkerUtils, type WorkerUtils } from "graphile-worker";
import type { DataSource } from "typeorm";
import type { Registry, SyncRun } from "../../db/entities";
import { SyncStatus, SyncTrigger } from "../../db/enums";
import { openMysql } from "../../db/mysql";
import { loadSecretBox, type SecretBox } from "../../lib/secret-box";
import { graphileScanEnqueuer } from "../../workers/discovery/graphile-scan-enqueuer";
import { syncRegistry } from "../../workers/discovery/sync-registry";
import { DockerRegistryAdapter } from "../../workers/registry/adapters/docker-registry/adapter";
import { DistributionClient, type RetryEvent } from "../../workers/registry/distribution";
import type { RetryOptions } from "../../workers/registry/distribution/retry";
import { distributionEndpoint } from "../../workers/registry/registry-connection";
import { ALL_FAULTS, type FaultProxy, type FaultProxyOptions, startFaultProxy } from "../registry/fault-proxy";
import { buildLayer, file } from "../registry/image-builder";
import { deleteManifest, pushBuiltImage, pushImage, pushIndex } from "../registry/push";
import { type RunningRegistry, startRegistry } from "../registry/registry-server";
import { capturingLogger } from "../helpers/logs";
import { withMysql } from "../helpers/mysql";
import { startTestServer, type TestServer } from "../helpers/server";

/** Fixed content: the same digests on every run, so the same request keys and so the same fault schedule. */
const on = (day: string) => new Date(`${day}T12:00:00Z`);

/** The client's default budget (4 attempts = 3 retries), with short backoffs: Retry-After is still waited in full. */
const RETRY: RetryOptions = { attempts: 4, baseDelayMs: 20, maxDelayMs: 80 };
const RETRY_AFTER_SECONDS = 1;

let server: TestServer;
let registry: RunningRegistry;
let db: DataSource;
let utils: WorkerUtils;
let secrets: SecretBox;
const proxies: FaultProxy[] = [];

async function proxy(options: Partial<FaultProxyOptions>): Promise<FaultProxy> {
  const started = await startFaultProxy({ target: registry.url, seed: 1, rate: 0, faults: [], maxConsecutive: 0, ...options });
  proxies.push(started);
  return started;
}

async function addRegistry(name: string, url: string): Promise<string> {
  const added = await server.gql(`mutation($input: AddRegistryInput!) { addRegistry(input: $input) { id } }`, {
    input: { name, type: "DOCKER_REGISTRY", url, insecure: true, authMethod: "NONE" },
  });
  expect(added.errors).toBeUndefined();
  const id: string = added.data!.addRegistry.id;
  const policy = await server.gql(`mutation($id: ID!, $input: PullPolicyInput!) { editPullPolicy(registryId: $id, input: $input) { mode } }`, {
    id,
    input: {
      mode: "AUTOMATIC",
      schedule: "0 3 * * *",
      // LATEST rather than a period: what is selected does not depend on today's date.
      condition: "LATEST",
      latestTags: 2,
      platforms: ["linux/amd64", "linux/arm64"],
      alwaysPull: ["legacy/*:0.1"],
    },
  });
  expect(policy.errors).toBeUndefined();
  return id;
}

/** One run, the adapter built here so that the client's retry options are the test's. */
async function sync(registryId: string, onRetry?: (event: RetryEvent & { operation: string }) => void): Promise<SyncRun> {
  const run = await syncRegistry(
    {
      db,
      scans: graphileScanEnqueuer(utils.addJobs),
      adapterFor: (r: Registry, resolver) =>
        new DockerRegistryAdapter(new DistributionClient(distributionEndpoint(r, secrets), { retry: RETRY, onRetry }), resolver, false),
    },
    registryId,
    SyncTrigger.MANUAL,
  );
  expect(run).not.toBeNull();
  return run!;
}

const counts = (run: SyncRun) => {
  const { status, repositories, tagsSeen, selected, queued, skipped, errors } = run;
  return { status, repositories, tagsSeen, selected, queued, skipped, errors };
};

/** The images of an integration, without ids and registry: comparable across integrations. */
const images = (registryId: string) =>
  withMysql(server.config.mysqlUrl, async (my) => {
    const [rows] = await my.query<any[]>(
      `SELECT repository, tag, platform, digest, tagDigest, createdAt, pushedAt, addedBy, removed, \`current\`, lastSeenAt
         FROM image WHERE registryId = ? ORDER BY repository, tag, platform, digest`,
      [registryId],
    );
    return rows.map((r) => ({ ...r, removed: Boolean(r.removed), current: Boolean(r.current) }));
  });

const listing = (registryId: string) =>
  withMysql(server.config.mysqlUrl, async (my) => {
    const [rows] = await my.query<any[]>(
      "SELECT repository, tag, digest, createdAt, listedAt FROM registry_tag WHERE registryId = ? ORDER BY repository, tag",
      [registryId],
    );
    return rows;
  });

const scanJobs = (registryId: string) =>
  withMysql(server.config.mysqlUrl, async (my) => {
    const [rows] = await my.query<any[]>(
      `SELECT s.id, s.status, i.repository, i.tag, i.platform FROM scan_job s JOIN image i ON i.id = s.imageId
        WHERE s.registryId = ? ORDER BY i.repository, i.tag, i.platform`,
      [registryId],
    );
    return rows;
  });

const storedRun = (id: string) =>
  withMysql(server.config.mysqlUrl, async (my) => {
    const [[row]] = await my.query<any[]>("SELECT status, finishedAt, repositories, errors FROM sync_run WHERE id = ?", [id]);
    return { ...row, errors: typeof row.errors === "string" ? JSON.parse(row.errors) : row.errors };
  });

const layer = (name: string) => buildLayer([file(`app/${name}`, `${name}\n`)]);
let cli03: string;

beforeAll(async () => {
  server = await startTestServer();
  registry = await startRegistry();
  db = await openMysql(server.config.mysqlUrl, 4);
  utils = await makeWorkerUtils({ connectionString: server.config.databaseUrl });
  secrets = loadSecretBox(server.config, capturingLogger().logger);

  // 5 repositories, 14 tags: Docker and OCI manifests, a tag sharing another's
  // digest, a multi-platform index with an attestation, a pre-1980 date.
  const api11 = await pushImage(registry, "team/api", "1.1", { layers: [layer("api-1.1")], config: { created: on("2024-06-01") }, format: "oci" });
  await pushBuiltImage(registry, "team/api", "latest", api11.image);
  await pushImage(registry, "team/api", "1.0", { layers: [layer("api-1.0")], config: { created: on("2024-01-10") } });
  await pushImage(registry, "team/api", "1.2", { layers: [layer("api-1.2")], config: { created: on("2024-05-20") } });
  await pushIndex(
    registry,
    "team/web",
    "2.0",
    [
      { platform: { os: "linux", architecture: "amd64" }, config: { created: on("2024-06-02") } },
      { platform: { os: "linux", architecture: "arm64", variant: "v8" }, config: { created: on("2024-06-02") } },
    ],
    { attestation: true },
  );
  await pushImage(registry, "team/web", "1.9", { layers: [layer("web-1.9")], config: { created: on("2024-03-01") } });
  await pushImage(registry, "team/db", "4.9", { layers: [layer("db-4.9")], config: { created: on("2023-12-01") } });
  await pushImage(registry, "team/db", "5.0", { layers: [layer("db-5.0")], config: { created: on("2024-05-25") }, format: "oci" });
  await pushImage(registry, "team/db", "5.1", { layers: [layer("db-5.1")], config: { created: on("2024-06-03") } });
  await pushImage(registry, "tools/cli", "0.1", { layers: [layer("cli-0.1")], config: { created: on("2023-01-15") } });
  await pushImage(registry, "tools/cli", "0.2", { layers: [layer("cli-0.2")], config: { created: on("2024-04-01") }, format: "oci" });
  cli03 = (await pushImage(registry, "tools/cli", "0.3", { layers: [layer("cli-0.3")], config: { created: on("2024-04-15") } })).manifestDigest;
  await pushImage(registry, "tools/cli", "0.4", { layers: [layer("cli-0.4")], config: { created: on("2023-10-01") } });
  await pushImage(registry, "legacy/tool", "0.1", { layers: [layer("tool")], config: { created: new Date(0) } });
});

afterAll(async () => {
  await Promise.all(proxies.map((p) => p.stop()));
  await utils?.release();
  await db?.destroy();
  await registry?.stop();
  await server?.stop();
});

test("with ~20 % of requests failing, a run ends with the same images and counts as a fault-free one, and waits every Retry-After", async () => {
  const clean = await proxy({});
  const faulty = await proxy({
    seed: 6, // 12 faults in 58 requests, every kind (the content is fixed, so this holds on every run)
    rate: 0.2,
    faults: [...ALL_FAULTS],
    maxConsecutive: RETRY.attempts - 2, // below the 3 retries the client has
    retryAfterSeconds: RETRY_AFTER_SECONDS,
    slowMs: 150,
  });
  const cleanId = await addRegistry("fault-free", clean.url);
  const faultyId = await addRegistry("faulty", faulty.url);

  const reference = await sync(cleanId);
  expect(reference).toMatchObject({ status: SyncStatus.SUCCEEDED, repositories: 5, tagsSeen: 14, errors: [], skipped: [] });
  // The 2 newest of each: api latest + 1.1 (one digest), web 2.0 (two platforms) + 1.9, db 5.1 + 5.0, cli 0.3 + 0.2; legacy 0.1.
  expect(reference.selected).toBe(9);
  expect(reference.queued).toBe(10);
  expect(clean.stats().faults).toEqual({ "429": 0, "500": 0, "503": 0, reset: 0, slow: 0 });
  // Without faults nothing is asked twice: 1.1 and latest share one manifest GET, each config is fetched once.
  const asked = [...clean.stats().byKey];
  expect(asked.filter(([, n]) => n > 1)).toEqual([]);
  expect(asked.filter(([key]) => key.startsWith("GET ") && key.includes("/blobs/"))).toHaveLength(14);

  const retries: (RetryEvent & { operation: string })[] = [];
  const started = performance.now();
  const run = await sync(faultyId, (event) => retries.push(event));
  const tookMs = performance.now() - started;

  // The schedule really hurt: about a fifth of the requests, every kind of fault.
  const stats = faulty.stats();
  const faults = Object.values(stats.faults).reduce((a, b) => a + b, 0);
  expect(faults / stats.requests).toBeGreaterThan(0.1);
  expect(faults / stats.requests).toBeLessThan(0.35);
  for (const kind of ALL_FAULTS) expect(stats.faults[kind]).toBeGreaterThan(0);
  expect(stats.maxConsecutiveSeen).toBeLessThanOrEqual(RETRY.attempts - 2);

  // …and changed nothing in the outcome.
  expect(counts(run)).toEqual(counts(reference));
  const strip = (rows: Awaited<ReturnType<typeof images>>) => rows.map(({ lastSeenAt: _, ...row }) => row);
  expect(strip(await images(faultyId))).toEqual(strip(await images(cleanId)));
  expect((await listing(faultyId)).map(({ listedAt: _, ...row }) => row)).toEqual((await listing(cleanId)).map(({ listedAt: _, ...row }) => row));
  expect((await scanJobs(faultyId)).map(({ id: _, ...job }) => job)).toEqual((await scanJobs(cleanId)).map(({ id: _, ...job }) => job));

  // Retry-After honoured, as the proxy measured it: no request of a key came
  // sooner than the wait its last 429/503 asked for…
  expect(faulty.retryAfterViolations()).toBe(0);
  const log = faulty.log();
  const told = log.filter((e) => e.fault === "429" || e.fault === "503");
  expect(told.length).toBe(stats.faults["429"] + stats.faults["503"]);
  for (const answer of told) {
    const next = log.find((e) => e.seq > answer.seq && e.key === answer.key);
    expect(next).toBeDefined(); // it was retried…
    expect(next!.at - answer.at).toBeGreaterThanOrEqual(RETRY_AFTER_SECONDS * 1000 - 10); // …not sooner than asked
  }
  // …the client waited exactly what it was told, not its own (shorter) backoff…
  const waited = retries.filter((r) => r.retryAfter);
  expect(waited).toHaveLength(told.length);
  expect(waited.every((r) => r.delayMs === RETRY_AFTER_SECONDS * 1000)).toBe(true);
  expect(retries).toHaveLength(faults - stats.faults.slow);
  // …and the run took at least the waits that were told one after the other to one request.
  const toldPerKey = new Map<string, number>();
  for (const answer of told) toldPerKey.set(answer.key, (toldPerKey.get(answer.key) ?? 0) + 1);
  const longestChainMs = Math.max(...toldPerKey.values()) * RETRY_AFTER_SECONDS * 1000;
  expect(tookMs).toBeGreaterThanOrEqual(longestChainMs);
});

test("a registry that is down gives a FAILED run with REGISTRY_UNREACHABLE, throws nothing and touches nothing stored", async () => {
  const gateway = await proxy({});
  const registryId = await addRegistry("goes down", gateway.url);
  const first = await sync(registryId);
  expect(first.status).toBe(SyncStatus.SUCCEEDED);
  const before = { images: await images(registryId), listing: await listing(registryId), jobs: await scanJobs(registryId) };
  expect(before.images).toHaveLength(10);

  await gateway.stop(); // nothing listens on its loopback port any more
  const retries: RetryEvent[] = [];
  const run = await sync(registryId, (event) => retries.push(event));

  expect(run.status).toBe(SyncStatus.FAILED);
  expect(run.errors).toEqual([{ repository: null, code: "REGISTRY_UNREACHABLE", message: expect.stringMatching(/refused the connection.*after 4 attempts/) }]);
  expect(retries.map((r) => r.code)).toEqual(["REGISTRY_UNREACHABLE", "REGISTRY_UNREACHABLE", "REGISTRY_UNREACHABLE"]);
  expect(run).toMatchObject({ repositories: 0, tagsSeen: 0, selected: 0, queued: 0 });
  const stored = await storedRun(run.id);
  expect(stored).toMatchObject({ status: "FAILED", errors: run.errors });
  expect(stored.finishedAt).not.toBeNull();
  expect({ images: await images(registryId), listing: await listing(registryId), jobs: await scanJobs(registryId) }).toEqual(before);

  const answer = await server.gql(`query($id: ID!) { registry(id: $id) { lastSync { status errors { repository code } } } }`, { id: registryId });
  expect(answer.errors).toBeUndefined();
  expect(answer.data!.registry.lastSync).toEqual({ status: "FAILED", errors: [{ repository: null, code: "REGISTRY_UNREACHABLE" }] });
});

test("a repository whose listing keeps failing is recorded, the others are processed, and its images are not marked removed", async () => {
  let failing = false;
  const FAILING_KEY = "GET /v2/team/db/tags/list";
  const gateway = await proxy({
    seed: 7,
    rate: 1,
    faults: ["500", "reset"],
    maxConsecutive: 100, // more than the retry budget: the listing never gets through
    only: ({ key }) => failing && key === FAILING_KEY,
  });
  const registryId = await addRegistry("one repository fails", gateway.url);
  const first = await sync(registryId);
  expect(first).toMatchObject({ status: SyncStatus.SUCCEEDED, repositories: 5, errors: [] });
  const dbImagesBefore = (await images(registryId)).filter((i) => i.repository === "team/db");
  const dbListingBefore = (await listing(registryId)).filter((t) => t.repository === "team/db");
  expect(dbImagesBefore.map((i) => i.tag)).toEqual(["5.0", "5.1"]);

  // The other repositories change: a new tag, and a tag that vanishes.
  const cli05 = await pushImage(registry, "tools/cli", "0.5", { layers: [layer("cli-0.5")], config: { created: on("2024-06-05") } });
  await deleteManifest(registry, "tools/cli", cli03);
  failing = true;
  const attemptsBefore = gateway.stats().byKey.get(FAILING_KEY) ?? 0;
  const run = await sync(registryId);

  expect(run.status).toBe(SyncStatus.PARTIAL);
  expect(run.errors).toEqual([
    { repository: "team/db", code: "REGISTRY_UNREACHABLE", message: expect.stringMatching(/tags of team\/db.*after 4 attempts/) },
  ]);
  expect((gateway.stats().byKey.get(FAILING_KEY) ?? 0) - attemptsBefore).toBe(RETRY.attempts);
  expect(gateway.stats().faults["500"] + gateway.stats().faults.reset).toBe(RETRY.attempts);
  // The other four were listed: 14 tags less team/db's 3, less cli 0.3, plus cli 0.5.
  expect(run).toMatchObject({ repositories: 4, tagsSeen: 11, queued: 1 });
  expect((await storedRun(run.id)).status).toBe("PARTIAL");

  const after = await images(registryId);
  const cli = after.filter((i) => i.repository === "tools/cli");
  expect(cli.find((i) => i.tag === "0.5")).toMatchObject({ digest: cli05.manifestDigest, removed: false, current: true });
  expect(cli.find((i) => i.tag === "0.3")).toMatchObject({ removed: true }); // vanished from a repository that listed
  // The failed repository keeps its images and its stored listing, untouched.
  expect(after.filter((i) => i.repository === "team/db")).toEqual(dbImagesBefore);
  expect((await listing(registryId)).filter((t) => t.repository === "team/db")).toEqual(dbListingBefore);

  // Once it lists again, it is back to normal.
  failing = false;
  const healed = await sync(registryId);
  expect(healed).toMatchObject({ status: SyncStatus.SUCCEEDED, repositories: 5, errors: [], queued: 0 });
  expect((await images(registryId)).filter((i) => i.repository === "team/db").every((i) => !i.removed && i.current)).toBe(true);
});
