/**
 * Vulnerability matching (issue 5, "Benchmark"): 200,000 generated OSV
 * records across npm, PyPI, Go, Maven, Debian:12 and Alpine:v3.18, imported
 * from a zip made by Debian's `zip` (the vulndb_import path: read, parse,
 * merge in batches), then 2,000 stored inventories of 300 packages each,
 * every one matched again (the re-match an import that changed the database
 * triggers). It prints import records/s (target ≥ 5,000), the re-match time
 * (target ≤ 10 s) and the measuring process's peak RSS (target ≤ 512 MB).
 * Both run in a child process of transpiled JS, like a worker.
 *
 * Beside each, a floor measured in the same run: the rows that phase left in
 * MySQL (records and their index rows; findings), written again by bare
 * multi-row INSERTs of 2,000 rows into empty copies of those tables — what
 * the database alone costs, with no reading, parsing or matching.
 *
 * Run: npm run bench:match
 *   BENCH_SCALE=0.1    a tenth of the records and inventories, for a quick try
 */
import "reflect-metadata";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { benchMain, type Cleanup, serveMessages, startMeasuringProcess } from "./measuring-process";
import { mulberry32 } from "../lib/seeded-random";

const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const RECORDS = Math.round(200_000 * SCALE);
const INVENTORIES = Math.round(2_000 * SCALE);
const PACKAGES_PER_INVENTORY = 300;
/** Distinct package names per ecosystem: records and inventories draw from the same names, so they meet. */
const NAMES_PER_ECOSYSTEM = 5_000;
const TARGETS = { recordsPerSecond: 5_000, rematchSeconds: 10, rssMb: 512 };

interface Ecosystem {
  osv: string;
  type: "npm" | "pypi" | "golang" | "maven" | "deb" | "apk";
  name(i: number): string;
  version(i: number): string;
}

const ECOSYSTEMS: Ecosystem[] = [
  { osv: "npm", type: "npm", name: (i) => `pkg-${i}`, version: (i) => `${i % 5}.${i % 13}.${i % 7}` },
  { osv: "PyPI", type: "pypi", name: (i) => `py_pkg_${i}`, version: (i) => `${i % 4}.${i % 11}.${i % 3}` },
  { osv: "Go", type: "golang", name: (i) => `example.com/mod${i}`, version: (i) => `v${i % 3}.${i % 9}.${i % 5}` },
  { osv: "Maven", type: "maven", name: (i) => `org.example:art${i}`, version: (i) => `${i % 6}.${i % 10}.${i % 4}` },
  { osv: "Debian:12", type: "deb", name: (i) => `lib${i}`, version: (i) => `${i % 3}.${i % 8}-${1 + (i % 4)}` },
  { osv: "Alpine:v3.18", type: "apk", name: (i) => `apk${i}`, version: (i) => `${i % 3}.${i % 8}.${i % 5}-r${i % 4}` },
];

type ToChild =
  | { type: "open"; mysqlUrl: string }
  | { type: "import"; source: string; roots: string[] }
  | { type: "rematch" }
  | { type: "close" };

function record(index: number, random: () => number): object {
  const ecosystem = ECOSYSTEMS[index % ECOSYSTEMS.length];
  const name = ecosystem.name(Math.floor(random() * NAMES_PER_ECOSYSTEM));
  const fixed = ecosystem.version(Math.floor(random() * 1000));
  return {
    schema_version: "1.6.0",
    id: `BENCH-${index}`,
    modified: "2026-01-01T00:00:00Z",
    aliases: [`CVE-2099-${index}`],
    summary: `generated record ${index}`,
    severity: index % 3 === 0 ? [{ type: "CVSS_V3", score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" }] : [],
    affected: [{ package: { ecosystem: ecosystem.osv, name }, ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed }] }] }],
  };
}

// ------------------------------------------------------------------ parent

export async function run(): Promise<boolean> {
  const { startTestServer } = await import("../test/helpers/server");
  const cleanup: Cleanup = [];
  try {
    const dir = mkdtempSync(path.join(os.tmpdir(), "drydock-match-bench-"));
    cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
    const generated = performance.now();
    const records = path.join(dir, "records");
    mkdirSync(records);
    const random = mulberry32(0x05f);
    for (let i = 0; i < RECORDS; i++) writeFileSync(path.join(records, `BENCH-${i}.json`), JSON.stringify(record(i, random)));
    execFileSync("/usr/bin/zip", ["-q", "-r", "-1", path.join(dir, "all.zip"), "records"], { cwd: dir });
    rmSync(records, { recursive: true, force: true });
    const server = await startTestServer();
    cleanup.push(() => server.stop());
    const setupMs = performance.now() - generated;

    const child = await startMeasuringProcess<ToChild>(cleanup, "bench/match.bench.ts");
    await child.ask({ type: "open", mysqlUrl: server.config.mysqlUrl });
    const imported = await child.ask<{ ms: number; imported: number; status: string; peakRssMb: number }>({ type: "import", source: path.join(dir, "all.zip"), roots: [dir] });
    // Stored after the import, so that the import's own re-match has nothing to do and the re-match is measured alone.
    await seedInventories(server.config.mysqlUrl);
    const rematch = await child.ask<{ ms: number; changed: number; findings: number }>({ type: "rematch" });
    const { peakRssMb } = await child.ask<{ peakRssMb: number }>({ type: "close" });
    await child.exited();
    const importFloorMs = await rewriteFloor(server.config.mysqlUrl, ["vuln_record", "vuln_affected"]);
    const rematchFloorMs = await rewriteFloor(server.config.mysqlUrl, ["finding"]);

    const perSecond = imported.imported / (imported.ms / 1000);
    const verdict = (ok: boolean) => (ok ? "ok" : "MISSED");
    console.log(`match: ${RECORDS} records, ${INVENTORIES} inventories × ${PACKAGES_PER_INVENTORY} packages (set up in ${(setupMs / 1000).toFixed(1)} s)`);
    console.log(`  import (zip → parse → merge): ${imported.imported} records in ${(imported.ms / 1000).toFixed(1)} s = ${perSecond.toFixed(0)} records/s (target ≥ ${TARGETS.recordsPerSecond}) ${verdict(perSecond >= TARGETS.recordsPerSecond)}`);
    console.log(`    floor (the same rows INSERTed bare): ${(importFloorMs / 1000).toFixed(1)} s, ratio ${(imported.ms / importFloorMs).toFixed(2)}`);
    console.log(`  re-match of every inventory: ${(rematch.ms / 1000).toFixed(1)} s, ${rematch.changed} changed, ${rematch.findings} findings (target ≤ ${TARGETS.rematchSeconds} s) ${verdict(rematch.ms / 1000 <= TARGETS.rematchSeconds)}`);
    console.log(`    floor (the same findings INSERTed bare): ${(rematchFloorMs / 1000).toFixed(1)} s, ratio ${(rematch.ms / rematchFloorMs).toFixed(2)}`);
    console.log(`  peak RSS of the measuring process: ${peakRssMb.toFixed(0)} MB (target ≤ ${TARGETS.rssMb}) ${verdict(peakRssMb <= TARGETS.rssMb)}; by the end of the import ${imported.peakRssMb.toFixed(0)} MB`);
    return perSecond >= TARGETS.recordsPerSecond && rematch.ms / 1000 <= TARGETS.rematchSeconds && peakRssMb <= TARGETS.rssMb;
  } finally {
    for (const step of cleanup.reverse()) await step().catch((error) => console.error(`cleanup failed: ${String(error)}`));
  }
}

/**
 * Milliseconds spent INSERTing the rows of `tables` again, 2,000 at a time,
 * into empty copies (same columns and indexes); reading them back is not
 * counted. The copies are dropped after.
 */
async function rewriteFloor(mysqlUrl: string, tables: string[]): Promise<number> {
  const mysql = await import("mysql2/promise");
  const connection = await mysql.createConnection(mysqlUrl);
  let spent = 0;
  try {
    for (const table of tables) {
      const copy = `floor_${table}`;
      await connection.query(`CREATE TABLE \`${copy}\` LIKE \`${table}\``);
      // Keys are numbers or text: '' sorts before either.
      for (let after: string | number = ""; ; ) {
        const [rows] = await connection.query<import("mysql2").RowDataPacket[]>(`SELECT * FROM \`${table}\` WHERE id > ? ORDER BY id LIMIT 2000`, [after]);
        if (rows.length === 0) break;
        const columns = Object.keys(rows[0]);
        const started = performance.now();
        // JSON columns come back parsed: written back as the JSON text they were.
        const value = (v: unknown) => (v !== null && typeof v === "object" && !(v instanceof Date) && !Buffer.isBuffer(v) ? JSON.stringify(v) : v);
        await connection.query(`INSERT INTO \`${copy}\` (${columns.map((c) => `\`${c}\``).join(", ")}) VALUES ?`, [rows.map((row) => columns.map((c) => value(row[c])))]);
        spent += performance.now() - started;
        after = rows[rows.length - 1].id as string | number;
      }
      await connection.query(`DROP TABLE \`${copy}\``);
    }
  } finally {
    await connection.end();
  }
  return spent;
}

/** 2,000 artifacts of 300 packages, each image's OS matching its packages' ecosystem half of the time. */
async function seedInventories(mysqlUrl: string): Promise<void> {
  const mysql = await import("mysql2/promise");
  const connection = await mysql.createConnection(mysqlUrl);
  try {
    const random = mulberry32(0x1a7);
    for (let a = 0; a < INVENTORIES; a++) {
      const digest = `sha256:${a.toString(16).padStart(64, "0")}`;
      const osRelease = a % 2 === 0 ? { id: "debian", versionId: "12" } : { id: "alpine", versionId: "3.18.1" };
      await connection.query("INSERT INTO artifact (digest, analyzersKey, os, packageCount, layerCount, scannedAt) VALUES (?, 'bench', ?, ?, 1, NOW(3))", [
        digest,
        JSON.stringify(osRelease),
        PACKAGES_PER_INVENTORY,
      ]);
      const rows: unknown[][] = [];
      for (let p = 0; p < PACKAGES_PER_INVENTORY; p++) {
        const ecosystem = ECOSYSTEMS[p % ECOSYSTEMS.length];
        if ((ecosystem.type === "deb" && a % 2 === 1) || (ecosystem.type === "apk" && a % 2 === 0)) continue;
        const name = ecosystem.name(Math.floor(random() * NAMES_PER_ECOSYSTEM));
        const version = ecosystem.version(Math.floor(random() * 1000));
        rows.push([digest, ecosystem.type, name, version, `pkg:${ecosystem.type}/${name}@${version}`, "bench", digest, 1]);
      }
      await connection.query("INSERT INTO artifact_package (artifactDigest, type, name, version, purl, path, layerDigest, installed) VALUES ?", [rows]);
    }
  } finally {
    await connection.end();
  }
}

// ------------------------------------------------------------------ measuring process

function serveMeasurements(): void {
  let db: import("typeorm").DataSource | undefined;
  serveMessages<ToChild>(async (message) => {
    switch (message.type) {
      case "open": {
        const { openMysql } = await import("../db/mysql");
        db = await openMysql(message.mysqlUrl, 8);
        return null;
      }
      case "import": {
        const { randomUUID } = await import("node:crypto");
        const { Writable } = await import("node:stream");
        const { ImportRun } = await import("../db/entities");
        const { ImportStatus } = await import("../db/enums");
        const { createLogger } = await import("../lib/logger");
        const { runImport } = await import("../workers/vuln/import/import-run");
        const id = randomUUID();
        await db!.getRepository(ImportRun).insert({ id, source: message.source, status: ImportStatus.QUEUED, malformed: [] });
        const silent = createLogger("error", new Writable({ write: (_chunk, _encoding, done) => done() }));
        const started = performance.now();
        const run = await runImport({ db: db!, roots: message.roots, logger: silent }, id);
        const ms = performance.now() - started;
        return { ms, imported: run?.imported ?? 0, status: run?.status, peakRssMb: process.resourceUsage().maxRSS / 1024 };
      }
      case "rematch": {
        const { randomUUID } = await import("node:crypto");
        const { databaseVersion } = await import("../workers/vuln/store/database-version");
        const { rematchAll } = await import("../workers/vuln/findings/rematch");
        const id = randomUUID();
        await db!.query("INSERT INTO import_run (id, status, source, malformed) VALUES (?, 'SUCCEEDED', 'bench', '[]')", [id]);
        const started = performance.now();
        const changed = await rematchAll(db!, await databaseVersion(db!), id);
        const ms = performance.now() - started;
        const [{ n }] = await db!.query("SELECT COUNT(*) AS n FROM finding");
        return { ms, changed, findings: Number(n) };
      }
      case "close":
        await db?.destroy();
        return { peakRssMb: process.resourceUsage().maxRSS / 1024 };
    }
  }, (message) => message.type === "close");
}

benchMain(module, run, serveMeasurements);
