import type { DataSource, EntityManager } from "typeorm";
import type { OperatingSystem } from "../../../db/entities/artifact.entity";
import { type Severity, severityRank } from "../../../db/enums";
import { recountFindings } from "../../../db/finding-counts";
import { type Finding as MatchedFinding, indexKey, lookupKeys, matchCandidates, type MatchPackage, type MatchResult } from "../match/matcher";
import type { RecordSource } from "./record-cache";

const INSERT_CHUNK = 2_000;

export interface MatchedArtifact {
  digest: string;
  result: MatchResult;
}

type Db = DataSource | EntityManager;

/** The stored inventories of `digests` (those that have one), in one query each for artifacts and packages. */
async function inventories(db: Db, digests: readonly string[]): Promise<Map<string, { os: OperatingSystem | null; packages: MatchPackage[] }>> {
  const found = new Map<string, { os: OperatingSystem | null; packages: MatchPackage[] }>();
  if (digests.length === 0) return found;
  const artifacts: Array<{ digest: string; os: OperatingSystem | string | null }> = await db.query("SELECT digest, os FROM artifact WHERE digest IN (?)", [digests]);
  for (const { digest, os } of artifacts) found.set(digest, { os: typeof os === "string" ? JSON.parse(os) : os, packages: [] });
  const packages: Array<MatchPackage & { artifactDigest: string }> = await db.query(
    "SELECT artifactDigest, type, name, version, sourceName, sourceVersion FROM artifact_package WHERE artifactDigest IN (?)",
    [digests],
  );
  for (const { artifactDigest, ...pkg } of packages) found.get(artifactDigest)?.packages.push(pkg);
  return found;
}

/**
 * Matches the stored inventories of `digests` against the stored OSV records;
 * pulls nothing. Artifacts without an inventory are left out. The candidates
 * of all of them are asked for at once: one lookup per batch, not per image.
 */
export async function matchArtifacts(db: Db, digests: readonly string[], records: RecordSource): Promise<MatchedArtifact[]> {
  const found = [...(await inventories(db, digests))].map(([digest, { os, packages }]) => {
    const identity = os && { id: os.id, versionId: os.versionId, prettyName: os.prettyName };
    return { digest, identity, packages, keys: lookupKeys(identity, packages) };
  });
  const keys = new Map(found.flatMap((artifact) => artifact.keys).map((key) => [indexKey(key.ecosystem, key.name), key]));
  const candidates = await records.candidates(db, [...keys.values()]);
  return found.map(({ digest, identity, packages }) => ({ digest, result: matchCandidates(identity, packages, candidates) }));
}

/** What makes two findings the same for "did this import change the image's findings". */
const identity = (f: Pick<MatchedFinding, "advisoryId" | "aliases" | "packageName" | "installedVersion" | "fixedVersion" | "severity" | "cvssScore"> & { packageType: string }) =>
  JSON.stringify([f.advisoryId, [...f.aliases].sort(), f.packageType, f.packageName, f.installedVersion, f.fixedVersion, f.severity, f.cvssScore]);

const sameFindings = (stored: string[], matched: string[]) => stored.length === matched.length && stored.every((value, i) => value === matched[i]);

/**
 * Replaces the findings of each matched artifact whose findings differ from
 * the stored ones, records `version` and the notes on every one, and answers
 * the digests whose findings changed. A few statements per batch, not per
 * artifact: a re-match after an import touches every inventory.
 */
export async function writeFindings(tx: EntityManager, matched: readonly MatchedArtifact[], version: number): Promise<string[]> {
  if (matched.length === 0) return [];
  const digests = matched.map((m) => m.digest);
  const stored = new Map<string, string[]>(digests.map((digest) => [digest, []]));
  const storedRows: Array<Parameters<typeof identity>[0] & { artifactDigest: string; cvssScore: string | number | null; aliases: string | string[] }> = await tx.query(
    "SELECT artifactDigest, advisoryId, aliases, packageType, packageName, installedVersion, fixedVersion, severity, cvssScore FROM finding WHERE artifactDigest IN (?)",
    [digests],
  );
  for (const row of storedRows) {
    // Raw rows: JSON and DECIMAL columns come back as text from MariaDB (as the entity's transformers would read them).
    const aliases = typeof row.aliases === "string" ? (JSON.parse(row.aliases) as string[]) : row.aliases;
    const cvssScore = row.cvssScore === null ? null : Number(row.cvssScore);
    stored.get(row.artifactDigest)!.push(identity({ ...row, aliases, cvssScore }));
  }
  const changed = matched.filter((m) => !sameFindings(stored.get(m.digest)!.sort(), m.result.findings.map(identity).sort()));
  if (changed.length > 0) {
    await tx.query("DELETE FROM finding WHERE artifactDigest IN (?)", [changed.map((m) => m.digest)]);
    const rows = changed.flatMap(({ digest, result }) =>
      result.findings.map((f) => [
        digest,
        f.advisoryId,
        JSON.stringify(f.aliases),
        f.packageType,
        f.packageName,
        f.sourceName,
        f.installedVersion,
        f.fixedVersion,
        f.severity,
        severityRank(f.severity as Severity),
        f.cvssScore,
        f.summary,
      ]),
    );
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      const chunk = rows.slice(i, i + INSERT_CHUNK);
      await tx.query(
        `INSERT INTO finding (artifactDigest, advisoryId, aliases, packageType, packageName, sourceName, installedVersion, fixedVersion, severity, severityRank, cvssScore, summary)
         VALUES ${chunk.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").join(", ")}`,
        chunk.flat(),
      );
    }
    await recountFindings(tx, changed.map((m) => m.digest));
  }
  // Artifacts with the same notes (most have none) are updated together.
  const byNotes = new Map<string, string[]>();
  for (const { digest, result } of matched) byNotes.set(JSON.stringify(result.notes), [...(byNotes.get(JSON.stringify(result.notes)) ?? []), digest]);
  for (const [notes, group] of byNotes) {
    await tx.query("UPDATE artifact SET matchedVersion = ?, matchNotes = ? WHERE digest IN (?)", [version, notes, group]);
  }
  return changed.map((m) => m.digest);
}
