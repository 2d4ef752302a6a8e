import "reflect-metadata";
import diagnostics from "node:diagnostics_channel";
import { request } from "undici";
import { loadConfig } from "./lib/config";
import { createLogger } from "./lib/logger";
import { startServer } from "./server/main";
(async () => {
  const ch = diagnostics.tracingChannel("mysql2:query");
  const starts = new WeakMap<object, number>();
  const log: string[] = [];
  ch.subscribe({ start(m: any) { starts.set(m, performance.now()); }, end() {}, asyncStart(m: any) { log.push(`${(performance.now() - starts.get(m)!).toFixed(1)}ms ${m.query.slice(0, 160)}`); }, asyncEnd() {}, error() {} } as any);
  const config = loadConfig({ MYSQL_URL: "mysql://root@127.0.0.1:3306/dd_apiscale_full", DATABASE_URL: "postgres://postgres@127.0.0.1:5432/dd_apiscale_full", PORT: "0", HOST: "127.0.0.1", DRYDOCK_DATA_DIR: "/tmp/qt2data", TZ: "UTC", LOG_LEVEL: "warn" });
  const announced: string[] = [];
  const server = await startServer(config, createLogger("warn"), (l) => announced.push(l));
  let token = announced.find((l) => l.startsWith("First ADMIN"))?.split(": ").pop();
  if (!token) { const fs = await import("node:fs"); token = fs.readFileSync("/tmp/qt2token", "utf8"); } else (await import("node:fs")).writeFileSync("/tmp/qt2token", token);
  const ids = ["x"];
  const mysql = await import("mysql2/promise"); const c = await mysql.createConnection("mysql://root@127.0.0.1:3306/dd_apiscale_full");
  const [imgs] = await c.query<any[]>("SELECT DISTINCT i.id, i.registryId FROM image i JOIN finding f ON f.artifactDigest = i.digest LIMIT 2000, 5"); await c.end();
  const q = (query: string, variables: object) => request(`${server.url}/graphql`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) }).then((r) => r.body.json());
  for (const img of imgs) {
    log.length = 0; let s = performance.now();
    const a: any = await q(`query($id: ID!) { image(id: $id) { id vulnerabilities(first: 100) { totalCount nodes { advisoryId aliases packageName installedVersion fixedVersion severity cvssScore summary } } } }`, { id: img.id });
    console.log("VULN total", (performance.now() - s).toFixed(1), a.errors ? JSON.stringify(a.errors) : ""); console.log(log.join("\n"));
    log.length = 0; s = performance.now();
    const b: any = await q(`query($r: ID!) { images(first: 50, filter: { registryId: $r, removed: false }) { totalCount nodes { id registry { id name } vulnerabilitySummary { critical total fixable } } } }`, { r: img.registryId });
    console.log("IMAGES total", (performance.now() - s).toFixed(1), b.errors ? JSON.stringify(b.errors) : ""); console.log(log.join("\n"));
  }
  await server.stop();
})();
