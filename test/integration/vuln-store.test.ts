import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { DataSource } from "typeorm";
import { type OsvRecord, parseOsvRecord } from "../../workers/vuln/osv/record";
import { databaseVersion, saveDatabaseVersion } from "../../workers/vuln/store/database-version";
import { CachedRecords, storedRecords } from "../../workers/vuln/findings/record-cache";
import type { CandidateLookup } from "../../workers/vuln/match/matcher";
import { storeRecords } from "../../workers/vuln/store/record-store";
import { openWorkerSide, type WorkerSide } from "../helpers/discovery";
import { fixturePath } from "../helpers/fixtures";
import { startTestServer, type TestServer } from "../helpers/server";

let server: TestServer;
let side: WorkerSide;
let db: DataSource;

/** Every real OSV record of the shared fixtures. */
function fixtureRecords(): OsvRecord[] {
  const root = fixturePath("osv");
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".json"))
    .map((entry) => parseOsvRecord(JSON.parse(readFileSync(path.join(entry.parentPath, entry.name), "utf8"))));
}

beforeAll(async () => {
  server = await startTestServer();
  side = await openWorkerSide(server);
  db = side.db;
});

afterAll(async () => {
  await side?.close();
  await server?.stop();
});

test("records merge by id and modified; withdrawn ones are removed; the version is kept as told", async () => {
  const records = fixtureRecords();
  expect(records).toHaveLength(27);
  expect(await databaseVersion(db)).toBe(0);

  expect(await storeRecords(db, records, 1)).toEqual({ imported: 27, withdrawn: 0, unchanged: 0 });
  await saveDatabaseVersion(db, 1);
  expect(await storeRecords(db, records, 2)).toEqual({ imported: 0, withdrawn: 0, unchanged: 27 });

  const [musl] = records.filter((r) => r.id === "ALPINE-CVE-2025-26519");
  const newer = { ...musl, modified: "2030-01-01T00:00:00Z", summary: "updated" };
  const older = { ...records.find((r) => r.id === "DLA-3008-1")!, modified: "2000-01-01T00:00:00Z" };
  const gone = { ...records.find((r) => r.id === "GHSA-whgm-jr23-g3j9")!, withdrawn: "2030-01-01T00:00:00Z" };
  const neverSeen = { ...gone, id: "GHSA-0000-0000-0000" };
  expect(await storeRecords(db, [newer, older, gone, neverSeen], 2)).toEqual({ imported: 1, withdrawn: 1, unchanged: 1 });
  await saveDatabaseVersion(db, 2);
  expect(await databaseVersion(db)).toBe(2);

  const rows = await db.query("SELECT id, version FROM vuln_record WHERE id IN (?) ORDER BY id", [[musl.id, older.id, gone.id]]);
  expect(rows).toEqual([
    { id: "ALPINE-CVE-2025-26519", version: 2 },
    { id: "DLA-3008-1", version: 1 },
  ]);
  expect(await db.query("SELECT COUNT(*) AS n FROM vuln_affected WHERE recordId = ?", [gone.id])).toEqual([{ n: "0" }]);
});

test.each([
  ["read every time", () => storedRecords],
  ["cached", () => new CachedRecords(2)],
])("candidates are found by ecosystem and normalised name (PEP 503 for PyPI), %s", async (_name, source) => {
  const records = source();
  const ids = (lookup: CandidateLookup, ecosystem: string, name: string) => lookup(ecosystem, name).map((c) => c.record.id).sort();
  const found = await records.candidates(db, [
    { ecosystem: "PyPI", name: "jinja2" },
    { ecosystem: "Alpine:v3.18", name: "musl" },
  ]);
  expect(ids(found, "PyPI", "jinja2")).toEqual(["GHSA-h5c8-rqwp-cp95", "GHSA-h75v-3vvj-5mfj"]);
  expect(ids(found, "Alpine:v3.18", "musl")).toEqual(["ALPINE-CVE-2025-26519"]);
  expect(found("Alpine:v3.18", "musl")[0].record.summary).toBe("updated");
  // A key that was not asked for finds nothing, even when records exist under it.
  expect(found("PyPI", "Jinja2")).toEqual([]);
  expect((await records.candidates(db, [{ ecosystem: "Alpine:v3.17", name: "busybox" }]))("Alpine:v3.17", "busybox")).toEqual([]);
  // Asked again (from the cache, where it has one): the same answer.
  expect(ids(await records.candidates(db, [{ ecosystem: "PyPI", name: "jinja2" }]), "PyPI", "jinja2")).toEqual(["GHSA-h5c8-rqwp-cp95", "GHSA-h75v-3vvj-5mfj"]);
});
