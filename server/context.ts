import DataLoader from "dataloader";
import { In, type DataSource } from "typeorm";
import { Artifact, Image, PullPolicy, Registry, ScanJob, SyncRun } from "../db/entities";
import { ScanJobStatus } from "../db/enums";
import { readRows, rowReader } from "../db/row-reader";
import type { DiscoveryService } from "./modules/discovery/discovery.service";
import type { ImageService } from "./modules/image/image.service";
import type { PolicyService } from "./modules/policy/policy.service";
import type { RegistryService } from "./modules/registry/registry.service";
import type { LiveUpdates } from "./live/live-updates";
import type { IntakeService } from "./modules/scan/intake.service";
import type { ScanJobService } from "./modules/scan/scan-job.service";
import type { SyncService } from "./modules/sync/sync.service";
import type { Principal, TokenService } from "./modules/token/token.service";
import type { ImportRunService } from "./modules/vuln/import-run.service";
import type { VulnerabilityService } from "./modules/vuln/vulnerability.service";

export interface Services {
  db: DataSource;
  registries: RegistryService;
  policies: PolicyService;
  tokens: TokenService;
  syncs: SyncService;
  discovery: DiscoveryService;
  intake: IntakeService;
  images: ImageService;
  scanJobs: ScanJobService;
  vulnerabilities: VulnerabilityService;
  imports: ImportRunService;
  /** Scan job and sync run changes for subscriptions. */
  live: LiveUpdates;
}

/** Per-request batch loaders, so a list of registries reads its policies in one query. */
export interface Loaders {
  policyByRegistry: DataLoader<string, PullPolicy>;
  lastSyncByRegistry: DataLoader<string, SyncRun | null>;
  imageById: DataLoader<string, Image>;
  registryById: DataLoader<string, Registry>;
  /** The latest SUCCEEDED scan job of an image. */
  lastScanByImage: DataLoader<string, ScanJob | null>;
  /** Null before the digest was scanned. */
  artifactByDigest: DataLoader<string, Artifact | null>;
}

export interface Context {
  principal: Principal | null;
  services: Services;
  loaders: Loaders;
  /** Base of URLs the API shows (Registry.webhookUrl): DRYDOCK_PUBLIC_URL, else the address this request came to; absent when neither is known. */
  baseUrl?: string;
}

/** Row readers of the entities loaders read by raw SQL (db/row-reader.ts): the ones every page of images asks for. */
interface LoaderReaders {
  image: (row: Record<string, unknown>) => Image;
  registry: (row: Record<string, unknown>) => Registry;
  artifact: (row: Record<string, unknown>) => Artifact;
}

/** Made once per data source: loaders are made per request. */
const readersByDb = new WeakMap<DataSource, LoaderReaders>();

function readersOf(db: DataSource): LoaderReaders {
  let made = readersByDb.get(db);
  if (!made) {
    made = { image: rowReader(db, Image), registry: rowReader(db, Registry), artifact: rowReader(db, Artifact) };
    readersByDb.set(db, made);
  }
  return made;
}

async function rowsByKey<T>(db: DataSource, read: (row: Record<string, unknown>) => T, sql: string, keys: readonly string[], keyOf: (row: T) => string) {
  const rows = await readRows(db, read, sql, [keys]);
  return new Map(rows.map((row) => [keyOf(row), row]));
}

export function createLoaders(db: DataSource): Loaders {
  const readers = readersOf(db);
  return {
    policyByRegistry: new DataLoader(async (ids: readonly string[]) => {
      const rows = await db.getRepository(PullPolicy).findBy({ registryId: In([...ids]) });
      const byId = new Map(rows.map((p) => [p.registryId, p]));
      return ids.map((id) => byId.get(id) ?? new Error(`no pull policy for registry ${id}`));
    }),
    lastSyncByRegistry: new DataLoader(async (ids: readonly string[]) => {
      const rows: SyncRun[] = await db
        .getRepository(SyncRun)
        .createQueryBuilder("s")
        .where("s.registryId IN (:...ids)", { ids })
        .andWhere(
          "s.startedAt = (SELECT MAX(l.startedAt) FROM sync_run l WHERE l.registryId = s.registryId)",
        )
        .getMany();
      const byId = new Map(rows.map((r) => [r.registryId, r]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    imageById: new DataLoader(async (ids: readonly string[]) => {
      const byId = await rowsByKey(db, readers.image, "SELECT * FROM `image` WHERE id IN (?)", ids, (r) => r.id);
      return ids.map((id) => byId.get(id) ?? new Error(`no image ${id}`));
    }),
    registryById: new DataLoader(async (ids: readonly string[]) => {
      const byId = await rowsByKey(db, readers.registry, "SELECT * FROM `registry` WHERE id IN (?)", ids, (r) => r.id);
      return ids.map((id) => byId.get(id) ?? new Error(`no registry ${id}`));
    }),
    lastScanByImage: new DataLoader(async (ids: readonly string[]) => {
      const rows: ScanJob[] = await db
        .getRepository(ScanJob)
        .createQueryBuilder("s")
        .where("s.imageId IN (:...ids) AND s.status = :succeeded", { ids, succeeded: ScanJobStatus.SUCCEEDED })
        .andWhere(
          "s.finishedAt = (SELECT MAX(l.finishedAt) FROM scan_job l WHERE l.imageId = s.imageId AND l.status = :succeeded)",
        )
        .getMany();
      const byId = new Map(rows.map((r) => [r.imageId, r]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    artifactByDigest: new DataLoader(async (digests: readonly string[]) => {
      const byDigest = await rowsByKey(db, readers.artifact, "SELECT * FROM `artifact` WHERE digest IN (?)", digests, (r) => r.digest);
      return digests.map((digest) => byDigest.get(digest) ?? null);
    }),
  };
}
