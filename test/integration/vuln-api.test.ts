import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { makeWorkerUtils, type WorkerUtils } from "graphile-worker";
import type { DataSource } from "typeorm";
import { type Image, ImportRun } from "../../db/entities";
import { ImportStatus, PackageType, Severity } from "../../db/enums";
import { openMysql } from "../../db/mysql";
import type { JobQueue } from "../../server/jobs";
import { ImportRunService } from "../../server/modules/vuln/import-run.service";
import { allPages } from "../helpers/pages";
import { randomDigest, seedArtifact, seedFindings, seedImage, seedImportRun, type SeedFinding } from "../helpers/scan-rows";
import { errorCode, startTestServer, type TestServer } from "../helpers/server";

const IMPORT = `mutation($source: String!) {
  importVulnerabilities(source: $source) {
    id status source imported withdrawn unchanged malformed { id reason } version error startedAt finishedAt changedImages { totalCount }
  }
}`;
const UNKNOWN = "00000000-0000-0000-0000-000000000000";

let server: TestServer;
let db: DataSource;
let utils: WorkerUtils;
let registryId: string;
let importRoot: string;
let outside: string;

const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute));
const ids = (rows: { id: string }[]) => rows.map((row) => row.id);

beforeAll(async () => {
  importRoot = mkdtempSync(path.join(os.tmpdir(), "drydock-osv-"));
  mkdirSync(path.join(importRoot, "debian"));
  writeFileSync(path.join(importRoot, "debian", "DLA-1000-1.json"), "{}");
  outside = mkdtempSync(path.join(os.tmpdir(), "drydock-outside-"));
  writeFileSync(path.join(outside, "all.json"), "{}");

  server = await startTestServer({ DRYDOCK_IMPORT_ROOTS: importRoot });
  db = await openMysql(server.config.mysqlUrl, 2);
  utils = await makeWorkerUtils({ connectionString: server.config.databaseUrl });
  const answer = await server.gql(`mutation($input: AddRegistryInput!) { addRegistry(input: $input) { id } }`, {
    input: { name: "vulns", type: "DOCKER_REGISTRY", url: "https://registry.example.com", authMethod: "NONE" },
  });
  registryId = answer.data!.addRegistry.id;
});

afterAll(async () => {
  await utils?.release();
  await db?.destroy();
  await server?.stop();
  for (const dir of [importRoot, outside]) if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("importVulnerabilities", () => {
  interface ImportJob {
    payload: { importRunId: string };
    queue_name: string;
    max_attempts: number;
  }
  const importJobs = async (): Promise<ImportJob[]> =>
    (
      await utils.withPgClient((pg) =>
        // The public `jobs` view has no payload.
        pg.query<ImportJob>(
          `SELECT j.payload, q.queue_name, j.max_attempts FROM graphile_worker._private_jobs j
             JOIN graphile_worker._private_tasks t ON t.id = j.task_id
             LEFT JOIN graphile_worker._private_job_queues q ON q.id = j.job_queue_id
            WHERE t.identifier = 'vulndb_import' ORDER BY j.id`,
        ),
      )
    ).rows;
  const stored = async () => ({ runs: await db.getRepository(ImportRun).count(), jobs: (await importJobs()).length });

  test.each([
    ["a path outside the import roots", () => path.join(outside, "all.json"), "is not under DRYDOCK_IMPORT_ROOTS"],
    ["a path that climbs out of a root", () => path.join(importRoot, "..", path.basename(outside), "all.json"), "is not under DRYDOCK_IMPORT_ROOTS"],
    ["a file: URL", () => `file://${path.join(importRoot, "debian")}`, "file: URLs are refused"],
    ["a missing file under a root", () => path.join(importRoot, "debian", "missing.json"), "no such file"],
    ["a blank source", () => "   ", "the source is empty"],
    ["a source longer than the column", () => `https://osv.example.com/${"a".repeat(2100)}.zip`, "at most 2048 characters"],
  ])("refuses %s: BAD_USER_INPUT on source; no run stored, no job queued", async (_label, source, reason) => {
    const before = await stored();
    const answer = await server.gql(IMPORT, { source: source() });
    expect(errorCode(answer)).toBe("BAD_USER_INPUT");
    expect(answer.errors![0].extensions!.fields).toEqual([{ field: "source", message: expect.stringContaining(reason) }]);
    expect(answer.data).toBeNull();
    expect(await stored()).toEqual(before);
  });

  test("accepts a directory under a root: stores the run QUEUED, trimmed, and queues one vulndb_import job", async () => {
    const directory = path.join(importRoot, "debian");
    const before = await stored();
    const answer = await server.gql(IMPORT, { source: `  ${directory}\n` });
    expect(answer.errors).toBeUndefined();
    const run = answer.data!.importVulnerabilities;
    expect(run).toEqual({
      id: expect.any(String),
      status: "QUEUED",
      source: directory,
      imported: 0,
      withdrawn: 0,
      unchanged: 0,
      malformed: [],
      version: null,
      error: null,
      startedAt: null,
      finishedAt: null,
      changedImages: { totalCount: 0 },
    });
    expect(await stored()).toEqual({ runs: before.runs + 1, jobs: before.jobs + 1 });
    expect((await importJobs()).filter((job) => job.payload.importRunId === run.id)).toEqual([
      { payload: { importRunId: run.id }, queue_name: "vulndb", max_attempts: 1 },
    ]);
    expect(await db.getRepository(ImportRun).findOneByOrFail({ id: run.id })).toMatchObject({ status: ImportStatus.QUEUED, source: directory });
  });

  test("a run whose job could not be queued is not kept", async () => {
    const down = { queueImport: () => Promise.reject(new Error("PostgreSQL is down")) } as Partial<JobQueue> as JobQueue;
    const before = await stored();
    await expect(new ImportRunService(db, down, [importRoot]).queue("https://osv.invalid/all.zip")).rejects.toThrow("PostgreSQL is down");
    expect(await stored()).toEqual(before);
  });

  test("the reconciler queues again a QUEUED run whose job was lost, and fails a RUNNING run whose worker was lost", async () => {
    const queued = (await server.gql(IMPORT, { source: "https://osv.invalid/lost/all.zip" })).data!.importVulnerabilities.id as string;
    const running = (await server.gql(IMPORT, { source: "https://osv.invalid/running/all.zip" })).data!.importVulnerabilities.id as string;
    const live = (await server.gql(IMPORT, { source: "https://osv.invalid/live/all.zip" })).data!.importVulnerabilities.id as string;
    await db.query("UPDATE import_run SET status = ?, startedAt = NOW(3) WHERE id IN (?)", [ImportStatus.RUNNING, [running, live]]);
    await utils.withPgClient(async (pg) => {
      // queued: its job is gone; running: its worker was reaped (unlocked, no attempt left); live: a worker holds it.
      await pg.query("SELECT graphile_worker.remove_job($1)", [`vulndb_import:${queued}`]);
      await pg.query("UPDATE graphile_worker._private_jobs SET attempts = max_attempts WHERE key = $1", [`vulndb_import:${running}`]);
      await pg.query("UPDATE graphile_worker._private_jobs SET locked_at = now(), locked_by = 'a-live-worker' WHERE key = $1", [`vulndb_import:${live}`]);
    });
    const { reconcileImports } = await import("../../workers/vuln/import/import-queue");
    // Within the grace period nothing is touched.
    expect(await reconcileImports(db, utils, new Date(Date.now() - 60_000))).toEqual({ requeued: [], lost: [] });
    const result = await reconcileImports(db, utils, new Date(Date.now() + 1000));
    expect(result.requeued).toContain(queued);
    expect(result.lost).toEqual([running]);
    expect((await importJobs()).filter((job) => job.payload.importRunId === queued)).toEqual([
      { payload: { importRunId: queued }, queue_name: "vulndb", max_attempts: 1 },
    ]);
    const rows = await db.getRepository(ImportRun).findBy([{ id: running }, { id: live }]);
    expect(Object.fromEntries(rows.map((row) => [row.id, [row.status, row.error]]))).toEqual({
      [running]: [ImportStatus.FAILED, "the worker running this import was lost; import the source again"],
      [live]: [ImportStatus.RUNNING, null],
    });
    // Nothing is queued twice.
    expect((await reconcileImports(db, utils, new Date(Date.now() + 1000))).requeued).not.toContain(queued);
  });

  test("accepts an https URL without fetching it (the host does not even resolve)", async () => {
    const source = "https://osv.invalid/debian/all.zip";
    const answer = await server.gql(IMPORT, { source });
    expect(answer.errors).toBeUndefined();
    const run = answer.data!.importVulnerabilities;
    expect(run).toMatchObject({ status: "QUEUED", source });
    expect((await importJobs()).filter((job) => job.payload.importRunId === run.id)).toEqual([
      { payload: { importRunId: run.id }, queue_name: "vulndb", max_attempts: 1 },
    ]);
  });
});

describe("importRun and importRuns", () => {
  const LIST = `query($first: Int, $after: String) {
    importRuns(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id } } }
  }`;
  const RUN = `query($id: ID!) {
    importRun(id: $id) { id status source queuedAt startedAt finishedAt imported withdrawn unchanged malformed { id reason } version error }
  }`;
  let seeded: ImportRun[];

  beforeAll(async () => {
    seeded = [
      await seedImportRun(db, { queuedAt: at(1) }),
      await seedImportRun(db, { queuedAt: at(3) }),
      await seedImportRun(db, { queuedAt: at(2) }),
      await seedImportRun(db, { queuedAt: at(3) }),
      await seedImportRun(db, { queuedAt: at(4), status: ImportStatus.RUNNING }),
    ];
  });

  test("newest queued first, ties by id, page by page with the total", async () => {
    const [first, tieA, second, tieB, newest] = seeded;
    const ties = [tieA, tieB].sort((a, b) => (a.id < b.id ? 1 : -1));
    const { nodes, pages } = await allPages(server, LIST, {}, (d) => d.importRuns, 2);
    expect(pages).toBeGreaterThanOrEqual(3);
    const seededIds = new Set(ids(seeded));
    // Runs queued by other tests are newer (now) or older (before 2026): only the seeded ones' order is checked.
    expect(ids(nodes).filter((id) => seededIds.has(id))).toEqual(ids([newest, ...ties, second, first]));
  });

  test("importRun answers every field; an unknown id is NOT_FOUND", async () => {
    const run = await seedImportRun(db, {
      source: "https://osv.example.com/pypi.zip",
      status: ImportStatus.SUCCEEDED,
      queuedAt: at(10),
      startedAt: at(11),
      finishedAt: at(12),
      imported: 120,
      withdrawn: 2,
      unchanged: 7,
      malformed: [{ id: "PYSEC-2024-1", reason: "affected[0].ranges[0]: no events" }, { id: null, reason: "not JSON" }],
      version: 5,
    });
    const answer = await server.gql(RUN, { id: run.id });
    expect(answer.data!.importRun).toEqual({
      id: run.id,
      status: "SUCCEEDED",
      source: "https://osv.example.com/pypi.zip",
      queuedAt: at(10).toISOString(),
      startedAt: at(11).toISOString(),
      finishedAt: at(12).toISOString(),
      imported: 120,
      withdrawn: 2,
      unchanged: 7,
      malformed: [{ id: "PYSEC-2024-1", reason: "affected[0].ranges[0]: no events" }, { id: null, reason: "not JSON" }],
      version: 5,
      error: null,
    });
    const missing = await server.gql(RUN, { id: UNKNOWN });
    expect(errorCode(missing)).toBe("NOT_FOUND");
    expect(missing.data).toBeNull();
  });

  test("changedImages: the images resolving to the changed artifacts, newest first seen first, page by page", async () => {
    const [changedA, changedB, unchanged] = [randomDigest(), randomDigest(), randomDigest()];
    const images = {
      a1: await seedImage(db, registryId, { repository: "changed/app", tag: "1", digest: changedA, firstSeenAt: at(1) }),
      a2: await seedImage(db, registryId, { repository: "changed/app", tag: "latest", digest: changedA, firstSeenAt: at(4) }),
      b: await seedImage(db, registryId, { repository: "changed/web", tag: "1", digest: changedB, firstSeenAt: at(3) }),
      c: await seedImage(db, registryId, { repository: "changed/db", tag: "1", digest: unchanged, firstSeenAt: at(2) }),
    };
    // A changed artifact no image resolves to any more adds nothing.
    const run = await seedImportRun(db, {}, [changedA, changedB, randomDigest()]);
    const quiet = await seedImportRun(db);
    const CHANGED = `query($id: ID!, $first: Int, $after: String) {
      importRun(id: $id) { changedImages(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id digest } } } }
    }`;
    const { nodes, pages } = await allPages(server, CHANGED, { id: run.id }, (d) => d.importRun.changedImages, 2);
    expect(pages).toBe(2);
    expect(ids(nodes)).toEqual(ids([images.a2, images.b, images.a1]));
    expect((await allPages(server, CHANGED, { id: quiet.id }, (d) => d.importRun.changedImages, 2)).nodes).toEqual([]);
  });
});

describe("Image.vulnerabilities and vulnerabilitySummary", () => {
  const VULNERABILITIES = `query($id: ID!, $first: Int, $after: String, $filter: VulnerabilityFilter) {
    image(id: $id) {
      vulnerabilities(first: $first, after: $after, filter: $filter) {
        totalCount pageInfo { hasNextPage endCursor }
        edges { cursor node { advisoryId aliases packageType packageName sourceName installedVersion fixedVersion severity cvssScore summary } }
      }
    }
  }`;
  const SUMMARY = `query($id: ID!) { image(id: $id) { vulnerabilitySummary { critical high medium low unknown fixable total } } }`;

  const lodash = (installedVersion: string): SeedFinding => ({
    advisoryId: "GHSA-p6mc-m468-83gw",
    packageType: PackageType.npm,
    packageName: "lodash",
    installedVersion,
    severity: Severity.MEDIUM,
  });
  // The order the API answers: severity (worst first), advisory id, package name, then id (insertion order).
  const ORDERED: SeedFinding[] = [
    { advisoryId: "GHSA-jfh8-c2jp-5v3q", aliases: ["CVE-2021-44228"], packageType: PackageType.maven, packageName: "org.apache.logging.log4j:log4j-core", installedVersion: "2.14.1", fixedVersion: "2.15.0", severity: Severity.CRITICAL, cvssScore: 10, summary: "Log4Shell" },
    { advisoryId: "DLA-1000-1", packageName: "zlib1g", sourceName: "zlib", installedVersion: "1:1.2.13.dfsg-1", severity: Severity.HIGH, cvssScore: 7.5 },
    { advisoryId: "DLA-2000-1", aliases: ["CVE-2024-5535"], packageName: "libssl3", sourceName: "openssl", installedVersion: "3.0.11-1", fixedVersion: "3.0.13-1", severity: Severity.HIGH },
    { advisoryId: "DLA-2000-1", aliases: ["CVE-2024-5535"], packageName: "openssl", installedVersion: "3.0.11-1", fixedVersion: "3.0.13-1", severity: Severity.HIGH },
    { advisoryId: "DLA-3000-1", packageName: "curl", installedVersion: "7.88.1-10", severity: Severity.MEDIUM, cvssScore: 5.3 },
    lodash("4.17.20"),
    lodash("4.17.21"),
    { advisoryId: "DLA-0500-1", packageName: "openssl", installedVersion: "3.0.11-1", fixedVersion: "3.0.12-1", severity: Severity.LOW },
    { advisoryId: "DLA-0001-1", packageName: "bash", installedVersion: "5.2.15-2", severity: Severity.UNKNOWN },
  ];
  const key = (f: { advisoryId: string; packageName: string; installedVersion: string }) => `${f.advisoryId} ${f.packageName} ${f.installedVersion}`;
  let vulnerable: Image;
  let clean: Image;
  let unmatched: Image;
  let unscanned: Image;

  beforeAll(async () => {
    vulnerable = await seedImage(db, registryId, { repository: "vulns/app" });
    clean = await seedImage(db, registryId, { repository: "vulns/clean" });
    unmatched = await seedImage(db, registryId, { repository: "vulns/unmatched" });
    unscanned = await seedImage(db, registryId, { repository: "vulns/unscanned" });
    for (const image of [vulnerable, clean, unmatched]) await seedArtifact(db, image.digest, null, []);
    // Stored out of order, except that the two lodash findings keep theirs: their ids break the tie.
    const [critical, zlib, libssl, openssl, curl, lodash20, lodash21, low, unknown] = ORDERED;
    await seedFindings(db, vulnerable.digest, [unknown, openssl, lodash20, critical, low, libssl, lodash21, curl, zlib]);
    await seedFindings(db, clean.digest, []);
  });

  const list = async (image: Image, filter: Record<string, unknown> | null, first = 500) =>
    (await allPages(server, VULNERABILITIES, { id: image.id, filter }, (d) => d.image.vulnerabilities, first)).nodes;

  test("worst first, then advisory id, package name and id, page by page with the total", async () => {
    const { nodes, pages } = await allPages(server, VULNERABILITIES, { id: vulnerable.id }, (d) => d.image.vulnerabilities, 2);
    expect(pages).toBe(5);
    expect(nodes.map(key)).toEqual(ORDERED.map(key));
    expect(nodes[0]).toEqual({
      advisoryId: "GHSA-jfh8-c2jp-5v3q",
      aliases: ["CVE-2021-44228"],
      packageType: "maven",
      packageName: "org.apache.logging.log4j:log4j-core",
      sourceName: null,
      installedVersion: "2.14.1",
      fixedVersion: "2.15.0",
      severity: "CRITICAL",
      cvssScore: 10,
      summary: "Log4Shell",
    });
    expect(nodes[1]).toMatchObject({ packageName: "zlib1g", sourceName: "zlib", severity: "HIGH", cvssScore: 7.5, fixedVersion: null });
  });

  test("each filter field narrows the list, and they combine", async () => {
    const keys = async (filter: Record<string, unknown>) => (await list(vulnerable, filter, 3)).map(key);
    const where = (keep: (f: SeedFinding) => boolean) => ORDERED.filter(keep).map(key);
    expect(await keys({ severity: ["HIGH", "LOW"] })).toEqual(where((f) => f.severity === Severity.HIGH || f.severity === Severity.LOW));
    expect(await keys({ minSeverity: "HIGH" })).toEqual(ORDERED.slice(0, 4).map(key));
    expect(await keys({ minSeverity: "UNKNOWN" })).toEqual(ORDERED.map(key));
    expect(await keys({ fixable: true })).toEqual(where((f) => !!f.fixedVersion));
    expect(await keys({ fixable: false })).toEqual(where((f) => !f.fixedVersion));
    expect(await keys({ packageName: "openssl" })).toEqual(where((f) => f.packageName === "openssl"));
    expect(await keys({ minSeverity: "MEDIUM", fixable: false })).toEqual(ORDERED.slice(0, 7).filter((f) => !f.fixedVersion).map(key));
    expect(await keys({ severity: ["CRITICAL"], packageName: "openssl" })).toEqual([]);
  });

  test("an empty severity list is BAD_USER_INPUT", async () => {
    const answer = await server.gql(VULNERABILITIES, { id: vulnerable.id, filter: { severity: [] } });
    expect(errorCode(answer)).toBe("BAD_USER_INPUT");
    expect(answer.errors![0].extensions!.fields).toEqual([{ field: "severity", message: expect.stringContaining("should not be empty") }]);
  });

  test("an image without findings, or not scanned, has an empty list", async () => {
    for (const image of [clean, unmatched, unscanned]) expect(await list(image, null)).toEqual([]);
  });

  test("the summary counts by severity; zeros when matched without findings; null before matching", async () => {
    const summary = async (image: Image) => (await server.gql(SUMMARY, { id: image.id })).data!.image.vulnerabilitySummary;
    expect(await summary(vulnerable)).toEqual({ critical: 1, high: 3, medium: 3, low: 1, unknown: 1, fixable: 4, total: 9 });
    expect(await summary(clean)).toEqual({ critical: 0, high: 0, medium: 0, low: 0, unknown: 0, fixable: 0, total: 0 });
    expect(await summary(unmatched)).toBeNull();
    expect(await summary(unscanned)).toBeNull();
  });
});

test("images(filter: { minSeverity }): images whose artifact has a finding that bad or worse", async () => {
  const repository = "severity/app";
  const image = (tag: string, minute: number, digest?: string) => seedImage(db, registryId, { repository, tag, firstSeenAt: at(minute), ...(digest && { digest }) });
  const critical = await image("critical", 1);
  const high = await image("high", 2);
  const highTwin = await image("high-twin", 3, high.digest);
  const low = await image("low", 4);
  const clean = await image("clean", 5);
  await image("unscanned", 6);
  const finding = (severity: Severity): SeedFinding => ({ advisoryId: `DLA-${severity}`, packageName: "openssl", installedVersion: "3.0.11-1", severity });
  for (const [scanned, severities] of [
    [critical, [Severity.LOW, Severity.CRITICAL]],
    [high, [Severity.HIGH, Severity.UNKNOWN]],
    [low, [Severity.LOW]],
    [clean, []],
  ] as const) {
    await seedArtifact(db, scanned.digest, null, []);
    await seedFindings(db, scanned.digest, severities.map(finding));
  }
  const LIST = `query($first: Int, $after: String, $filter: ImageFilter) {
    images(first: $first, after: $after, filter: $filter) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id } } }
  }`;
  const matching = async (minSeverity: string) => ids((await allPages(server, LIST, { filter: { repository, minSeverity } }, (d) => d.images, 2)).nodes);
  expect(await matching("CRITICAL")).toEqual(ids([critical]));
  // Findings belong to the artifact: both tags of the high digest match.
  expect(await matching("HIGH")).toEqual(ids([highTwin, high, critical]));
  expect(await matching("LOW")).toEqual(ids([low, highTwin, high, critical]));
  expect(await matching("UNKNOWN")).toEqual(ids([low, highTwin, high, critical]));
});
