import { EventEmitter } from "node:events";
import { type DataSource, In } from "typeorm";
import { ScanJob, SyncRun } from "../../db/entities";
import type { LiveUpdate, Notice, UpdateKind } from "../../db/live-updates";
import type { Logger } from "../../lib/logger";
import { boundedEvents } from "./bounded-events";
import type { Subscription } from "./map-async-iterator";
import { UpdateListener } from "./update-listener";

const ENTITY = { scanJob: ScanJob, syncRun: SyncRun } as const;

const topicOf = (kind: UpdateKind, registryId: string) => `${kind}:${registryId}`;

/** Updates queued for one subscriber at most: a sync that queues thousands of scans sends them in bursts. */
const MAX_BACKLOG = 10_000;

/** Who must know when a token is revoked anywhere: the principal cache, the subscription server. */
export interface TokenWatcher {
  revoked(tokenId: string): void;
  /** False while revocations may go unheard (the LISTEN connection is down), true once they are heard again. */
  listening(heard: boolean): void;
}

/** Where revocations are heard. */
export interface RevocationFeed {
  /** Tells `watcher` of every revocation from now on, and at once whether they are heard; answers how to stop. */
  watchTokens(watcher: TokenWatcher): () => void;
}

/**
 * What this server's subscribers see: each notification from PostgreSQL (any
 * worker's, any server's) reads its rows from MySQL — only when someone here
 * subscribes to that registry — and hands them to those subscribers. An event
 * is the row as it is when read, so changes in quick succession may arrive as
 * the later state, twice.
 */
export class LiveUpdates implements RevocationFeed {
  private readonly topics = new EventEmitter().setMaxListeners(0);
  private readonly listener: UpdateListener;
  private readonly tokenWatchers = new Set<TokenWatcher>();
  private heard = false;
  /** Notifications are handled one at a time, in arrival order: a later state is never sent before an earlier one. */
  private delivering: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: DataSource,
    databaseUrl: string,
    private readonly logger: Logger,
  ) {
    this.listener = new UpdateListener(
      databaseUrl,
      (notice) => this.received(notice),
      (heard) => {
        this.heard = heard;
        for (const watcher of this.tokenWatchers) watcher.listening(heard);
      },
      logger,
    );
  }

  start(): Promise<void> {
    return this.listener.start();
  }

  async close(): Promise<void> {
    await this.listener.close();
    await this.delivering;
  }

  scanJobs(registryId: string): Subscription<ScanJob> {
    return this.subscribe<ScanJob>("scanJob", registryId);
  }

  syncRuns(registryId: string): Subscription<SyncRun> {
    return this.subscribe<SyncRun>("syncRun", registryId);
  }

  watchTokens(watcher: TokenWatcher): () => void {
    this.tokenWatchers.add(watcher);
    watcher.listening(this.heard);
    return () => this.tokenWatchers.delete(watcher);
  }

  private subscribe<T>(kind: UpdateKind, registryId: string): Subscription<T> {
    return boundedEvents<T>(this.topics, topicOf(kind, registryId), MAX_BACKLOG);
  }

  private received(notice: Notice): void {
    if (notice.kind === "tokenRevoked") {
      for (const watcher of this.tokenWatchers) watcher.revoked(notice.tokenId);
      return;
    }
    if (this.topics.listenerCount(topicOf(notice.kind, notice.registryId)) === 0) return;
    this.delivering = this.delivering.then(() => this.deliver(notice));
  }

  private async deliver({ kind, registryId, ids }: LiveUpdate): Promise<void> {
    const topic = topicOf(kind, registryId);
    if (this.topics.listenerCount(topic) === 0) return;
    let rows: Array<ScanJob | SyncRun>;
    try {
      rows = await this.db.getRepository<ScanJob | SyncRun>(ENTITY[kind]).findBy({ id: In(ids), registryId });
    } catch (error) {
      this.logger.warn({ err: (error as Error).message, kind, registryId }, "live updates: reading changed rows failed");
      return;
    }
    const byId = new Map(rows.map((row) => [row.id, row]));
    for (const id of ids) {
      const row = byId.get(id);
      if (row) this.topics.emit(topic, row);
    }
  }
}
