/**
 * Rows the scan and import workers would write, stored directly: the API
 * tests need images, jobs, attempts, inventories, findings and import runs
 * without running a scan or an import.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { DataSource } from "typeorm";
import { recountFindings } from "../../db/finding-counts";
import { Artifact, ArtifactPackage, Finding, Image, ImportRun, ImportRunChange, ScanAttempt, ScanJob } from "../../db/entities";
import type { OperatingSystem } from "../../db/entities/artifact.entity";
import { ImageSource, ImportStatus, PackageType, ScanAttemptOutcome, ScanJobStatus, Severity } from "../../db/enums";

export function randomDigest(): string {
  return `sha256:${randomBytes(32).toString("hex")}`;
}

export async function seedImage(db: DataSource, registryId: string, fields: Partial<Image> = {}): Promise<Image> {
  const digest = fields.digest ?? randomDigest();
  const image = db.getRepository(Image).create({
    id: randomUUID(),
    registryId,
    repository: "team/app",
    tag: "1.0",
    platform: "linux/amd64",
    digest,
    tagDigest: digest,
    addedBy: ImageSource.MANUAL,
    removed: false,
    current: true,
    ...fields,
  });
  await db.getRepository(Image).insert(image);
  return db.getRepository(Image).findOneByOrFail({ id: image.id });
}

export async function seedScanJob(db: DataSource, image: Image, fields: Partial<ScanJob> = {}): Promise<ScanJob> {
  const id = randomUUID();
  await db.getRepository(ScanJob).insert({ id, registryId: image.registryId, imageId: image.id, status: ScanJobStatus.QUEUED, ...fields });
  return db.getRepository(ScanJob).findOneByOrFail({ id });
}

export async function seedAttempt(db: DataSource, job: ScanJob, number: number, fields: Partial<ScanAttempt> = {}): Promise<ScanAttempt> {
  const attempt = { id: randomUUID(), scanJobId: job.id, number, workerId: randomUUID(), startedAt: new Date(), outcome: ScanAttemptOutcome.RUNNING, ...fields };
  await db.getRepository(ScanAttempt).insert(attempt);
  return db.getRepository(ScanAttempt).findOneByOrFail({ id: attempt.id });
}

export type SeedPackage = Pick<ArtifactPackage, "type" | "name" | "version" | "purl"> & Partial<ArtifactPackage>;

/** An artifact with its inventory, as a finished scan leaves it. */
export async function seedArtifact(db: DataSource, digest: string, os: OperatingSystem | null, packages: SeedPackage[]): Promise<void> {
  await db.getRepository(Artifact).insert({ digest, analyzersKey: "test", os, packageCount: packages.length, layerCount: 1, scannedAt: new Date() });
  if (packages.length === 0) return;
  await db.getRepository(ArtifactPackage).insert(
    packages.map((p) => ({
      artifactDigest: digest,
      path: "var/lib/dpkg/status",
      layerDigest: randomDigest(),
      sourceName: null,
      sourceVersion: null,
      arch: null,
      installed: true,
      ...p,
    })),
  );
}

/** finding.severityRank as the matcher writes it. */
const SEVERITY_RANK: Record<Severity, number> = { CRITICAL: 0, HIGH: 1, MEDIUM: 2, LOW: 3, UNKNOWN: 4 };

export type SeedFinding = Pick<Finding, "advisoryId" | "packageName" | "installedVersion" | "severity"> & Partial<Finding>;

/**
 * Findings of a scanned artifact, as matching against database version 1
 * leaves them (an empty list: matched, nothing found).
 */
export async function seedFindings(db: DataSource, digest: string, findings: SeedFinding[]): Promise<void> {
  await db.getRepository(Artifact).update({ digest }, { matchedVersion: 1 });
  if (findings.length === 0) return;
  await db.getRepository(Finding).insert(
    findings.map((f) => ({
      artifactDigest: digest,
      aliases: [],
      packageType: PackageType.deb,
      sourceName: null,
      fixedVersion: null,
      cvssScore: null,
      summary: null,
      severityRank: SEVERITY_RANK[f.severity],
      ...f,
    })),
  );
  await recountFindings(db, [digest]);
}

/** An import run, and the artifacts whose findings it changed. */
export async function seedImportRun(db: DataSource, fields: Partial<ImportRun> = {}, changedDigests: string[] = []): Promise<ImportRun> {
  const id = randomUUID();
  await db.getRepository(ImportRun).insert({ id, source: "https://osv.example.com/all.zip", status: ImportStatus.SUCCEEDED, malformed: [], ...fields });
  if (changedDigests.length > 0) {
    await db.getRepository(ImportRunChange).insert(changedDigests.map((artifactDigest) => ({ importRunId: id, artifactDigest })));
  }
  return db.getRepository(ImportRun).findOneByOrFail({ id });
}
