import { migrateMysql, openMysql } from "../../db/mysql";
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
