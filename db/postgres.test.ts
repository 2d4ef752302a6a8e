import { createServer, type Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { isDatabaseUnavailable } from "./availability";
import { createLogger } from "../lib/logger";
import { createPgPool } from "./postgres";

test("a PostgreSQL host that accepts connections but never answers fails a query within the connect timeout, as unavailable", async () => {
  const sockets = new Set<Socket>();
  const silent = createServer((socket) => sockets.add(socket));
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  const { port } = silent.address() as { port: number };
  const pool = createPgPool(`postgres://postgres@127.0.0.1:${port}/drydock`, createLogger("silent"), 2, 300);
  try {
    const started = performance.now();
    const error = await pool.query("SELECT 1").then(
      () => null,
      (e: unknown) => e,
    );
    expect(isDatabaseUnavailable(error)).toBe(true);
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(sockets.size).toBeGreaterThan(0);
  } finally {
    await pool.end();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  }
});
