import type { DataSource } from "typeorm";
import { SyncRun } from "../../../db/entities";
import { type Connection, cursorDate, decodeCursor, encodeCursor, type PageArgs, toConnection } from "../../graphql/connection";
import type { JobQueue } from "../../jobs";
import type { RegistryService } from "../registry/registry.service";

export class SyncService {
  constructor(
    private readonly db: DataSource,
    private readonly registries: RegistryService,
    private readonly jobs: JobQueue,
  ) {}

  async request(registryId: string) {
    const registry = await this.registries.get(registryId);
    await this.jobs.requestSync(registryId);
    return registry;
  }

  /** Newest first. */
  async list(registryId: string, page: PageArgs): Promise<Connection<SyncRun>> {
    await this.registries.get(registryId);
    const query = this.db.getRepository(SyncRun).createQueryBuilder("s").where("s.registryId = :registryId", { registryId });
    const totalCount = await query.getCount();
    if (page.after) {
      const [startedAt, id] = decodeCursor(page.after, 2);
      query.andWhere("(s.startedAt < :startedAt OR (s.startedAt = :startedAt AND s.id < :id))", { startedAt: cursorDate(startedAt), id });
    }
    const rows = await query.orderBy("s.startedAt", "DESC").addOrderBy("s.id", "DESC").take(page.first + 1).getMany();
    return toConnection(rows, page.first, totalCount, (r) => encodeCursor([r.startedAt.getTime(), r.id]));
  }
}
