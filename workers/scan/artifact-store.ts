import type { DataSource, EntityManager } from "typeorm";
import { Artifact, ArtifactPackage } from "../../db/entities";
import type { PackageType } from "../../db/enums";
import type { Inventory } from "./inventory/merge";

const INSERT_CHUNK = 500;

/** True when the artifact already has an inventory from these analyzer versions: a scan then pulls nothing. */
export async function hasCurrentInventory(db: DataSource, digest: string, analyzersKey: string): Promise<boolean> {
  return db.getRepository(Artifact).existsBy({ digest, analyzersKey });
}

/** Replaces an artifact's inventory; runs inside the transaction that ends the attempt. */
export async function writeInventory(tx: EntityManager, digest: string, analyzersKey: string, layerCount: number, inventory: Inventory): Promise<void> {
  // Only an artifact scanned before has packages to replace; an unconditional range delete would gap-lock other scans' inserts.
  if (await tx.getRepository(Artifact).existsBy({ digest })) await tx.getRepository(ArtifactPackage).delete({ artifactDigest: digest });
  await tx.getRepository(Artifact).upsert(
    {
      digest,
      analyzersKey,
      os: inventory.os && {
        id: inventory.os.id,
        versionId: inventory.os.versionId,
        prettyName: inventory.os.prettyName,
        versionCodename: inventory.os.versionCodename,
      },
      packageCount: inventory.packages.length,
      layerCount,
      scannedAt: new Date(),
    },
    ["digest"],
  );
  const rows = inventory.packages.map((p) => ({
    artifactDigest: digest,
    type: p.type as PackageType,
    name: p.name,
    version: p.version,
    purl: p.purl,
    path: p.path,
    layerDigest: p.layerDigest,
    sourceName: p.sourceName ?? null,
    sourceVersion: p.sourceVersion ?? null,
    arch: p.arch ?? null,
    installed: p.origin === "installed",
  }));
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) await tx.getRepository(ArtifactPackage).insert(rows.slice(i, i + INSERT_CHUNK));
}

/** Artifacts no image resolves to any more (after images were deleted with their registry). */
export async function removeUnreferencedArtifacts(db: DataSource | EntityManager): Promise<void> {
  await db.query("DELETE FROM artifact WHERE NOT EXISTS (SELECT 1 FROM image WHERE image.digest = artifact.digest)");
}
