import mysql from "mysql2/promise";
(async () => {
  const c = await mysql.createConnection({ uri: "mysql://root@127.0.0.1:3306/dd_apiscale_full", timezone: "Z" });
  const [regs] = await c.query<any[]>("SELECT id FROM registry");
  const t = async (name: string, sql: string, p: unknown[]) => { const s = performance.now(); const [r] = await c.query<any[]>(sql, p); console.log(name, (performance.now() - s).toFixed(1), "ms", Array.isArray(r) ? r.length : ""); return r; };
  for (const { id } of regs.slice(0, 4)) {
    await t("count", "SELECT COUNT(*) AS total FROM image WHERE registryId = ? AND removed = 0", [id]);
    const rows = await t("page", "SELECT * FROM image WHERE registryId = ? AND removed = 0 ORDER BY firstSeenAt DESC, id DESC LIMIT 51", [id]);
    await t("reg", "SELECT id, name, type FROM registry WHERE id IN (?)", [[id]]);
    await t("summary", "SELECT a.digest, f.severityRank, COUNT(f.id) AS count, COUNT(f.fixedVersion) AS fixable FROM artifact a LEFT JOIN finding f ON f.artifactDigest = a.digest WHERE a.digest IN (?) AND a.matchedVersion IS NOT NULL GROUP BY a.digest, f.severityRank", [rows.map((r: any) => r.digest)]);
    await t("summary2", "SELECT f.artifactDigest, f.severityRank, COUNT(*) AS count, COUNT(f.fixedVersion) AS fixable FROM finding f WHERE f.artifactDigest IN (?) GROUP BY f.artifactDigest, f.severityRank", [rows.map((r: any) => r.digest)]);
  }
  await c.end();
})();
