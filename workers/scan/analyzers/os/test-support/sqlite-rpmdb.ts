import { loadSqlJs } from "../rpmdb-sqlite";

/** rpm's own schema for the table of package headers. */
const PACKAGES_TABLE = "CREATE TABLE 'Packages' (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)";

/** An rpmdb.sqlite holding the given header blobs (`hnum` defaults to the next free one). */
export async function sqliteRpmdb(
  rows: Array<{ hnum?: number; blob: Uint8Array | string }>,
  schema = PACKAGES_TABLE,
): Promise<Buffer> {
  const SQL = await loadSqlJs();
  const db = new SQL.Database();
  try {
    db.run(schema);
    for (const { hnum, blob } of rows) db.run("INSERT INTO Packages (hnum, blob) VALUES (?, ?)", [hnum ?? null, blob]);
    return Buffer.from(db.export());
  } finally {
    db.close();
  }
}
