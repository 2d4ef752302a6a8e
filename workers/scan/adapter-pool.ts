import type { DataSource } from "typeorm";
import { Registry } from "../../db/entities";
import type { RegistryAdapter } from "../registry/adapter";

interface Pooled {
  adapter: RegistryAdapter;
  /** The registry row's updatedAt when the adapter was made: an edit makes a new adapter. */
  version: number;
  users: number;
  idle?: NodeJS.Timeout;
}

/**
 * One adapter per registry per worker process, shared by the scans running
 * in it, so that the distribution client's concurrency limit holds per
 * registry rather than per scan. Idle adapters close after `idleMs`.
 */
export class AdapterPool {
  private readonly pooled = new Map<string, Pooled>();

  constructor(
    private readonly db: DataSource,
    private readonly create: (registry: Registry) => RegistryAdapter,
    private readonly idleMs = 60_000,
  ) {}

  /** Runs `work` with the registry's adapter; null when the registry is gone. */
  async with<T>(registryId: string, work: (adapter: RegistryAdapter, registry: Registry) => Promise<T>): Promise<T | null> {
    const registry = await this.db.getRepository(Registry).findOneBy({ id: registryId });
    if (!registry) return null;
    const entry = this.acquire(registry);
    try {
      return await work(entry.adapter, registry);
    } finally {
      this.release(registry.id, entry);
    }
  }

  async close(): Promise<void> {
    const all = [...this.pooled.values()];
    this.pooled.clear();
    for (const entry of all) clearTimeout(entry.idle);
    await Promise.all(all.map((entry) => entry.adapter.close()));
  }

  private acquire(registry: Registry): Pooled {
    const version = registry.updatedAt.getTime();
    let entry = this.pooled.get(registry.id);
    if (entry && entry.version !== version) {
      this.pooled.delete(registry.id);
      if (entry.users === 0) void entry.adapter.close();
      entry = undefined;
    }
    if (!entry) {
      entry = { adapter: this.create(registry), version, users: 0 };
      this.pooled.set(registry.id, entry);
    }
    clearTimeout(entry.idle);
    entry.users++;
    return entry;
  }

  private release(registryId: string, entry: Pooled): void {
    entry.users--;
    if (entry.users > 0) return;
    if (this.pooled.get(registryId) !== entry) {
      void entry.adapter.close();
      return;
    }
    entry.idle = setTimeout(() => {
      this.pooled.delete(registryId);
      void entry.adapter.close();
    }, this.idleMs);
    entry.idle.unref();
  }
}
