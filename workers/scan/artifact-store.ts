import type { DataSource, EntityManager } from "typeorm";
import { Artifact, ArtifactPackage } from "../../db/entities";
import type { Inventory, InventoryPackage } from "./inventory/merge";

const INSERT_CHUNK = 500;
const PACKAGE_COLUMNS = ["artifactDigest", "type", "name", "version", "purl", "path", "layerDigest", "sourceName", "sourceVersion", "arch", "installed"];

/** True when the artifact already has an inventory from these analyzer versions: a scan then pulls nothing. */
export async function hasCurrentInventory(db: DataSource, digest: string, analyzersKey: string): Promise<boolean> {
  return db.getRepository(Artifact).existsBy({ digest, analyzersKey });
}

/** Replaces an artifact's inventory; runs inside the transaction that ends the attempt. */
/** Image content is untrusted: a package whose fields do not fit the columns is left out rather than failing the scan. */
const fitsColumns = (p: InventoryPackage) =>
  p.name.length <= 255 &&
  p.version.length <= 255 &&
  p.path.length <= 1024 &&
  p.purl.length <= 1024 &&
  (p.sourceName ?? "").length <= 255 &&
  (p.sourceVersion ?? "").length <= 255 &&
  (p.arch ?? "").length <= 64;

export async function writeInventory(tx: EntityManager, digest: string, analyzersKey: string, layerCount: number, inventory: Inventory): Promise<void> {
  const packages = inventory.packages.filter(fitsColumns);
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
      packageCount: packages.length,
      layerCount,
      scannedAt: new Date(),
    },
    ["digest"],
  );
  // One multi-row INSERT per chunk: TypeORM's insert builder costs more CPU than the scan's analyzers for a few thousand rows.
  const rows = packages.map((p) => [
    digest,
    p.type,
    p.name,
    p.version,
    p.purl,
    p.path,
    p.layerDigest,
    p.sourceName ?? null,
    p.sourceVersion ?? null,
    p.arch ?? null,
    p.origin === "installed",
  ]);
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    const chunk = rows.slice(i, i + INSERT_CHUNK);
    await tx.query(
      `INSERT INTO artifact_package (${PACKAGE_COLUMNS.join(", ")}) VALUES ${chunk.map(() => `(${PACKAGE_COLUMNS.map(() => "?").join(", ")})`).join(", ")}`,
      chunk.flat(),
    );
  }
}

/** Artifacts no image resolves to any more (after images were deleted with their registry). */
export async function removeUnreferencedArtifacts(db: DataSource | EntityManager): Promise<void> {
  await db.query("DELETE FROM artifact WHERE NOT EXISTS (SELECT 1 FROM image WHERE image.digest = artifact.digest)");
}
