/**
 * The "minimum rights" check for Artifactory. A non-administrator cannot read
 * its own permissions (`/api/artifactpermissions` and the permission-target
 * APIs are for administrators, registry-apis.md §4.5), so the check is "not
 * verifiable" and reports what two probes per repository showed:
 * browse (the first page of its image catalog) and read (a manifest HEAD
 * through the Docker endpoint and its token service, i.e. a pull).
 */
import type { ConnectionCheck } from "../../adapter";
import { CHECKS } from "../../connection-checks";
import { isRegistryError } from "../../errors";

export type ProbeOutcome = { ok: true; detail: string } | { ok: false; denied: boolean; detail: string };

export interface RepositoryProbe {
  key: string;
  browse: ProbeOutcome;
  /** Null when browsing failed or found no tag to read. */
  read: ProbeOutcome | null;
}

/** Repositories probed at most, so the check stays quick on a large instance. */
export const MAX_PROBED = 10;

const NOT_VERIFIABLE = "not verifiable: Artifactory shows permissions to administrators only";

/** A probe's failure as an outcome: a refusal (401/403) is a missing right, anything else a failure to report. */
export function failedProbe(error: unknown): ProbeOutcome {
  if (!isRegistryError(error)) throw error;
  const denied = error.code === "REGISTRY_FORBIDDEN" || error.code === "REGISTRY_UNAUTHORIZED";
  return { ok: false, denied, detail: denied ? `denied (${error.status ?? error.code})` : `failed: ${error.message}` };
}

function describe(probe: RepositoryProbe): string {
  const browse = `browse ${probe.browse.ok ? "ok" : probe.browse.detail}${probe.browse.ok && probe.browse.detail ? ` (${probe.browse.detail})` : ""}`;
  if (!probe.read) return `${probe.key}: ${browse}`;
  return `${probe.key}: ${browse}, read ${probe.read.ok ? `ok (${probe.read.detail})` : probe.read.detail}`;
}

/**
 * The check from the probes. `ok` when every probed repository could be
 * browsed and read; otherwise it names the repositories lacking read.
 * `unprobed` counts repositories in scope beyond MAX_PROBED.
 */
export function rightsCheck(probes: readonly RepositoryProbe[], unprobed = 0): ConnectionCheck {
  const lacking = probes.filter((p) => !p.browse.ok || (p.read !== null && !p.read.ok));
  const shown = probes.map(describe).join("; ") + (unprobed > 0 ? `; ${unprobed} more not probed` : "");
  if (lacking.length === 0) return { name: CHECKS.rights, ok: true, message: `${NOT_VERIFIABLE}; the probes passed: ${shown}` };
  const keys = lacking.map((p) => p.key).join(", ");
  return {
    name: CHECKS.rights,
    ok: false,
    message: `the account lacks read on ${keys}: grant it read (a permission target with the Read action) on each repository to scan; ${NOT_VERIFIABLE}; probes: ${shown}`,
  };
}

/** No repository to probe: why, as a failed check naming what is missing. */
export function nothingToProbe(why: string): ConnectionCheck {
  return { name: CHECKS.rights, ok: false, message: `${why}; ${NOT_VERIFIABLE}` };
}
