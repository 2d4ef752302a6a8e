import mysql from "mysql2/promise";

/** Direct MySQL access for assertions about what was (not) stored. */
export async function withMysql<T>(url: string, use: (db: mysql.Connection) => Promise<T>): Promise<T> {
  const db = await mysql.createConnection(url);
  try {
    return await use(db);
  } finally {
    await db.end();
  }
}

/** Row count of every drydock table, for "a refused mutation stores nothing". */
export function tableCounts(url: string): Promise<Record<string, number>> {
  return withMysql(url, async (db) => {
    const [tables] = await db.query<mysql.RowDataPacket[]>(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY table_name",
    );
    const counts: Record<string, number> = {};
    for (const { name } of tables) {
      const [[row]] = await db.query<mysql.RowDataPacket[]>(`SELECT COUNT(*) AS n FROM \`${name}\``);
      counts[name] = Number(row.n);
    }
    return counts;
  });
}
