import diagnostics from "node:diagnostics_channel";

/** The statements mysql2 (in this process) sends to the database of `mysqlUrl` while `work` runs (the diagnostics channel mysql2 publishes). */
export async function sqlDuring<T>(mysqlUrl: string, work: () => Promise<T>): Promise<{ result: T; statements: string[] }> {
  const database = new URL(mysqlUrl).pathname.slice(1);
  const statements: string[] = [];
  const channel = diagnostics.channel("tracing:mysql2:query:start");
  const listener = (message: unknown) => {
    const { query, database: db } = message as { query: string; database: string };
    if (db === database) statements.push(query);
  };
  channel.subscribe(listener);
  try {
    return { result: await work(), statements };
  } finally {
    channel.unsubscribe(listener);
  }
}
