import { registerEnumType } from "type-graphql";

export enum RegistryType {
  DOCKER_REGISTRY = "DOCKER_REGISTRY",
  HARBOR = "HARBOR",
  GITLAB = "GITLAB",
  ARTIFACTORY = "ARTIFACTORY",
  NEXUS = "NEXUS",
  DOCKER_HUB = "DOCKER_HUB",
  YANDEX = "YANDEX",
}

export enum AuthMethod {
  ACCOUNT = "ACCOUNT",
  API_KEY = "API_KEY",
  NONE = "NONE",
}

export enum RepositoryPathMethod {
  REPOSITORY_PATH = "REPOSITORY_PATH",
  SUBDOMAIN = "SUBDOMAIN",
  PORT = "PORT",
}

export enum PullMode {
  MANUAL = "MANUAL",
  AUTOMATIC = "AUTOMATIC",
}

export enum PullCondition {
  NONE = "NONE",
  CREATED_WITHIN = "CREATED_WITHIN",
  LATEST = "LATEST",
}

export enum PeriodUnit {
  DAYS = "DAYS",
  MONTHS = "MONTHS",
  YEARS = "YEARS",
}

/** Ordered from most to least privileged. */
export enum Role {
  ADMIN = "ADMIN",
  OPERATOR = "OPERATOR",
  VIEWER = "VIEWER",
}

registerEnumType(RegistryType, { name: "RegistryType", description: "The kind of registry an integration talks to" });
registerEnumType(AuthMethod, { name: "AuthMethod", description: "How drydock authenticates to a registry" });
registerEnumType(RepositoryPathMethod, {
  name: "RepositoryPathMethod",
  description: "How Artifactory exposes a repository's Docker endpoint",
});
registerEnumType(PullMode, { name: "PullMode", description: "Whether images are discovered on a schedule" });
registerEnumType(PullCondition, { name: "PullCondition", description: "Which candidate tags a discovery run keeps" });
registerEnumType(PeriodUnit, { name: "PeriodUnit" });
registerEnumType(Role, { name: "Role", description: "What an API token may do" });

export enum ImageSource {
  MANUAL = "MANUAL",
  POLICY = "POLICY",
  WEBHOOK = "WEBHOOK",
}

export enum ScanJobStatus {
  QUEUED = "QUEUED",
  RUNNING = "RUNNING",
  SUCCEEDED = "SUCCEEDED",
  FAILED = "FAILED",
  CANCELLED = "CANCELLED",
}

export enum SyncTrigger {
  SCHEDULE = "SCHEDULE",
  MANUAL = "MANUAL",
  WEBHOOK = "WEBHOOK",
}

export enum SyncStatus {
  RUNNING = "RUNNING",
  /** Every repository in scope was listed. */
  SUCCEEDED = "SUCCEEDED",
  /** Some repositories failed to list; the rest were processed. */
  PARTIAL = "PARTIAL",
  FAILED = "FAILED",
  CANCELLED = "CANCELLED",
}

registerEnumType(ImageSource, { name: "ImageSource", description: "What added an image: an operator, the pull policy or a webhook" });
registerEnumType(ScanJobStatus, { name: "ScanJobStatus" });
registerEnumType(SyncTrigger, { name: "SyncTrigger", description: "What started a discovery run" });
registerEnumType(SyncStatus, { name: "SyncStatus" });

/** How one scan attempt ended (DESIGN §4); RUNNING while it has not. */
export enum ScanAttemptOutcome {
  RUNNING = "RUNNING",
  SUCCEEDED = "SUCCEEDED",
  /** A non-retryable error: the job failed with it. */
  FAILED = "FAILED",
  /** A retryable error (registry unreachable, rate limited, 5xx). */
  ERROR = "ERROR",
  /** The registry's scanTimeoutMinutes passed. */
  TIMED_OUT = "TIMED_OUT",
  /** The worker stopped heartbeating (killed, crashed, or shut down mid-scan). */
  WORKER_LOST = "WORKER_LOST",
  /** Stopped by deleteScanJobs or deleteRegistries. */
  CANCELLED = "CANCELLED",
  /** Pulls were paused by the registry's pull quota: not counted, the job waits until ScanJob.pausedUntil. */
  PAUSED = "PAUSED",
}

export enum PackageType {
  apk = "apk",
  deb = "deb",
  rpm = "rpm",
  npm = "npm",
  pypi = "pypi",
  golang = "golang",
  maven = "maven",
}

registerEnumType(ScanAttemptOutcome, { name: "ScanAttemptOutcome" });
registerEnumType(PackageType, { name: "PackageType", description: "The purl type of a package" });

export enum Severity {
  CRITICAL = "CRITICAL",
  HIGH = "HIGH",
  MEDIUM = "MEDIUM",
  LOW = "LOW",
  UNKNOWN = "UNKNOWN",
}

/** finding.severityRank: 0 = CRITICAL … 4 = UNKNOWN, the order findings are listed in (Severity declares its values worst first). */
export function severityRank(severity: Severity): number {
  return Object.values(Severity).indexOf(severity);
}

export enum ImportStatus {
  QUEUED = "QUEUED",
  RUNNING = "RUNNING",
  SUCCEEDED = "SUCCEEDED",
  FAILED = "FAILED",
}

registerEnumType(Severity, { name: "Severity" });
registerEnumType(ImportStatus, { name: "ImportStatus" });
