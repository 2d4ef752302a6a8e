import { type DataSource, In, Not } from "typeorm";
import { ScanAttempt, ScanJob } from "../../../db/entities";
import { ScanAttemptOutcome, ScanJobStatus } from "../../../db/enums";
import { announcingEnqueuer } from "../../../workers/discovery/announcing-enqueuer";
import type { UpdateNotifier } from "../../../db/live-updates";
import { BadUserInputError, ConflictError, NotFoundError } from "../../../lib/errors";
import { type Connection, cursorDate, decodeCursor, encodeCursor, type PageArgs, toConnection } from "../../graphql/connection";
import type { JobQueue } from "../../jobs";
import type { ScanJobFilter } from "./scan-job.inputs";

const ACTIVE = [ScanJobStatus.QUEUED, ScanJobStatus.RUNNING];
const RETRYABLE = [ScanJobStatus.FAILED, ScanJobStatus.CANCELLED];

export class ScanJobService {
  constructor(
    private readonly db: DataSource,
    private readonly jobs: JobQueue,
    private readonly updates: UpdateNotifier,
  ) {}

  async get(id: string): Promise<ScanJob> {
    const job = await this.db.getRepository(ScanJob).findOneBy({ id });
    if (!job) throw new NotFoundError(`scan job ${id} does not exist`, { ids: [id] });
    return job;
  }

  /** Newest first (queuedAt, then id). */
  async list(filter: ScanJobFilter | null | undefined, page: PageArgs): Promise<Connection<ScanJob>> {
    const query = this.db.getRepository(ScanJob).createQueryBuilder("s");
    for (const key of ["status", "registryId", "imageId"] as const) {
      const value = filter?.[key];
      if (value) query.andWhere(`s.${key} = :${key}`, { [key]: value });
    }
    const totalCount = await query.getCount();
    if (page.after) {
      const [queuedAt, id] = decodeCursor(page.after, 2);
      query.andWhere("(s.queuedAt < :queuedAt OR (s.queuedAt = :queuedAt AND s.id < :id))", { queuedAt: cursorDate(queuedAt), id });
    }
    const rows = await query.orderBy("s.queuedAt", "DESC").addOrderBy("s.id", "DESC").take(page.first + 1).getMany();
    return toConnection(rows, page.first, totalCount, (r) => encodeCursor([r.queuedAt.getTime(), r.id]));
  }

  /** In the order they ran. */
  async attempts(scanJobId: string, page: PageArgs): Promise<Connection<ScanAttempt>> {
    const query = this.db.getRepository(ScanAttempt).createQueryBuilder("a").where("a.scanJobId = :scanJobId", { scanJobId });
    const totalCount = await query.getCount();
    if (page.after) {
      const [number] = decodeCursor(page.after, 1);
      query.andWhere("a.number > :number", { number });
    }
    const rows = await query.orderBy("a.number", "ASC").take(page.first + 1).getMany();
    return toConnection(rows, page.first, totalCount, (r) => encodeCursor([r.number]));
  }

  /**
   * All or nothing: every job must exist and be QUEUED or RUNNING. Clearing
   * the attempt token is what stops a running worker (it polls for it) and
   * keeps it from writing results; the graphile jobs go after the commit.
   */
  async cancel(ids: string[]): Promise<ScanJob[]> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) throw new BadUserInputError([{ field: "ids", message: "must name at least one scan job" }]);
    const cancelled = await this.db.transaction(async (tx) => {
      const found = await tx.find(ScanJob, { where: { id: In(unique) }, lock: { mode: "pessimistic_write" } });
      const missing = unique.filter((id) => !found.some((job) => job.id === id));
      if (missing.length > 0) {
        throw new NotFoundError(`no scan job with id ${missing.join(", ")}; nothing was cancelled`, { ids: missing });
      }
      const finished = found.filter((job) => !ACTIVE.includes(job.status));
      if (finished.length > 0) {
        const names = finished.map((job) => `${job.id} (${job.status})`).join(", ");
        throw new ConflictError(`scan job ${names} already finished; nothing was cancelled`, { ids: finished.map((job) => job.id) });
      }
      const now = new Date();
      await tx.update(ScanJob, { id: In(unique) }, { status: ScanJobStatus.CANCELLED, finishedAt: now, attemptToken: null });
      await tx.update(
        ScanAttempt,
        { scanJobId: In(unique), outcome: ScanAttemptOutcome.RUNNING },
        { outcome: ScanAttemptOutcome.CANCELLED, finishedAt: now },
      );
      return tx.findBy(ScanJob, { id: In(unique) });
    });
    await this.jobs.cancelScans(unique);
    await this.updates.announce("scanJob", cancelled);
    return unique.map((id) => cancelled.find((job) => job.id === id)!);
  }

  /**
   * Queues a FAILED or CANCELLED job again with a fresh count of attempts
   * (DESIGN §4): the row first, then the graphile job; the reconciler
   * re-enqueues a QUEUED row whose graphile job was lost in between.
   */
  async retry(id: string): Promise<ScanJob> {
    const job = await this.db.transaction(async (tx) => {
      const current = await tx.findOne(ScanJob, { where: { id }, lock: { mode: "pessimistic_write" } });
      if (!current) throw new NotFoundError(`scan job ${id} does not exist`, { ids: [id] });
      if (!RETRYABLE.includes(current.status)) {
        throw new ConflictError(`scan job ${id} is ${current.status}; only a FAILED or CANCELLED job can be retried`, { ids: [id] });
      }
      const active = await tx.findOneBy(ScanJob, { imageId: current.imageId, status: In(ACTIVE), id: Not(id) });
      if (active) {
        throw new ConflictError(`scan job ${active.id} of the same image is already ${active.status}`, { ids: [active.id] });
      }
      await tx.update(
        ScanJob,
        { id },
        { status: ScanJobStatus.QUEUED, attemptCount: 0, attemptToken: null, finishedAt: null, errorCode: null, errorMessage: null },
      );
      return tx.findOneByOrFail(ScanJob, { id });
    });
    await announcingEnqueuer(this.jobs, this.updates, job.registryId).enqueue([id]);
    return job;
  }
}
