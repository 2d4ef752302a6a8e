import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseCrontab } from "graphile-worker";
import type { DataSource } from "typeorm";
import { ImportRun } from "../../db/entities";
import { ImportStatus, PackageType } from "../../db/enums";
import { crontab } from "../../workers/tasks";
import { runImport } from "../../workers/vuln/import/import-run";
import { databaseVersion } from "../../workers/vuln/store/database-version";
import { openWorkerSide, type WorkerSide } from "../helpers/discovery";
import { fixturePath } from "../helpers/fixtures";
import { capturingLogger } from "../helpers/logs";
import { randomDigest, seedArtifact, seedImage } from "../helpers/scan-rows";
import { addPlainRegistry } from "../helpers/scanning";
import { startTestServer, type TestServer } from "../helpers/server";

/** Imports run by the worker's code on the real database, from copies of the shared OSV fixtures. */

let server: TestServer;
let side: WorkerSide;
let db: DataSource;
let root: string;
const logger = capturingLogger("silent").logger;

beforeAll(async () => {
  server = await startTestServer();
  side = await openWorkerSide(server);
  db = side.db;
  root = mkdtempSync(path.join(os.tmpdir(), "drydock-osv-"));
  cpSync(fixturePath("osv"), path.join(root, "real"), { recursive: true });
});

afterAll(async () => {
  await side?.close();
  await server?.stop();
  rmSync(root, { recursive: true, force: true });
});

async function importFrom(source: string) {
  const id = crypto.randomUUID();
  await db.getRepository(ImportRun).insert({ id, source, status: ImportStatus.QUEUED, malformed: [] });
  return (await runImport({ db, roots: [root], logger }, id))!;
}

/** The image's vulnerabilitySummary as the API answers it: the counts stored with the findings. */
const summaryOf = async (imageId: string) =>
  (await server.gql(`query($id: ID!) { image(id: $id) { vulnerabilitySummary { critical high medium low unknown fixable total } } }`, { id: imageId })).data!.image
    .vulnerabilitySummary;

const findingsOf = (digest: string) =>
  db.query("SELECT advisoryId, packageName, installedVersion, fixedVersion, severity FROM finding WHERE artifactDigest = ? ORDER BY advisoryId", [digest]);

test("an import merges records, reports malformed ones by id, takes a new version only when something changed, and re-matches stored inventories", async () => {
  const registryId = await addPlainRegistry(server, { name: "osv-images", url: "http://127.0.0.1:9" });
  // An inventory stored before any record exists: alpine 3.18 with musl 1.2.4-r0 (real fixture versions).
  const alpine = randomDigest();
  await seedArtifact(db, alpine, { id: "alpine", versionId: "3.18.1", prettyName: null, versionCodename: null }, [
    { type: PackageType.apk, name: "musl", version: "1.2.4-r0", purl: "pkg:apk/alpine/musl@1.2.4-r0", sourceName: "musl" },
    { type: PackageType.apk, name: "zlib", version: "1.2.13-r1", purl: "pkg:apk/alpine/zlib@1.2.13-r1", sourceName: "zlib" },
  ]);
  const image = await seedImage(db, registryId, { digest: alpine });
  const broken = path.join(root, "broken");
  mkdirSync(broken);
  writeFileSync(path.join(broken, "bad-json.json"), "{ not json");
  writeFileSync(path.join(broken, "no-modified.json"), JSON.stringify({ id: "GHSA-xxxx-no-modified", affected: [] }));

  const first = await importFrom(root);
  expect(first).toMatchObject({ status: "SUCCEEDED", imported: 27, withdrawn: 0, unchanged: 0, version: 1, error: null });
  expect(first.malformed).toHaveLength(2);
  expect(first.malformed).toEqual(expect.arrayContaining([expect.objectContaining({ id: "GHSA-xxxx-no-modified" })]));
  expect(await databaseVersion(db)).toBe(1);
  // Matched without pulling anything: the image's artifact now has its finding, and the run names it.
  expect(await findingsOf(alpine)).toEqual([
    { advisoryId: "ALPINE-CVE-2025-26519", packageName: "musl", installedVersion: "1.2.4-r0", fixedVersion: "1.2.4-r3", severity: expect.any(String) },
  ]);
  expect(await db.query("SELECT artifactDigest FROM import_run_change WHERE importRunId = ?", [first.id])).toEqual([{ artifactDigest: image.digest }]);
  expect(await db.query("SELECT matchedVersion FROM artifact WHERE digest = ?", [alpine])).toEqual([{ matchedVersion: 1 }]);
  const [{ severity }] = await findingsOf(alpine);
  const counted = { critical: 0, high: 0, medium: 0, low: 0, unknown: 0, [severity.toLowerCase()]: 1 };
  expect(await summaryOf(image.id)).toEqual({ ...counted, fixable: 1, total: 1 });

  const again = await importFrom(path.join(root, "real"));
  expect(again).toMatchObject({ status: "SUCCEEDED", imported: 0, unchanged: 27, version: 1 });
  expect(await db.query("SELECT COUNT(*) AS n FROM import_run_change WHERE importRunId = ?", [again.id])).toEqual([{ n: "0" }]);

  // The Alpine record is withdrawn upstream: it is removed, the version moves on, the finding goes.
  const record = JSON.parse(readFileSync(fixturePath("osv", "Alpine", "ALPINE-CVE-2025-26519.json"), "utf8"));
  const withdrawn = path.join(root, "withdrawn.json");
  writeFileSync(withdrawn, JSON.stringify({ ...record, modified: "2031-01-01T00:00:00Z", withdrawn: "2031-01-01T00:00:00Z" }));
  const third = await importFrom(withdrawn);
  expect(third).toMatchObject({ status: "SUCCEEDED", imported: 0, withdrawn: 1, version: 2 });
  expect(await findingsOf(alpine)).toEqual([]);
  expect(await summaryOf(image.id)).toEqual({ critical: 0, high: 0, medium: 0, low: 0, unknown: 0, fixable: 0, total: 0 });
  expect(await db.query("SELECT artifactDigest FROM import_run_change WHERE importRunId = ?", [third.id])).toEqual([{ artifactDigest: alpine }]);
});

test("rpm packages of a distribution without an OSV ecosystem are inventory only, and the image says so", async () => {
  const registryId = await addPlainRegistry(server, { name: "fedora-images", url: "http://127.0.0.1:9" });
  const fedora = randomDigest();
  await seedArtifact(db, fedora, { id: "fedora", versionId: "40", prettyName: "Fedora Linux 40", versionCodename: null }, [
    { type: PackageType.rpm, name: "bash", version: "5.2.26-3.fc40", purl: "pkg:rpm/fedora/bash@5.2.26-3.fc40" },
  ]);
  const image = await seedImage(db, registryId, { digest: fedora });
  // Any change to the database re-matches every inventory; this authored record is one.
  const authored = path.join(root, "authored-fedora.json");
  writeFileSync(authored, JSON.stringify({ id: "DRYDOCK-AUTHORED-1", modified: "2030-01-01T00:00:00Z", summary: "written for drydock's tests, not a real advisory", affected: [] }));
  expect(await importFrom(authored)).toMatchObject({ status: "SUCCEEDED", imported: 1 });
  const notes = (await server.gql(`query($id: ID!) { image(id: $id) { vulnerabilityNotes vulnerabilities(first: 5) { totalCount } } }`, { id: image.id })).data!.image;
  expect(notes.vulnerabilities.totalCount).toBe(0);
  expect(notes.vulnerabilityNotes).toEqual([expect.stringMatching(/rpm.*Fedora Linux 40.*inventory only/i)]);
});

test("a source that cannot be read fails the run with the reason and changes nothing", async () => {
  const before = await databaseVersion(db);
  const run = await importFrom(path.join(os.tmpdir(), "elsewhere"));
  expect(run.status).toBe("FAILED");
  expect(run.error).toMatch(/DRYDOCK_IMPORT_ROOTS/);
  expect(await databaseVersion(db)).toBe(before);
});

test("the scheduled import is a crontab line in the imports' queue, only when sources are configured", () => {
  expect(parseCrontab(crontab({ sources: [], schedule: "30 3 * * *" })).map((item) => item.task)).toEqual(["scheduler_tick", "reconcile"]);
  const items = parseCrontab(crontab({ sources: ["https://example.test/all.zip"], schedule: "30 3 * * *" }));
  expect(items.find((item) => item.task === "vulndb_import")).toMatchObject({
    payload: { scheduled: true },
    options: { queueName: "vulndb" },
    match: expect.anything(),
  });
});

test("deleting a registry removes the artifacts (inventory, findings) no other image resolves to, and keeps shared ones", async () => {
  const doomed = await addPlainRegistry(server, { name: "doomed-artifacts", url: "http://127.0.0.1:9" });
  const keeper = await addPlainRegistry(server, { name: "keeper-artifacts", url: "http://127.0.0.1:9" });
  const [own, shared] = [randomDigest(), randomDigest()];
  for (const digest of [own, shared]) {
    await seedArtifact(db, digest, null, [{ type: PackageType.npm, name: "left-pad", version: "1.3.0", purl: "pkg:npm/left-pad@1.3.0" }]);
    await seedImage(db, doomed, { digest });
  }
  await seedImage(db, keeper, { digest: shared });

  const answer = await server.gql(`mutation($ids: [ID!]!) { deleteRegistries(ids: $ids) }`, { ids: [doomed] });
  expect(answer.errors).toBeUndefined();
  expect(await db.query("SELECT digest FROM artifact WHERE digest IN (?)", [[own, shared]])).toEqual([{ digest: shared }]);
  expect(await db.query("SELECT COUNT(*) AS n FROM artifact_package WHERE artifactDigest = ?", [own])).toEqual([{ n: "0" }]);
});
