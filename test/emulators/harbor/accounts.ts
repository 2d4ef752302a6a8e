/**
 * Harbor's permission model as the emulator plays it: local users with a
 * member role per project (1 projectAdmin, 2 developer, 3 guest,
 * 4 maintainer, 5 limitedGuest), administrators, and robot accounts
 * (`robot$…`) with explicit `resource:action` grants per project
 * (registry-apis.md §2.1, §2.6; Harbor src/common/rbac/project/rbac_role.go,
 * abridged to the resources drydock touches and a few around them).
 */

export const ROLE = { projectAdmin: 1, developer: 2, guest: 3, maintainer: 4, limitedGuest: 5 } as const;

const LIMITED_GUEST = [
  "project:read",
  "repository:list",
  "repository:read",
  "repository:pull",
  "artifact:list",
  "artifact:read",
  "tag:list",
  "quota:read",
  "scan:read",
  "sbom:read",
];
const GUEST = [...LIMITED_GUEST, "member:read", "member:list", "label:read", "label:list", "robot:read", "robot:list", "log:list"];
const DEVELOPER = [...GUEST, "repository:push", "artifact:create", "tag:create", "artifact-label:create"];
const MAINTAINER = [...DEVELOPER, "repository:delete", "artifact:delete", "tag:delete", "scan:create", "robot:create"];
const PROJECT_ADMIN = [...MAINTAINER, "project:update", "project:delete", "member:create", "member:update", "member:delete"];

export const ROLE_PERMISSIONS: Readonly<Record<number, readonly string[]>> = {
  [ROLE.projectAdmin]: PROJECT_ADMIN,
  [ROLE.developer]: DEVELOPER,
  [ROLE.guest]: GUEST,
  [ROLE.maintainer]: MAINTAINER,
  [ROLE.limitedGuest]: LIMITED_GUEST,
};

export interface HarborAccount {
  /** Robots are named `robot$<name>` (project robots `robot$<project>+<name>`). */
  username: string;
  password: string;
  /** Harbor system administrator: sees and reads every project. */
  sysadmin?: boolean;
  /** Local users: the member role in each project, by project name. */
  roles?: Record<string, number>;
  /** Robots: the `resource:action` grants in each project, by project name. */
  permissions?: Record<string, string[]>;
}

export const isRobot = (account: HarborAccount) => account.username.startsWith("robot$");

/** The caller's highest member role in a project (0 = none); robots never have one. */
export function roleIn(account: HarborAccount | null, project: string): number {
  return account && !isRobot(account) ? (account.roles?.[project] ?? 0) : 0;
}

/** What the caller may do in a project (`resource:action`). */
export function permissionsIn(account: HarborAccount | null, project: string): readonly string[] {
  if (!account) return [];
  if (account.sysadmin) return PROJECT_ADMIN;
  if (isRobot(account)) return account.permissions?.[project] ?? [];
  return ROLE_PERMISSIONS[roleIn(account, project)] ?? [];
}

export const may = (account: HarborAccount | null, project: string, permission: string) => permissionsIn(account, project).includes(permission);
