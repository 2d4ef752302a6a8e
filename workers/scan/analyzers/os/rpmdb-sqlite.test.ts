import { readRpmdbHeaders } from "./rpmdb-sqlite";
import { headerBlob } from "./test-support/rpm-header-blob";
import { sqliteRpmdb } from "./test-support/sqlite-rpmdb";

const blob = (name: string): Buffer => headerBlob({ name, version: "1", release: "1" });

describe("readRpmdbHeaders", () => {
  it("reads every header, in hnum order", async () => {
    const db = await sqliteRpmdb([
      { hnum: 7, blob: blob("seventh") },
      { hnum: 2, blob: blob("second") },
      { hnum: 40, blob: blob("fortieth") },
    ]);
    const headers = await readRpmdbHeaders(db);
    expect(headers.map((header) => header.name)).toEqual(["second", "seventh", "fortieth"]);
  });

  it("reads an empty Packages table as no headers", async () => {
    await expect(readRpmdbHeaders(await sqliteRpmdb([]))).resolves.toEqual([]);
  });

  it("names the package whose header is malformed", async () => {
    const db = await sqliteRpmdb([{ hnum: 1, blob: blob("fine") }, { hnum: 2, blob: Buffer.from([0, 0, 0, 1]) }]);
    await expect(readRpmdbHeaders(db)).rejects.toThrow(/^rpmdb.sqlite: package 2: malformed rpm header: 4 bytes/);
  });

  it("rejects a row whose blob is not binary", async () => {
    const db = await sqliteRpmdb([{ hnum: 3, blob: "text" }]);
    await expect(readRpmdbHeaders(db)).rejects.toThrow("rpmdb.sqlite: package 3 has no header blob");
  });

  it("rejects a database without a Packages table", async () => {
    const db = await sqliteRpmdb([], "CREATE TABLE Other (x)");
    await expect(readRpmdbHeaders(db)).rejects.toThrow(/no such table: Packages/);
  });

  it.each([
    ["text", Buffer.from("this is not a database, it only sits where one would")],
    ["a truncated sqlite file", Buffer.from("SQLite format 3\0")],
  ])("rejects %s", async (_case, content) => {
    await expect(readRpmdbHeaders(content)).rejects.toThrow();
  });

  it("rejects an empty file", async () => {
    await expect(readRpmdbHeaders(Buffer.alloc(0))).rejects.toThrow(/no such table: Packages/);
  });
});
