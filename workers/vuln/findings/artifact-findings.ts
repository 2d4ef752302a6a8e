import type { DataSource, EntityManager } from "typeorm";
import { Artifact, ArtifactPackage, Finding } from "../../../db/entities";
import { Severity } from "../../../db/enums";
import { type Finding as MatchedFinding, lookupKeys, matchInventory, type MatchResult } from "../match/matcher";
import { recordsAffecting } from "../store/record-store";

const SEVERITY_RANK: Record<Severity, number> = {
  [Severity.CRITICAL]: 0,
  [Severity.HIGH]: 1,
  [Severity.MEDIUM]: 2,
  [Severity.LOW]: 3,
  [Severity.UNKNOWN]: 4,
};
const INSERT_CHUNK = 500;

/** Matches an artifact's stored inventory against the stored OSV records; pulls nothing. Null when the artifact has no inventory. */
export async function matchArtifact(db: DataSource | EntityManager, digest: string): Promise<MatchResult | null> {
  const artifact = await db.getRepository(Artifact).findOneBy({ digest });
  if (!artifact) return null;
  const packages = await db.getRepository(ArtifactPackage).find({
    select: { type: true, name: true, version: true, sourceName: true, sourceVersion: true },
    where: { artifactDigest: digest },
  });
  const os = artifact.os && { id: artifact.os.id, versionId: artifact.os.versionId, prettyName: artifact.os.prettyName };
  const records = await recordsAffecting(db, lookupKeys(os, packages));
  return matchInventory(os, packages, records);
}

/** What makes two findings the same for "did this import change the image's findings". */
const identity = (f: Pick<MatchedFinding, "advisoryId" | "aliases" | "packageName" | "installedVersion" | "fixedVersion" | "severity" | "cvssScore"> & { packageType: string }) =>
  JSON.stringify([f.advisoryId, [...f.aliases].sort(), f.packageType, f.packageName, f.installedVersion, f.fixedVersion, f.severity, f.cvssScore]);

/**
 * Replaces the artifact's findings with `result`, matched against database
 * `version`; answers whether they differ from the stored ones.
 */
export async function writeFindings(tx: EntityManager, digest: string, result: MatchResult, version: number): Promise<boolean> {
  const stored = await tx.getRepository(Finding).find({ where: { artifactDigest: digest } });
  const before = stored.map(identity).sort();
  const after = result.findings.map(identity).sort();
  const changed = before.length !== after.length || before.some((value, i) => value !== after[i]);
  if (changed) {
    await tx.getRepository(Finding).delete({ artifactDigest: digest });
    const rows = result.findings.map((f) => [
      digest,
      f.advisoryId,
      JSON.stringify(f.aliases),
      f.packageType,
      f.packageName,
      f.sourceName,
      f.installedVersion,
      f.fixedVersion,
      f.severity,
      SEVERITY_RANK[f.severity as Severity],
      f.cvssScore,
      f.summary,
    ]);
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      const chunk = rows.slice(i, i + INSERT_CHUNK);
      await tx.query(
        `INSERT INTO finding (artifactDigest, advisoryId, aliases, packageType, packageName, sourceName, installedVersion, fixedVersion, severity, severityRank, cvssScore, summary)
         VALUES ${chunk.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").join(", ")}`,
        chunk.flat(),
      );
    }
  }
  await tx.getRepository(Artifact).update({ digest }, { matchedVersion: version, matchNotes: result.notes });
  return changed;
}
