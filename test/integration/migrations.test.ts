import { migrateMysql, openMysql, waitForSchema } from "../../db/mysql";
import { dropDatabases, newDatabaseUrls } from "../helpers/databases";

const { mysqlUrl, name } = newDatabaseUrls();
afterAll(() => dropDatabases(name));

test("the migrations build exactly the schema the entities describe, and undo cleanly", async () => {
  const db = await openMysql(mysqlUrl, 2);
  try {
    await migrateMysql(db, async () => undefined);
    expect(await db.showMigrations()).toBe(false);
    const drift = await db.driver.createSchemaBuilder().log();
    expect(drift.upQueries.map((q) => q.query)).toEqual([]);

    for (const _ of db.migrations) await db.undoLastMigration();
    const [tables] = await db.query("SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = ? AND table_name <> 'migrations'", [name]);
    expect(Number(tables.n)).toBe(0);
  } finally {
    await db.destroy();
  }
});

test("every pooled connection works in UTC, so database defaults match what the driver reads", async () => {
  const db = await openMysql(mysqlUrl, 4);
  try {
    const zones = await Promise.all(
      Array.from({ length: 6 }, () => db.query("SELECT @@session.time_zone AS tz, SLEEP(0.05) AS s").then((rows) => rows[0].tz)),
    );
    expect(zones).toEqual(Array(6).fill("+00:00"));
  } finally {
    await db.destroy();
  }
});

test("a worker waits until a server has migrated the schema", async () => {
  const fresh = newDatabaseUrls();
  const worker = await openMysql(fresh.mysqlUrl, 2);
  const server = await openMysql(fresh.mysqlUrl, 2);
  try {
    let ready = false;
    const waiting = waitForSchema(worker, 50).then(() => (ready = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(ready).toBe(false);
    await migrateMysql(server, async () => undefined);
    await waiting;
    expect(ready).toBe(true);
  } finally {
    await worker.destroy();
    await server.destroy();
    await dropDatabases(fresh.name);
  }
});

test("the finding-counts migration counts the findings already stored", async () => {
  const fresh = newDatabaseUrls();
  const db = await openMysql(fresh.mysqlUrl, 2);
  try {
    await migrateMysql(db, async () => undefined);
    expect(db.migrations.at(-1)!.name).toBe("FindingCounts1765008000000");
    await db.undoLastMigration();
    for (const digest of ["sha256:counted", "sha256:clean"]) {
      await db.query("INSERT INTO artifact (digest, analyzersKey, packageCount, layerCount, scannedAt, matchedVersion) VALUES (?, 'k', 1, 1, NOW(3), 1)", [digest]);
    }
    const findings: Array<[string, number, string | null]> = [["CRITICAL", 0, "1.1"], ["CRITICAL", 0, null], ["LOW", 3, "2.0"], ["UNKNOWN", 4, null]];
    for (const [index, [severity, rank, fixedVersion]] of findings.entries()) {
      await db.query(
        `INSERT INTO finding (artifactDigest, advisoryId, aliases, packageType, packageName, installedVersion, fixedVersion, severity, severityRank)
         VALUES ('sha256:counted', ?, '[]', 'deb', 'zlib', '1.0', ?, ?, ?)`,
        [`DLA-${index}`, fixedVersion, severity, rank],
      );
    }
    await db.runMigrations();
    const counts = await db.query(
      "SELECT digest, findingsCritical, findingsHigh, findingsMedium, findingsLow, findingsUnknown, findingsFixable FROM artifact ORDER BY digest",
    );
    expect(counts).toEqual([
      { digest: "sha256:clean", findingsCritical: 0, findingsHigh: 0, findingsMedium: 0, findingsLow: 0, findingsUnknown: 0, findingsFixable: 0 },
      { digest: "sha256:counted", findingsCritical: 2, findingsHigh: 0, findingsMedium: 0, findingsLow: 1, findingsUnknown: 1, findingsFixable: 2 },
    ]);
  } finally {
    await db.destroy();
    await dropDatabases(fresh.name);
  }
});
