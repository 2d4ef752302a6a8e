import type { EntityManager } from "typeorm";
import { SystemState } from "../db/entities";
import { Role } from "../db/enums";
import { issueToken } from "./modules/token/token.service";

const FIRST_TOKEN_ISSUED = "first_admin_token_issued";

/**
 * Issues the installation's first ADMIN token, once ever: later starts find
 * the marker and return null, even when every token was since revoked.
 * Runs under the migration lock, so concurrent first starts issue one.
 */
export async function issueFirstAdminToken(tx: EntityManager): Promise<string | null> {
  if (await tx.findOneBy(SystemState, { key: FIRST_TOKEN_ISSUED })) return null;
  const { token } = await issueToken(tx, "first admin", Role.ADMIN);
  await tx.insert(SystemState, { key: FIRST_TOKEN_ISSUED, value: new Date().toISOString() });
  return token;
}
