/**
 * The GitLab minimum-rights check (issue 6 item 3): the token's scopes
 * `read_api` and `read_registry`, and at least Reporter (20) in a project.
 * `api` grants everything the two read scopes do ("complete read/write access
 * to the API, including … the container registry"), so it satisfies both.
 * GitLab's source (lib/gitlab/auth.rb, abilities_for_scopes) also lets
 * `read_api` alone get pull tokens from /jwt/auth; read_registry is still
 * named when missing, as the reference product requires it.
 */
import type { ConnectionCheck } from "../../adapter";
import { CHECKS } from "../../connection-checks";

export const REQUIRED_SCOPES = ["read_api", "read_registry"] as const;

/** What the probes found: `null` for what could not be read (and why). */
export interface RightsProbe {
  /** The token's scopes from /personal_access_tokens/self; a string says why they are unknown. */
  scopes: readonly string[] | string;
  /** Inactive, revoked or expired token: why. */
  inactive?: string;
  /** Whether a project is reachable at Reporter or above / at any level; a string says why it is unknown. */
  reporterProjects: boolean | string;
  anyProjects?: boolean;
}

export function missingScopes(scopes: readonly string[]): string[] {
  if (scopes.includes("api")) return [];
  return REQUIRED_SCOPES.filter((scope) => !scopes.includes(scope));
}

export function rightsCheck(probe: RightsProbe): ConnectionCheck {
  const missing: string[] = [];
  const unknown: string[] = [];
  if (probe.inactive) missing.push(`an active token (${probe.inactive})`);
  if (typeof probe.scopes === "string") unknown.push(`the token's scopes (${probe.scopes})`);
  else missing.push(...missingScopes(probe.scopes).map((scope) => `the token scope ${scope}`));
  if (typeof probe.reporterProjects === "string") unknown.push(`the role (${probe.reporterProjects})`);
  else if (!probe.reporterProjects) {
    missing.push(
      probe.anyProjects
        ? "the Reporter role (or above) in the projects to scan: the account is a member only below Reporter"
        : "the Reporter role (or above) in the projects to scan: the account is a member of no project",
    );
  }
  if (missing.length > 0) {
    const also = unknown.length > 0 ? `; not verifiable: ${unknown.join(", ")}` : "";
    return { name: CHECKS.rights, ok: false, message: `missing ${missing.join("; ")}${also}` };
  }
  // Nothing is known to be missing: an operator can still go ahead.
  if (unknown.length > 0) return { name: CHECKS.rights, ok: true, message: `not verifiable: ${unknown.join(", ")}` };
  return { name: CHECKS.rights, ok: true, message: "the token has the scopes read_api and read_registry, and the Reporter role or above in at least one project" };
}
