/**
 * Which projects are in scope (DESIGN §2: those where the account has a
 * role), and the "minimum rights" check: Limited Guest or more, no
 * administrator needed.
 *
 * A local user's role comes from `current_user_role_id` on the project list.
 * A robot has no role there (Harbor fills it for local users only, see
 * projectAPI.populateProperties), so its rights come from
 * `/users/current/permissions?scope=/project/<id>`; `/users/current`
 * answering 412 is how a robot is told apart (registry-apis.md §2.6).
 */
import type { ConnectionCheck } from "../../adapter";
import { CHECKS } from "../../connection-checks";
import type { HarborApi } from "./harbor-api";
import type { HarborProject } from "./harbor-types";
import { HARBOR_ROLES, missingPermissions, REQUIRED_PERMISSIONS, roleOf } from "./mapping";

export interface ProjectAccess {
  project: HarborProject;
  /** The member role, when the account is a local user with one. */
  role: number | null;
  /** Required `resource:action` pairs the account lacks here (all of them: no access at all). */
  missing: string[];
  /** Listed by discovery. */
  inScope: boolean;
}

export interface AccountAccess {
  kind: "user" | "administrator" | "robot";
  projects: ProjectAccess[];
}

export async function accountAccess(api: HarborApi): Promise<AccountAccess> {
  const user = await api.currentUser();
  const visible: HarborProject[] = [];
  for await (const project of api.projects()) visible.push(project);
  if (user) {
    const administrator = user.sysadmin_flag === true;
    return {
      kind: administrator ? "administrator" : "user",
      projects: visible.map((project) => {
        const role = roleOf(project);
        // An administrator reads every project without being a member of it.
        return { project, role, missing: role || administrator ? [] : [...REQUIRED_PERMISSIONS], inScope: role !== null || administrator };
      }),
    };
  }
  // The API client bounds how many of these are in flight.
  const projects = await Promise.all(
    visible.map(async (project) => {
      const missing = missingPermissions(await api.permissions(project.project_id));
      return { project, role: null, missing, inScope: missing.length === 0 };
    }),
  );
  return { kind: "robot", projects };
}

const names = (entries: ProjectAccess[]) => entries.map((e) => e.project.name).join(", ");

/** The "minimum rights" check: passes when the account can read at least one project and is not half-equipped in any. */
export function rightsCheck(access: AccountAccess): ConnectionCheck {
  const usable = access.projects.filter((e) => e.inScope);
  const partial = access.projects.filter((e) => !e.inScope && e.missing.length < REQUIRED_PERMISSIONS.length);
  const none = access.projects.filter((e) => !e.inScope && e.missing.length === REQUIRED_PERMISSIONS.length);
  const parts: string[] = [];
  if (usable.length > 0) {
    const described = usable.map((e) => (e.role ? `${e.project.name} (${HARBOR_ROLES[e.role]})` : e.project.name)).join(", ");
    parts.push(
      access.kind === "administrator"
        ? `an administrator: every project is read (${described}); a member with Limited Guest is enough`
        : `Limited Guest or more in ${described}`,
    );
  }
  for (const entry of partial) parts.push(`in ${entry.project.name} the robot account lacks ${entry.missing.join(", ")}: it needs ${REQUIRED_PERMISSIONS.join(", ")}`);
  if (none.length > 0) {
    parts.push(
      access.kind === "robot"
        ? `no permissions in ${names(none)} (not scanned)`
        : `no role in ${names(none)} (not scanned: add the account as a member with Limited Guest or more to scan them)`,
    );
  }
  if (usable.length === 0) {
    const who = access.kind === "robot" ? "grant the robot account pull and list rights in a project" : "add the account to a project as a member with the role Limited Guest or more";
    const seen = access.projects.length === 0 ? "the account sees no project" : parts.join("; ");
    return { name: CHECKS.rights, ok: false, message: `no project can be scanned: ${seen}; ${who}` };
  }
  return { name: CHECKS.rights, ok: partial.length === 0, message: parts.join("; ") };
}
