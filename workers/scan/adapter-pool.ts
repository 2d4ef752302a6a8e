import type { DataSource } from "typeorm";
import { Registry } from "../../db/entities";
import type { RegistryAdapter } from "../registry/adapter";
import { keepPullQuota } from "../registry/pull-quota-store";

interface Pooled {
  adapter: RegistryAdapter;
  /** The registry row's updatedAt when the adapter was made: an edit makes a new adapter. */
  version: number;
  users: number;
  idle?: NodeJS.Timeout;
  /** Stops writing the adapter's pull-quota readings to the database. */
  stopKeeping: () => Promise<void>;
}

/**
 * One adapter per registry per worker process, shared by the scans running
 * in it, so that the distribution client's concurrency limit holds per
 * registry rather than per scan. Idle adapters close after `idleMs`. What
 * an adapter reads of its registry's pull quota is kept in the database, for
 * every worker to see.
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
    await Promise.all(all.map((entry) => this.dispose(entry)));
  }

  private acquire(registry: Registry): Pooled {
    const version = registry.updatedAt.getTime();
    let entry = this.pooled.get(registry.id);
    if (entry && entry.version !== version) {
      this.pooled.delete(registry.id);
      if (entry.users === 0) void this.dispose(entry);
      entry = undefined;
    }
    if (!entry) {
      const adapter = this.create(registry);
      // A reading that fails to be written is only a less current quota: the next answer brings another.
      entry = { adapter, version, users: 0, stopKeeping: keepPullQuota(this.db, registry.id, adapter, () => undefined) };
      this.pooled.set(registry.id, entry);
    }
    clearTimeout(entry.idle);
    entry.users++;
    return entry;
  }

  private async dispose(entry: Pooled): Promise<void> {
    await entry.stopKeeping();
    await entry.adapter.close();
  }

  private release(registryId: string, entry: Pooled): void {
    entry.users--;
    if (entry.users > 0) return;
    if (this.pooled.get(registryId) !== entry) {
      void this.dispose(entry);
      return;
    }
    entry.idle = setTimeout(() => {
      this.pooled.delete(registryId);
      void this.dispose(entry);
    }, this.idleMs);
    entry.idle.unref();
  }
}
