import path from "node:path";
import { StartupError } from "./errors";

/**
 * Every environment variable drydock reads, with its default. The README's
 * configuration table and docker-compose.yml are checked against this list.
 */
export const ENVIRONMENT = {
  MYSQL_URL: { default: "mysql://root@127.0.0.1:3306/drydock", about: "MySQL/MariaDB system of record" },
  DATABASE_URL: { default: "postgres://postgres@127.0.0.1:5432/drydock", about: "PostgreSQL for the job queue" },
  PORT: { default: "4000", about: "HTTP port of the API server" },
  HOST: { default: "0.0.0.0", about: "address the API server listens on" },
  NODE_ENV: { default: "development", about: "`production` requires DRYDOCK_SECRET_KEY" },
  DRYDOCK_SECRET_KEY: {
    default: "",
    about: "base64 of 32 bytes encrypting registry secrets; comma-separated to add older keys for decryption",
  },
  DRYDOCK_DATA_DIR: { default: "./data", about: "where a generated secret key is kept outside production" },
  WORKER_CONCURRENCY: { default: "4", about: "jobs one worker process runs at once" },
  TZ: { default: "", about: "default time zone of pull-policy schedules (IANA name; the system zone when empty)" },
  LOG_LEVEL: { default: "info", about: "fatal, error, warn, info, debug or trace" },
  DRYDOCK_WORKER_HEARTBEAT_SECONDS: { default: "5", about: "how often a worker process records that it is alive" },
  DRYDOCK_WORKER_LOST_AFTER_SECONDS: {
    default: "30",
    about: "a worker silent this long is dead: its running scans are re-queued (bounds the delay after a crash)",
  },
  DRYDOCK_MAX_LAYER_BYTES: { default: "8589934592", about: "uncompressed bytes of one image layer (LAYER_TOO_LARGE)" },
  DRYDOCK_MAX_LAYER_ENTRIES: { default: "1000000", about: "tar entries in one image layer (TOO_MANY_ENTRIES)" },
  DRYDOCK_MAX_FILE_BYTES: { default: "1073741824", about: "any file handed to an analyzer (FILE_TOO_LARGE)" },
  DRYDOCK_IMPORT_ROOTS: {
    default: "",
    about: "comma-separated folders OSV imports may read from (empty: <DRYDOCK_DATA_DIR>/osv)",
  },
  DRYDOCK_OSV_SOURCES: { default: "", about: "comma-separated OSV sources (paths under the import roots, or http(s) URLs) imported on DRYDOCK_OSV_SCHEDULE" },
  DRYDOCK_OSV_SCHEDULE: { default: "30 3 * * *", about: "cron schedule (5 fields, UTC) of the import of DRYDOCK_OSV_SOURCES" },
  DRYDOCK_DOCKER_HUB_AUTH_URL: { default: "https://auth.docker.io", about: "Docker Hub's token service: DOCKER_HUB credentials go to this origin's token realm" },
  DRYDOCK_YANDEX_IAM_URL: {
    default: "https://iam.api.cloud.yandex.net/iam/v1/tokens",
    about: "Yandex IAM token endpoint: YANDEX integrations exchange OAuth tokens and service account keys for IAM tokens there",
  },
  DRYDOCK_METRICS_TOKEN: { default: "", about: "when set, /metrics (server and workers) answers only requests with Authorization: Bearer <this token>" },
  DRYDOCK_WORKER_METRICS_PORT: { default: "", about: "port on HOST where each worker process serves its own /metrics (empty: none; 0 picks a free one)" },
  DRYDOCK_PUBLIC_URL: {
    default: "",
    about: "address registries reach the API server at, for Registry.webhookUrl (empty: the address of the GraphQL request)",
  },
} as const;

export type EnvironmentName = keyof typeof ENVIRONMENT;

export interface Config {
  mysqlUrl: string;
  databaseUrl: string;
  port: number;
  host: string;
  production: boolean;
  secretKey: string | undefined;
  dataDir: string;
  workerConcurrency: number;
  timezone: string;
  logLevel: string;
  heartbeatMs: number;
  workerLostAfterMs: number;
  maxLayerBytes: number;
  maxLayerEntries: number;
  maxFileBytes: number;
  importRoots: string[];
  osvSources: string[];
  osvSchedule: string;
  dockerHubAuthUrl: string;
  /** Base of webhook URLs shown to ADMINs; null: the address each GraphQL request came to. */
  publicUrl: string | null;
  yandexIamUrl: string;
  /** Bearer token /metrics requires; null: open to any scraper. */
  metricsToken: string | null;
  /** Where a worker serves /metrics; null: it serves none. */
  workerMetricsPort: number | null;
}

type Env = Partial<Record<string, string | undefined>>;

function read(env: Env, name: EnvironmentName): string {
  const value = env[name];
  return value === undefined || value === "" ? ENVIRONMENT[name].default : value;
}

function positiveInteger(env: Env, name: EnvironmentName, max: number): number {
  const raw = read(env, name);
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new StartupError(`${name}=${raw} is not a whole number between 0 and ${max}`);
  }
  return value;
}

function list(env: Env, name: EnvironmentName): string[] {
  return read(env, name)
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
}

/** Five cron fields, as graphile-worker's crontab takes them. */
function cronSchedule(env: Env, name: EnvironmentName): string {
  const value = read(env, name).trim().replace(/\s+/g, " ");
  const fields = value.split(" ");
  if (fields.length !== 5 || !fields.every((field) => /^[\d*,\-/]+$/.test(field))) {
    throw new StartupError(`${name}=${value} is not a cron schedule of 5 numeric fields (minute hour day month weekday), e.g. "30 3 * * *"`);
  }
  return value;
}

export function loadConfig(env: Env = process.env): Config {
  const dataDir = path.resolve(read(env, "DRYDOCK_DATA_DIR"));
  return {
    mysqlUrl: read(env, "MYSQL_URL"),
    databaseUrl: read(env, "DATABASE_URL"),
    port: positiveInteger(env, "PORT", 65535),
    host: read(env, "HOST"),
    production: read(env, "NODE_ENV") === "production",
    secretKey: read(env, "DRYDOCK_SECRET_KEY") || undefined,
    dataDir,
    workerConcurrency: Math.max(1, positiveInteger(env, "WORKER_CONCURRENCY", 1000)),
    timezone: read(env, "TZ") || Intl.DateTimeFormat().resolvedOptions().timeZone,
    logLevel: read(env, "LOG_LEVEL"),
    heartbeatMs: Math.max(1, positiveInteger(env, "DRYDOCK_WORKER_HEARTBEAT_SECONDS", 3600)) * 1000,
    workerLostAfterMs: Math.max(2, positiveInteger(env, "DRYDOCK_WORKER_LOST_AFTER_SECONDS", 86400)) * 1000,
    maxLayerBytes: Math.max(1, positiveInteger(env, "DRYDOCK_MAX_LAYER_BYTES", Number.MAX_SAFE_INTEGER)),
    maxLayerEntries: Math.max(1, positiveInteger(env, "DRYDOCK_MAX_LAYER_ENTRIES", Number.MAX_SAFE_INTEGER)),
    maxFileBytes: Math.max(1, positiveInteger(env, "DRYDOCK_MAX_FILE_BYTES", Number.MAX_SAFE_INTEGER)),
    importRoots: (list(env, "DRYDOCK_IMPORT_ROOTS").length > 0 ? list(env, "DRYDOCK_IMPORT_ROOTS") : [path.join(dataDir, "osv")]).map((root) => path.resolve(root)),
    osvSources: list(env, "DRYDOCK_OSV_SOURCES"),
    osvSchedule: cronSchedule(env, "DRYDOCK_OSV_SCHEDULE"),
    dockerHubAuthUrl: read(env, "DRYDOCK_DOCKER_HUB_AUTH_URL"),
    publicUrl: read(env, "DRYDOCK_PUBLIC_URL").replace(/\/+$/, "") || null,
    yandexIamUrl: read(env, "DRYDOCK_YANDEX_IAM_URL"),
    metricsToken: read(env, "DRYDOCK_METRICS_TOKEN") || null,
    workerMetricsPort: read(env, "DRYDOCK_WORKER_METRICS_PORT") === "" ? null : positiveInteger(env, "DRYDOCK_WORKER_METRICS_PORT", 65535),
  };
}
