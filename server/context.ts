import DataLoader from "dataloader";
import { In, type DataSource } from "typeorm";
import { Image, PullPolicy, SyncRun } from "../db/entities";
import type { DiscoveryService } from "./modules/discovery/discovery.service";
import type { PolicyService } from "./modules/policy/policy.service";
import type { RegistryService } from "./modules/registry/registry.service";
import type { IntakeService } from "./modules/scan/intake.service";
import type { SyncService } from "./modules/sync/sync.service";
import type { Principal, TokenService } from "./modules/token/token.service";

export interface Services {
  db: DataSource;
  registries: RegistryService;
  policies: PolicyService;
  tokens: TokenService;
  syncs: SyncService;
  discovery: DiscoveryService;
  intake: IntakeService;
}

/** Per-request batch loaders, so a list of registries reads its policies in one query. */
export interface Loaders {
  policyByRegistry: DataLoader<string, PullPolicy>;
  lastSyncByRegistry: DataLoader<string, SyncRun | null>;
  imageById: DataLoader<string, Image>;
}

export interface Context {
  principal: Principal | null;
  services: Services;
  loaders: Loaders;
}

export function createLoaders(db: DataSource): Loaders {
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
      const rows = await db.getRepository(Image).findBy({ id: In([...ids]) });
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? new Error(`no image ${id}`));
    }),
  };
}
