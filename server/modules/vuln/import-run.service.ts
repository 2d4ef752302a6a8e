import { randomUUID } from "node:crypto";
import type { DataSource } from "typeorm";
import { ImportRun } from "../../../db/entities";
import { ImportStatus } from "../../../db/enums";
import { BadUserInputError, NotFoundError } from "../../../lib/errors";
import { ImportSourceError, resolveSource } from "../../../workers/vuln/import/sources";
import { type Connection, cursorDate, decodeCursor, encodeCursor, type PageArgs, toConnection } from "../../graphql/connection";
import type { JobQueue } from "../../jobs";

/** The width of import_run.source. */
const MAX_SOURCE_LENGTH = 2048;

export class ImportRunService {
  constructor(
    private readonly db: DataSource,
    private readonly jobs: JobQueue,
    private readonly importRoots: readonly string[],
  ) {}

  /**
   * Checks the source as the worker will (a path under the import roots or an
   * http(s) URL; nothing is read), then stores the run and queues its job.
   */
  async queue(source: string): Promise<ImportRun> {
    const typed = source.trim();
    if (typed.length > MAX_SOURCE_LENGTH) {
      throw new BadUserInputError([{ field: "source", message: `must be at most ${MAX_SOURCE_LENGTH} characters` }]);
    }
    try {
      resolveSource(typed, this.importRoots);
    } catch (error) {
      if (error instanceof ImportSourceError) throw new BadUserInputError([{ field: "source", message: error.message }]);
      throw error;
    }
    const id = randomUUID();
    const runs = this.db.getRepository(ImportRun);
    await runs.insert({ id, source: typed, status: ImportStatus.QUEUED, malformed: [] });
    try {
      await this.jobs.queueImport(id);
    } catch (error) {
      // Nothing would ever run it: a failed mutation leaves no run behind.
      await runs.delete({ id });
      throw error;
    }
    return runs.findOneByOrFail({ id });
  }

  async get(id: string): Promise<ImportRun> {
    const run = await this.db.getRepository(ImportRun).findOneBy({ id });
    if (!run) throw new NotFoundError(`import run ${id} does not exist`, { ids: [id] });
    return run;
  }

  /** Newest first (queuedAt, then id). */
  async list(page: PageArgs): Promise<Connection<ImportRun>> {
    const query = this.db.getRepository(ImportRun).createQueryBuilder("r");
    const totalCount = await query.getCount();
    if (page.after) {
      const [queuedAt, id] = decodeCursor(page.after, 2);
      query.andWhere("(r.queuedAt < :queuedAt OR (r.queuedAt = :queuedAt AND r.id < :id))", { queuedAt: cursorDate(queuedAt), id });
    }
    const rows = await query.orderBy("r.queuedAt", "DESC").addOrderBy("r.id", "DESC").take(page.first + 1).getMany();
    return toConnection(rows, page.first, totalCount, (r) => encodeCursor([r.queuedAt.getTime(), r.id]));
  }
}
