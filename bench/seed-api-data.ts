/**
 * Seeds a migrated drydock MySQL database with an API-scale catalogue (issue 7,
 * "API at scale"): registries with their pull policies and sync runs, images
 * (repositories of a few to many tags, a quarter of them multi-platform,
 * `latest` sharing the newest version's digest, tags that moved on as history,
 * some removed), the artifacts of the scanned digests, a SUCCEEDED scan job
 * per scanned image, and findings spread over the artifacts with a heavy tail
 * (many images with a handful, a few with thousands) and realistic severities.
 * Rows go straight into the tables the migrations create, by multi-row INSERTs
 * of a few thousand rows, two statements in flight; the data is the same on
 * every run (seeded PRNG).
 *
 * Run on its own (the database is created and migrated when needed, and must
 * hold no images yet):
 *   npx ts-node bench/seed-api-data.ts mysql://root@127.0.0.1:3306/drydock_api [--scale 0.1]
 */
import mysql from "mysql2/promise";
import { performance } from "node:perf_hooks";
import { recountFindings } from "../db/finding-counts";
import { mulberry32 } from "../lib/seeded-random";

export interface SeedSize {
  registries: number;
  images: number;
  findings: number;
}

/** What issue 7 asks for: 50 registries, 100,000 images, 2,000,000 findings. */
/** Artifacts whose finding counts one statement recounts. */
const RECOUNT_CHUNK = 5_000;

export const FULL_SIZE: SeedSize = { registries: 50, images: 100_000, findings: 2_000_000 };

/** `FULL_SIZE` times `scale` (at least one registry). */
export function scaledSize(scale: number): SeedSize {
  return {
    registries: Math.max(1, Math.round(FULL_SIZE.registries * scale)),
    images: Math.round(FULL_SIZE.images * scale),
    findings: Math.round(FULL_SIZE.findings * scale),
  };
}

export interface SeedSummary extends SeedSize {
  artifacts: number;
  scanJobs: number;
  syncRuns: number;
  ms: number;
}

const SYNC_RUNS_PER_REGISTRY = 30;
const ROWS_PER_INSERT = 2_000;
const INSERTS_IN_FLIGHT = 2;
const DAY = 24 * 3600_000;
const NOW = Date.parse("2026-06-01T12:00:00Z");
const TYPES = ["DOCKER_REGISTRY", "HARBOR", "GITLAB", "ARTIFACTORY", "NEXUS", "DOCKER_HUB"] as const;
const TEAMS = ["platform", "payments", "search", "identity", "data", "mobile", "infra", "ml", "web", "billing"];
const SERVICES = ["api", "worker", "gateway", "scheduler", "indexer", "frontend", "auth", "exporter", "proxy", "cron", "ingest", "report"];
const SEVERITIES = [
  { name: "CRITICAL", share: 0.06, cvss: [9, 10] },
  { name: "HIGH", share: 0.22, cvss: [7, 8.9] },
  { name: "MEDIUM", share: 0.4, cvss: [4, 6.9] },
  { name: "LOW", share: 0.22, cvss: [0.1, 3.9] },
  { name: "UNKNOWN", share: 0.1, cvss: null },
] as const;
/** Package ecosystems by share of findings, with how their advisories are named. */
const ECOSYSTEMS = [
  { type: "deb", share: 0.45, advisory: (n: number) => (n % 3 === 0 ? `DSA-${5000 + (n % 900)}-1` : `DLA-${3000 + (n % 900)}-1`) },
  { type: "apk", share: 0.15, advisory: (n: number) => `ALPINE-CVE-20${20 + (n % 6)}-${10000 + n}` },
  { type: "npm", share: 0.15, advisory: (n: number) => `GHSA-${ghsaPart(n, 4)}-${ghsaPart(n >> 4, 4)}-${ghsaPart(n >> 8, 4)}` },
  { type: "pypi", share: 0.1, advisory: (n: number) => `PYSEC-20${20 + (n % 6)}-${100 + n}` },
  { type: "golang", share: 0.1, advisory: (n: number) => `GO-20${20 + (n % 6)}-${1000 + n}` },
  { type: "maven", share: 0.05, advisory: (n: number) => `GHSA-${ghsaPart(n + 7, 4)}-${ghsaPart(n >> 3, 4)}-${ghsaPart(n >> 6, 4)}` },
] as const;
const ADVISORIES_PER_ECOSYSTEM = 20_000;
const PACKAGES_PER_ECOSYSTEM = 2_000;

function ghsaPart(n: number, length: number): string {
  const alphabet = "23456789cfghjmpqrvwx";
  let out = "";
  for (let i = 0, v = Math.abs(n) + 1; i < length; i++, v = Math.floor(v / 7) + i * 13) out += alphabet[v % alphabet.length];
  return out;
}

type Random = () => number;

const pick = <T>(random: Random, values: readonly T[]): T => values[Math.floor(random() * values.length)];

/** A value of `shares` (each with `share`, summing to 1) drawn by weight. */
function byShare<T extends { share: number }>(random: Random, shares: readonly T[]): T {
  let left = random();
  for (const item of shares) if ((left -= item.share) < 0) return item;
  return shares[shares.length - 1];
}

const hex = (random: Random, length: number) => Array.from({ length }, () => Math.floor(random() * 16).toString(16)).join("");

/** A version-4-shaped UUID from the seeded PRNG (randomUUID would differ between runs). */
function uuid(random: Random): string {
  const h = hex(random, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${"89ab"[Math.floor(random() * 4)]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const digestOf = (random: Random) => `sha256:${hex(random, 64)}`;

interface ImageRow {
  id: string;
  registryId: string;
  repository: string;
  tag: string;
  platform: string;
  digest: string;
  current: boolean;
  removed: boolean;
  firstSeenAt: Date;
}

/** Tags of one repository, newest first: `latest` shares the newest version's digest. */
function tagsOf(random: Random, count: number): string[] {
  const tags = ["latest"];
  let [major, minor, patch] = [1 + Math.floor(random() * 4), Math.floor(random() * 20), Math.floor(random() * 10)];
  while (tags.length < count) {
    const kind = random();
    if (kind < 0.7) tags.push(`${major}.${minor}.${patch}`);
    else if (kind < 0.9) tags.push(`sha-${hex(random, 7)}`);
    else tags.push(`${major}.${minor}.${patch}-rc${1 + Math.floor(random() * 3)}`);
    if (patch > 0) patch--;
    else if (minor > 0) [minor, patch] = [minor - 1, 9];
    else [major, minor, patch] = [Math.max(0, major - 1), 19, 9];
  }
  return tags;
}

/** The images of one registry: repositories of 1–60 tags (heavy-tailed) until `count` images. */
function imagesOf(random: Random, registryId: string, count: number): ImageRow[] {
  const images: ImageRow[] = [];
  for (let r = 0; images.length < count; r++) {
    const repository = `${pick(random, TEAMS)}/${pick(random, SERVICES)}-${r}`;
    const platforms = random() < 0.25 ? ["linux/amd64", "linux/arm64"] : ["linux/amd64"];
    const tagCount = Math.min(60, 1 + Math.floor(3 / Math.max(0.05, random()) ** 1.1));
    const removedRepository = random() < 0.03;
    let seen = NOW - Math.floor(random() * 30 * DAY);
    for (const platform of platforms) {
      let newestDigest = "";
      for (const [index, tag] of tagsOf(random, tagCount).entries()) {
        const digest = index === 1 ? newestDigest : digestOf(random);
        if (index === 0) newestDigest = digest;
        seen -= Math.floor(random() * 5 * DAY);
        images.push({ id: uuid(random), registryId, repository, tag, platform, digest, current: true, removed: removedRepository, firstSeenAt: new Date(seen) });
        // A tag that moved on: the digests it named before stay as history.
        if (random() < 0.12) {
          for (let h = 0; h < 1 + Math.floor(random() * 3); h++) {
            images.push({
              id: uuid(random),
              registryId,
              repository,
              tag,
              platform,
              digest: digestOf(random),
              current: false,
              removed: removedRepository,
              firstSeenAt: new Date(seen - (h + 1) * Math.floor(random() * 20 * DAY)),
            });
          }
        }
        if (images.length >= count) return images.slice(0, count);
      }
    }
  }
  return images.slice(0, count);
}

/** Findings per artifact, `total` in all: 15% none (distroless), the rest heavy-tailed (Pareto-like), capped at 4,000. */
function findingCounts(random: Random, artifacts: number, total: number): number[] {
  const weights = Array.from({ length: artifacts }, () => (random() < 0.15 ? 0 : Math.min(400, (1 / Math.max(0.0025, random())) ** 0.9)));
  const sum = weights.reduce((a, b) => a + b, 0) || 1;
  const counts = weights.map((w) => Math.min(4_000, Math.floor((w / sum) * total)));
  const open = weights.map((w, i) => (w > 0 ? i : -1)).filter((i) => i >= 0);
  for (let left = total - counts.reduce((a, b) => a + b, 0); left > 0 && open.length > 0; left--) counts[pick(random, open)]++;
  return counts;
}

function findingRow(random: Random, digest: string): unknown[] {
  const ecosystem = byShare(random, ECOSYSTEMS);
  const severity = byShare(random, SEVERITIES);
  const n = Math.floor(random() * ADVISORIES_PER_ECOSYSTEM);
  const year = 2018 + (n % 8);
  const packageIndex = Math.floor(random() ** 2 * PACKAGES_PER_ECOSYSTEM);
  const packageName = ecosystem.type === "golang" ? `example.com/mod/pkg${packageIndex}` : ecosystem.type === "maven" ? `org.example:lib${packageIndex}` : `${ecosystem.type}-pkg-${packageIndex}`;
  const version = `${packageIndex % 5}.${n % 17}.${n % 9}`;
  const fixed = random() < 0.65 ? `${packageIndex % 5}.${(n % 17) + 1}.0` : null;
  const cvss = severity.cvss === null ? null : Math.round((severity.cvss[0] + random() * (severity.cvss[1] - severity.cvss[0])) * 10) / 10;
  return [
    digest,
    ecosystem.advisory(n),
    JSON.stringify([`CVE-${year}-${10000 + n}`]),
    ecosystem.type,
    packageName,
    ecosystem.type === "deb" && n % 4 === 0 ? `${packageName}-src` : null,
    version,
    fixed,
    severity.name,
    SEVERITIES.indexOf(severity),
    cvss,
    `${severity.name.toLowerCase()} issue in ${packageName} (generated advisory ${n})`,
  ];
}

/** INSERTs rows `ROWS_PER_INSERT` at a time over a small pool, `INSERTS_IN_FLIGHT` statements at once. */
class BatchInserter {
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly pending = new Map<string, unknown[][]>();

  constructor(private readonly pool: mysql.Pool) {}

  async add(table: string, columns: readonly string[], row: unknown[]): Promise<void> {
    const key = `${table}(${columns.join(",")})`;
    const rows = this.pending.get(key) ?? [];
    this.pending.set(key, rows);
    rows.push(row);
    if (rows.length >= ROWS_PER_INSERT) await this.send(key, table, columns);
  }

  private async send(key: string, table: string, columns: readonly string[]): Promise<void> {
    const rows = this.pending.get(key)!;
    this.pending.delete(key);
    while (this.inFlight.size >= INSERTS_IN_FLIGHT) await Promise.race(this.inFlight);
    const sql = `INSERT INTO \`${table}\` (${columns.map((c) => `\`${c}\``).join(", ")}) VALUES ?`;
    const sent: Promise<unknown> = this.pool.query(sql, [rows]).finally(() => this.inFlight.delete(sent));
    this.inFlight.add(sent);
  }

  /** Sends what is left of `table` and waits for every statement. */
  async flush(table: string, columns: readonly string[]): Promise<void> {
    const key = `${table}(${columns.join(",")})`;
    if (this.pending.get(key)?.length) await this.send(key, table, columns);
    await Promise.all(this.inFlight);
  }
}

const REGISTRY_COLUMNS = ["id", "name", "nameKey", "description", "type", "url", "insecure", "authMethod", "createdAt", "updatedAt"];
const POLICY_COLUMNS = ["registryId", "mode", "schedule", "timezone", "criteria", "neverPull", "alwaysPull", "platforms"];
const SYNC_COLUMNS = ["id", "registryId", "trigger", "status", "startedAt", "finishedAt", "repositories", "tagsSeen", "selected", "queued", "skipped", "errors"];
const IMAGE_COLUMNS = ["id", "registryId", "repository", "tag", "platform", "digest", "tagDigest", "createdAt", "pushedAt", "addedBy", "removed", "current", "firstSeenAt", "lastSeenAt"];
const ARTIFACT_COLUMNS = ["digest", "analyzersKey", "os", "packageCount", "layerCount", "scannedAt", "matchedVersion", "matchNotes"];
const SCAN_COLUMNS = ["id", "registryId", "imageId", "status", "attemptCount", "queuedAt", "startedAt", "finishedAt", "databaseVersion"];
const FINDING_COLUMNS = ["artifactDigest", "advisoryId", "aliases", "packageType", "packageName", "sourceName", "installedVersion", "fixedVersion", "severity", "severityRank", "cvssScore", "summary"];
const OS_RELEASES = [
  { id: "debian", versionId: "12", prettyName: "Debian GNU/Linux 12 (bookworm)", versionCodename: "bookworm" },
  { id: "alpine", versionId: "3.19.1", prettyName: "Alpine Linux v3.19", versionCodename: null },
  { id: "ubuntu", versionId: "22.04", prettyName: "Ubuntu 22.04.4 LTS", versionCodename: "jammy" },
];

/**
 * Runs `load` with `table`'s secondary indexes dropped and builds them again
 * after, with the same names and columns: one sort per index instead of a
 * random insert per row (several times faster for millions of rows).
 */
async function withIndexesBuiltAfter(pool: mysql.Pool, table: string, load: () => Promise<void>): Promise<void> {
  const [rows] = await pool.query<mysql.RowDataPacket[]>(
    `SELECT index_name AS name, GROUP_CONCAT(CONCAT('\`', column_name, '\`') ORDER BY seq_in_index SEPARATOR ', ') AS columns
       FROM information_schema.statistics
      WHERE table_schema = DATABASE() AND table_name = ? AND index_name <> 'PRIMARY' AND non_unique = 1
      GROUP BY index_name`,
    [table],
  );
  // The sessions run without foreign key checks, which also lets an index a foreign key uses go for a while.
  for (const { name } of rows) await pool.query(`DROP INDEX \`${name}\` ON \`${table}\``);
  await load();
  if (rows.length > 0) await pool.query(`ALTER TABLE \`${table}\` ${rows.map((r) => `ADD INDEX \`${r.name}\` (${r.columns})`).join(", ")}`);
}

/** Fills the (migrated, image-free) database at `mysqlUrl` with `size` worth of catalogue. */
export async function seedApiData(mysqlUrl: string, size: SeedSize = FULL_SIZE, seed = 0xa91): Promise<SeedSummary> {
  const started = performance.now();
  const random = mulberry32(seed);
  const pool = mysql.createPool({ uri: mysqlUrl, connectionLimit: INSERTS_IN_FLIGHT, timezone: "Z" });
  // The seed writes consistent rows in bulk: per-row foreign key and unique checks would only slow it down.
  pool.on("connection", (connection) => connection.query("SET SESSION foreign_key_checks = 0, unique_checks = 0, time_zone = '+00:00'"));
  try {
    const [[{ n }]] = await pool.query<mysql.RowDataPacket[]>("SELECT COUNT(*) AS n FROM image");
    if (Number(n) > 0) throw new Error(`the database already holds ${n} images; seed an empty one`);
    const insert = new BatchInserter(pool);

    const registryIds = Array.from({ length: size.registries }, () => uuid(random));
    for (const [r, id] of registryIds.entries()) {
      const type = TYPES[r % TYPES.length];
      const name = `${type.toLowerCase().replace("_", "-")} ${r + 1}`;
      const created = new Date(NOW - (400 - r) * DAY);
      await insert.add("registry", REGISTRY_COLUMNS, [id, name, name, `seeded ${type} integration`, type, `https://registry-${r + 1}.example.test`, 0, "NONE", created, created]);
      await insert.add("pull_policy", POLICY_COLUMNS, [id, r % 3 === 0 ? "MANUAL" : "AUTOMATIC", "0 3 * * *", "UTC", "[]", "[]", "[]", JSON.stringify(["linux/amd64"])]);
      for (let s = 0; s < SYNC_RUNS_PER_REGISTRY; s++) {
        const at = new Date(NOW - s * DAY - Math.floor(random() * 3600_000));
        const status = random() < 0.9 ? "SUCCEEDED" : "PARTIAL";
        const tags = 200 + Math.floor(random() * 3000);
        await insert.add("sync_run", SYNC_COLUMNS, [uuid(random), id, "SCHEDULE", status, at, new Date(at.getTime() + 60_000), 40, tags, Math.floor(tags / 6), Math.floor(tags / 50), "[]", "[]"]);
      }
    }
    for (const table of ["registry", "pull_policy", "sync_run"]) {
      await insert.flush(table, table === "registry" ? REGISTRY_COLUMNS : table === "pull_policy" ? POLICY_COLUMNS : SYNC_COLUMNS);
    }

    // Registries are not all the same size: weights from 1 to 4.
    const weights = registryIds.map(() => 1 + random() * 3);
    const weightSum = weights.reduce((a, b) => a + b, 0);
    const perRegistry = weights.map((w) => Math.floor((w / weightSum) * size.images));
    perRegistry[0] += size.images - perRegistry.reduce((a, b) => a + b, 0);
    const scanned = new Set<string>();
    const unscanned = new Set<string>();
    let scanJobs = 0;
    for (const [r, registryId] of registryIds.entries()) {
      for (const image of imagesOf(random, registryId, perRegistry[r])) {
        const pushed = new Date(image.firstSeenAt.getTime() - Math.floor(random() * 3600_000));
        await insert.add("image", IMAGE_COLUMNS, [
          image.id, image.registryId, image.repository, image.tag, image.platform, image.digest, image.digest, pushed, pushed,
          "POLICY", image.removed ? 1 : 0, image.current ? 1 : 0, image.firstSeenAt, image.removed ? image.firstSeenAt : new Date(NOW),
        ]);
        // 85% of the digests were scanned; the rest wait or were never selected.
        if (!scanned.has(image.digest) && (unscanned.has(image.digest) || random() >= 0.85)) {
          unscanned.add(image.digest);
          continue;
        }
        scanned.add(image.digest);
        const finished = new Date(image.firstSeenAt.getTime() + 60_000 + Math.floor(random() * 600_000));
        await insert.add("scan_job", SCAN_COLUMNS, [uuid(random), registryId, image.id, "SUCCEEDED", 1, image.firstSeenAt, new Date(finished.getTime() - 30_000), finished, 1]);
        scanJobs++;
      }
    }
    await insert.flush("image", IMAGE_COLUMNS);
    await insert.flush("scan_job", SCAN_COLUMNS);

    // Artifacts and findings in digest order, so that both indexes fill front to back.
    const artifacts = [...scanned].sort();
    for (const digest of artifacts) {
      const os = OS_RELEASES[Math.floor(random() * OS_RELEASES.length)];
      await insert.add("artifact", ARTIFACT_COLUMNS, [digest, "seed", JSON.stringify(os), 50 + Math.floor(random() * 400), 3 + Math.floor(random() * 6), new Date(NOW - DAY), 1, "[]"]);
    }
    await insert.flush("artifact", ARTIFACT_COLUMNS);
    const counts = findingCounts(random, artifacts.length, size.findings);
    await withIndexesBuiltAfter(pool, "finding", async () => {
      for (const [index, digest] of artifacts.entries()) {
        for (let f = 0; f < counts[index]; f++) await insert.add("finding", FINDING_COLUMNS, findingRow(random, digest));
      }
      await insert.flush("finding", FINDING_COLUMNS);
    });
    for (let i = 0; i < artifacts.length; i += RECOUNT_CHUNK) await recountFindings(pool, artifacts.slice(i, i + RECOUNT_CHUNK));
    const findings = counts.reduce((a, b) => a + b, 0);
    await pool.query("ANALYZE TABLE registry, image, artifact, finding, scan_job, sync_run");
    return {
      registries: size.registries,
      images: size.images,
      findings,
      artifacts: artifacts.length,
      scanJobs,
      syncRuns: size.registries * SYNC_RUNS_PER_REGISTRY,
      ms: performance.now() - started,
    };
  } finally {
    await pool.end();
  }
}

async function main(): Promise<void> {
  const [url, ...flags] = process.argv.slice(2);
  const scaleAt = flags.indexOf("--scale");
  const scale = scaleAt >= 0 ? Number(flags[scaleAt + 1]) : 1;
  if (!url || !(scale > 0)) throw new Error("usage: npx ts-node bench/seed-api-data.ts <MYSQL_URL with a database name> [--scale 0.1]");
  await import("reflect-metadata");
  const { migrateMysql, openMysql } = await import("../db/mysql");
  const db = await openMysql(url, 2);
  try {
    await migrateMysql(db, async () => undefined);
  } finally {
    await db.destroy();
  }
  const summary = await seedApiData(url, scaledSize(scale));
  console.log(
    `seeded ${summary.registries} registries, ${summary.images} images, ${summary.artifacts} artifacts, ${summary.findings} findings, ` +
      `${summary.scanJobs} scan jobs, ${summary.syncRuns} sync runs in ${(summary.ms / 1000).toFixed(1)} s`,
  );
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
