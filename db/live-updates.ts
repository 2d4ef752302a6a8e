import type { Pool } from "pg";
import { type DataSource, In } from "typeorm";
import type { Logger } from "../lib/logger";
import { ScanJob } from "./entities";

/**
 * Live updates (DESIGN §1): whoever changes a scan job or a sync run tells
 * every server through PostgreSQL NOTIFY on this channel; each server LISTENs
 * and reads the rows from MySQL. Payloads carry ids only.
 */
export const UPDATES_CHANNEL = "drydock_updates";

export type UpdateKind = "scanJob" | "syncRun";

/** One notification: rows of one kind and one registry that changed. */
export interface LiveUpdate {
  kind: UpdateKind;
  registryId: string;
  ids: string[];
}

/** An API token was revoked: servers forget what they cached of it and close its subscriptions. */
export interface TokenRevoked {
  kind: "tokenRevoked";
  tokenId: string;
}

/** Whatever arrives on the channel that drydock understands. */
export type Notice = LiveUpdate | TokenRevoked;

export interface ChangedRow {
  id: string;
  registryId: string;
}

/** 100 ids of 36 characters stay near 4 kB, well under NOTIFY's 8000-byte payload limit. */
const IDS_PER_NOTIFICATION = 100;

/** The payloads announcing `rows`: grouped by registry, chunked under NOTIFY's size limit. */
export function updatePayloads(kind: UpdateKind, rows: readonly ChangedRow[]): string[] {
  const byRegistry = new Map<string, string[]>();
  for (const { id, registryId } of rows) {
    const ids = byRegistry.get(registryId) ?? [];
    ids.push(id);
    byRegistry.set(registryId, ids);
  }
  const payloads: string[] = [];
  for (const [registryId, ids] of byRegistry) {
    for (let i = 0; i < ids.length; i += IDS_PER_NOTIFICATION) {
      payloads.push(JSON.stringify({ kind, registryId, ids: ids.slice(i, i + IDS_PER_NOTIFICATION) } satisfies LiveUpdate));
    }
  }
  return payloads;
}

const isId = (value: unknown): value is string => typeof value === "string" && /^[\w-]{1,64}$/.test(value);

/** The notice a payload carries; null for anything else that arrives on the channel. */
export function parseNotice(payload: string): Notice | null {
  let value: Partial<LiveUpdate> | Partial<TokenRevoked>;
  try {
    value = JSON.parse(payload);
  } catch {
    return null;
  }
  if (value?.kind === "tokenRevoked") return isId(value.tokenId) ? { kind: "tokenRevoked", tokenId: value.tokenId } : null;
  if (value?.kind !== "scanJob" && value?.kind !== "syncRun") return null;
  if (!isId(value.registryId) || !Array.isArray(value.ids) || !value.ids.every(isId)) return null;
  return { kind: value.kind, registryId: value.registryId, ids: value.ids };
}

/** Tells the servers that rows changed. Best effort: a lost notification never fails the change itself. */
export interface UpdateNotifier {
  announce(kind: UpdateKind, rows: readonly ChangedRow[]): Promise<void>;
}

/**
 * Tells the servers that a token was revoked. Best effort too: a server that
 * misses it drops its cached principal when its cache entry expires
 * (server/modules/token/principal-cache.ts).
 */
export interface RevocationNotifier {
  announceRevoked(tokenId: string): Promise<void>;
}

export class PgUpdateNotifier implements UpdateNotifier, RevocationNotifier {
  constructor(
    private readonly pg: Pick<Pool, "query">,
    private readonly logger: Logger,
  ) {}

  async announce(kind: UpdateKind, rows: readonly ChangedRow[]): Promise<void> {
    if (rows.length === 0) return;
    try {
      // One round trip; NOTIFYs of one statement are delivered in order.
      await this.pg.query("SELECT pg_notify($1, payload) FROM unnest($2::text[]) WITH ORDINALITY AS p(payload, n) ORDER BY n", [
        UPDATES_CHANNEL,
        updatePayloads(kind, rows),
      ]);
    } catch (error) {
      this.logger.warn({ err: (error as Error).message, kind, count: rows.length }, "live update not announced");
    }
  }

  async announceRevoked(tokenId: string): Promise<void> {
    try {
      await this.pg.query("SELECT pg_notify($1, $2)", [UPDATES_CHANNEL, JSON.stringify({ kind: "tokenRevoked", tokenId } satisfies TokenRevoked)]);
    } catch (error) {
      this.logger.warn({ err: (error as Error).message, tokenId }, "token revocation not announced");
    }
  }
}

/** The registries of scan jobs known by id only. */
export async function scanJobRows(db: DataSource, ids: readonly string[]): Promise<ChangedRow[]> {
  if (ids.length === 0) return [];
  return db.getRepository(ScanJob).find({ select: { id: true, registryId: true }, where: { id: In([...ids]) } });
}
