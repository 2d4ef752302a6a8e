/**
 * Nexus repository view privileges, `nx-repository-view-<format>-<repository>-<action>`
 * with `*` for any part (`nx-repository-view-docker-*-browse`,
 * `nx-repository-view-*-*-*`). Repository names may hold dashes; formats and
 * actions do not, so the format ends at the first dash and the action starts
 * after the last one.
 */

export type ViewAction = "browse" | "read";

const PREFIX = "nx-repository-view-";

interface ViewPrivilege {
  format: string;
  repository: string;
  action: string;
}

export function parseViewPrivilege(name: string): ViewPrivilege | null {
  if (!name.startsWith(PREFIX)) return null;
  const rest = name.slice(PREFIX.length);
  const first = rest.indexOf("-");
  const last = rest.lastIndexOf("-");
  if (first <= 0 || last <= first + 1) return null;
  return { format: rest.slice(0, first), repository: rest.slice(first + 1, last), action: rest.slice(last + 1) };
}

const fits = (granted: string, wanted: string) => granted === "*" || granted === wanted;

/** Whether any of `privileges` allows `action` on the `format` repository `repository`. */
export function allows(privileges: readonly string[], format: string, repository: string, action: ViewAction): boolean {
  return privileges.some((name) => {
    const privilege = parseViewPrivilege(name);
    return privilege !== null && fits(privilege.format, format) && fits(privilege.repository, repository) && fits(privilege.action, action);
  });
}
