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
