import { Client } from "pg";
import { type Notice, parseNotice, UPDATES_CHANNEL } from "../../db/live-updates";
import { PG_CONNECT_TIMEOUT_MS } from "../../db/postgres";
import type { Logger } from "../../lib/logger";

/** How the LISTEN connection names itself in pg_stat_activity. */
export const LISTENER_APPLICATION_NAME = "drydock-live-updates";

/** Idle time before TCP keepalive probes start on the LISTEN connection. */
const KEEPALIVE_DELAY_MS = 10_000;

const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 10_000;

/**
 * The server's one LISTEN connection to PostgreSQL. When it drops (a database
 * restart, a terminated backend) it connects again, backing off up to
 * MAX_RETRY_MS; notifications sent while it was away are not replayed, which
 * is why `onListening` says when it stops and starts hearing them.
 */
export class UpdateListener {
  private client: Client | null = null;
  private retry: NodeJS.Timeout | undefined;
  private retryMs = FIRST_RETRY_MS;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly onNotice: (notice: Notice) => void,
    private readonly onListening: (listening: boolean) => void,
    private readonly logger: Logger,
  ) {}

  /** Resolves once listening; a first failure rejects (the server does not start without PostgreSQL). */
  async start(): Promise<void> {
    await this.connect();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.onListening(false);
    clearTimeout(this.retry);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    // Keepalive: a connection whose peer vanished without a word must end, or revocations would go unheard while the cache trusts them.
    const client = new Client({
      connectionString: this.url,
      application_name: LISTENER_APPLICATION_NAME,
      connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS,
      keepAlive: true,
      keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS,
    });
    client.on("error", (error) => this.lost(client, error));
    client.on("end", () => this.lost(client, new Error("connection ended")));
    client.on("notification", (message) => {
      const notice = message.channel === UPDATES_CHANNEL && message.payload ? parseNotice(message.payload) : null;
      if (notice) this.onNotice(notice);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${UPDATES_CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.retryMs = FIRST_RETRY_MS;
    this.onListening(true);
  }

  private lost(client: Client, error: Error): void {
    if (this.closed || this.client !== client) return;
    this.client = null;
    this.onListening(false);
    client.end().catch(() => undefined);
    this.logger.warn({ err: error.message }, "live updates: the LISTEN connection to PostgreSQL was lost; reconnecting");
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed) return;
    this.retry = setTimeout(() => {
      this.connect().then(
        () => this.client && this.logger.info("live updates: listening again"),
        (error: Error) => {
          this.logger.warn({ err: error.message, retryMs: this.retryMs }, "live updates: reconnecting to PostgreSQL failed");
          this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
          this.scheduleReconnect();
        },
      );
    }, this.retryMs);
  }
}
