import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { DataSource, EntityManager } from "typeorm";
import { ApiToken } from "../../../db/entities";
import type { Role } from "../../../db/enums";
import type { RevocationNotifier } from "../../../db/live-updates";
import { readRows, rowReader } from "../../../db/row-reader";
import { BadUserInputError, NotFoundError } from "../../../lib/errors";
import { CONTROL_CHARACTER } from "../../graphql/validators";
import type { RevocationFeed } from "../../live/live-updates";
import { PrincipalCache } from "./principal-cache";

const PREFIX = "ddk_";
/** `lastUsedAt` is written at most this often per token, so reads do not turn into writes. */
const LAST_USED_RESOLUTION_MS = 60_000;

export interface Principal {
  tokenId: string;
  name: string;
  role: Role;
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export function checkTokenName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length < 1 || trimmed.length > 100) {
    throw new BadUserInputError([{ field: "name", message: "must be 1 to 100 characters after trimming" }]);
  }
  if (CONTROL_CHARACTER.test(trimmed)) throw new BadUserInputError([{ field: "name", message: "must not contain control characters" }]);
  return trimmed;
}

/** Creates a token; the plaintext is returned here and never again. */
export async function issueToken(db: EntityManager, name: string, role: Role): Promise<{ token: string; record: ApiToken }> {
  const token = PREFIX + randomBytes(32).toString("base64url");
  const record = db.create(ApiToken, { id: randomUUID(), name: checkTokenName(name), role, tokenHash: hashToken(token) });
  await db.insert(ApiToken, record);
  return { token, record: await db.findOneByOrFail(ApiToken, { id: record.id }) };
}

/** How revocations reach every server: heard through `feed`, told through `notifier`. */
export interface Revocations {
  feed: RevocationFeed;
  notifier: RevocationNotifier;
}

export class TokenService {
  private readonly readToken: (row: Record<string, unknown>) => ApiToken;
  private readonly cache = new PrincipalCache();

  constructor(
    private readonly db: DataSource,
    private readonly revocations: Revocations,
  ) {
    this.readToken = rowReader(db, ApiToken);
    revocations.feed.watchTokens(this.cache);
  }

  create(name: string, role: Role) {
    return issueToken(this.db.manager, name, role);
  }

  list(): Promise<ApiToken[]> {
    return this.db.getRepository(ApiToken).find({ order: { createdAt: "ASC", id: "ASC" } });
  }

  async revoke(id: string): Promise<ApiToken> {
    const record = await this.db.getRepository(ApiToken).findOneBy({ id });
    if (!record) throw new NotFoundError(`API token ${id} does not exist`, { ids: [id] });
    await this.db.getRepository(ApiToken).delete({ id });
    this.cache.revoked(id);
    await this.revocations.notifier.announceRevoked(id);
    return record;
  }

  async authenticate(token: string): Promise<Principal | null> {
    if (!token.startsWith(PREFIX)) return null;
    const tokenHash = hashToken(token);
    const cached = this.cache.get(tokenHash);
    if (cached) return cached;
    const mark = this.cache.mark();
    // Every request that misses the cache comes here: raw SQL, not a query builder (db/row-reader.ts).
    const [record] = await readRows(this.db, this.readToken, "SELECT * FROM `api_token` WHERE tokenHash = ?", [tokenHash]);
    if (!record) return null;
    const now = new Date();
    if (!record.lastUsedAt || now.getTime() - record.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      await this.db.getRepository(ApiToken).update({ id: record.id }, { lastUsedAt: now });
    }
    const principal: Principal = { tokenId: record.id, name: record.name, role: record.role };
    this.cache.put(tokenHash, principal, mark);
    return principal;
  }
}
