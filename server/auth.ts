import type { AuthCheckerInterface, ResolverData } from "type-graphql";
import { Role } from "../db/enums";
import { ForbiddenError, UnauthenticatedError } from "../lib/errors";
import type { Context } from "./context";

const RANK: Record<Role, number> = { [Role.VIEWER]: 1, [Role.OPERATOR]: 2, [Role.ADMIN]: 3 };

/**
 * `@Authorized(Role.X)` names the least role an operation needs; roles rank
 * ADMIN > OPERATOR > VIEWER. Throws rather than returning false so that the
 * answer says which of the two it is.
 */
export class RoleAuthChecker implements AuthCheckerInterface<Context, Role> {
  check({ context, info }: ResolverData<Context>, roles: Role[]): boolean {
    const principal = context.principal;
    if (!principal) throw new UnauthenticatedError();
    const needed = roles[0] ?? Role.VIEWER;
    if (RANK[principal.role] < RANK[needed]) {
      throw new ForbiddenError(`${info.fieldName} needs the ${needed} role; this token has ${principal.role}`);
    }
    return true;
  }
}
