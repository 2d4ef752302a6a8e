/**
 * The Yandex minimum-rights check (issue 6 item 3; registry-apis.md §7.2):
 * `container-registry.viewer` on the registry, to list its repositories and
 * images through the API, and `container-registry.images.puller` on the
 * registry (or the repositories), to pull. Neither the API nor the registry
 * tells an account its roles (access bindings can be listed only with the
 * right to see them, and name subjects an OAuth or IAM token does not
 * reveal), so each role is checked by the one action it permits: listing,
 * and a manifest HEAD of one listed image — a registry token without the
 * pull scope is refused (`insufficient_scope`).
 */
import type { ConnectionCheck } from "../../adapter";
import { CHECKS } from "../../connection-checks";

export const VIEWER_ROLE = "container-registry.viewer";
export const PULLER_ROLE = "container-registry.images.puller";

/** What one probe showed: the role is there, is not, or why it could not be told. */
export type ProbeResult = { granted: true } | { granted: false } | { unknown: string };

export interface RightsProbe {
  registryId: string;
  /** Listing the registry's repositories through the API. */
  viewer: ProbeResult;
  /** Pulling (manifest HEAD) the image `pulled`. */
  puller: ProbeResult;
  pulled?: string;
}

export function rightsCheck(probe: RightsProbe): ConnectionCheck {
  const on = `on registry ${probe.registryId}`;
  const missing: string[] = [];
  const unknown: string[] = [];
  const { viewer, puller } = probe;
  if ("unknown" in viewer) unknown.push(`${VIEWER_ROLE} (${viewer.unknown})`);
  else if (!viewer.granted) missing.push(`${VIEWER_ROLE} ${on}: the Container Registry API refused to list its repositories`);
  if ("unknown" in puller) unknown.push(`${PULLER_ROLE} (${puller.unknown})`);
  else if (!puller.granted) missing.push(`${PULLER_ROLE} ${on} (or on its repositories): the registry refused to pull ${probe.pulled}`);
  if (missing.length > 0) {
    const also = unknown.length > 0 ? `; not verifiable: ${unknown.join("; ")}` : "";
    return { name: CHECKS.rights, ok: false, message: `missing ${missing.join("; ")}${also}` };
  }
  // Nothing is known to be missing: an operator can still go ahead.
  if (unknown.length > 0) {
    const granted = [VIEWER_ROLE, PULLER_ROLE].filter((_, i) => "granted" in [viewer, puller][i]);
    const known = granted.length > 0 ? `${granted.join(" and ")} ${on}; ` : "";
    return { name: CHECKS.rights, ok: true, message: `${known}not verifiable: ${unknown.join("; ")}` };
  }
  return { name: CHECKS.rights, ok: true, message: `${VIEWER_ROLE} and ${PULLER_ROLE} ${on}: the repositories were listed and ${probe.pulled} could be pulled` };
}
