import type { TokenWatcher } from "../../live/live-updates";
import type { Principal } from "./token.service";

/** How long a principal read from the database is trusted without reading it again: the bound on a revocation this server did not hear. */
export const PRINCIPAL_TTL_MS = 10_000;

/** Tokens are few; a bound keeps a flood of distinct valid tokens from growing the map. */
const MAX_PRINCIPALS = 10_000;

/**
 * Principals by token hash, so that a request does not read its token from
 * MySQL every time: one statement less per request. Kept only while this
 * server hears every revocation (LISTEN on PostgreSQL is up); a revocation
 * removes the token's entry everywhere at once, and entries expire after
 * PRINCIPAL_TTL_MS in any case. Unknown tokens are never cached.
 */
export class PrincipalCache implements TokenWatcher {
  private readonly entries = new Map<string, { principal: Principal; until: number }>();
  private heard = false;
  /** Moves on with every revocation and change of hearing: a read that began before one is not kept. */
  private generation = 0;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly ttlMs = PRINCIPAL_TTL_MS,
  ) {}

  get(tokenHash: string): Principal | undefined {
    const entry = this.entries.get(tokenHash);
    if (!entry) return undefined;
    if (entry.until > this.now()) return entry.principal;
    this.entries.delete(tokenHash);
    return undefined;
  }

  /** Taken before reading a token from the database, and handed to `put` with what was read. */
  mark(): number {
    return this.generation;
  }

  put(tokenHash: string, principal: Principal, mark: number): void {
    if (!this.heard || mark !== this.generation) return;
    if (this.entries.size >= MAX_PRINCIPALS) this.entries.clear();
    this.entries.set(tokenHash, { principal, until: this.now() + this.ttlMs });
  }

  revoked(tokenId: string): void {
    this.generation++;
    for (const [hash, entry] of this.entries) if (entry.principal.tokenId === tokenId) this.entries.delete(hash);
  }

  listening(heard: boolean): void {
    this.generation++;
    this.heard = heard;
    this.entries.clear();
  }
}
