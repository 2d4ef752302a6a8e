import path from "node:path";
import initSqlJs, { type SqlJsStatic } from "sql.js";
import { parseRpmHeader, type RpmHeader } from "./rpm-header";

let sqlJs: Promise<SqlJsStatic> | undefined;

/** sql.js compiles its WASM once per process; it loads the file from its own package. */
export function loadSqlJs(): Promise<SqlJsStatic> {
  sqlJs ??= initSqlJs({ locateFile: (file) => path.join(path.dirname(require.resolve("sql.js")), file) });
  return sqlJs;
}

/** The package headers of an rpm 4.16+ sqlite database, in install (hnum) order. */
export async function readRpmdbHeaders(database: Buffer): Promise<RpmHeader[]> {
  const SQL = await loadSqlJs();
  const db = new SQL.Database(database);
  try {
    const rows = db.prepare("SELECT hnum, blob FROM Packages ORDER BY hnum");
    const headers: RpmHeader[] = [];
    while (rows.step()) {
      const [hnum, blob] = rows.get();
      if (!(blob instanceof Uint8Array)) throw new Error(`rpmdb.sqlite: package ${hnum} has no header blob`);
      headers.push(parseHeaderOf(hnum, blob));
    }
    return headers;
  } finally {
    db.close();
  }
}

function parseHeaderOf(hnum: unknown, blob: Uint8Array): RpmHeader {
  try {
    return parseRpmHeader(blob);
  } catch (error) {
    throw new Error(`rpmdb.sqlite: package ${hnum}: ${(error as Error).message}`, { cause: error });
  }
}
