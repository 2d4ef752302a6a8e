/**
 * The "minimum rights" check of a Nexus integration. An account cannot read
 * its own privileges (Nexus has no whoami or privilege endpoint for
 * non-administrators, registry-apis.md §5.4), so the check says "not
 * verifiable" and reports what two probes showed in each hosted repository:
 *
 *  - browse (`nx-repository-view-docker-<repo>-browse`): the repository is in
 *    the repository list and its search answers;
 *  - read (`nx-repository-view-docker-<repo>-read`): the manifest of the first
 *    tag the search found is served through /v2/ (a HEAD).
 *
 * A repository the account cannot browse is absent from the list, so with
 * path-based routing only "none visible at all" can be told.
 */
import type { ConnectionCheck, ListedRepository, ListedTag } from "../../adapter";
import { CHECKS } from "../../connection-checks";
import { isRegistryError } from "../../errors";
import type { NexusApi } from "./nexus-api";
import type { NexusDistribution } from "./nexus-distribution";
import { tagOf } from "./search-mapping";

interface Probe {
  missing: { privilege: string; why: string }[];
  seen: string;
}

const privilege = (repository: string, action: "browse" | "read") => `nx-repository-view-docker-${repository}-${action}`;

function refused(error: unknown): boolean {
  return isRegistryError(error, "REGISTRY_FORBIDDEN") || isRegistryError(error, "REGISTRY_UNAUTHORIZED");
}

const reason = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function probeRepository(nexus: NexusApi, distribution: NexusDistribution, repository: string, listed: boolean): Promise<Probe> {
  const missing: Probe["missing"] = [];
  if (!listed) missing.push({ privilege: privilege(repository, "browse"), why: `${repository} is not in the account's repository list` });
  let first: ListedTag | null = null;
  try {
    for await (const component of nexus.components(repository)) {
      first = tagOf(repository, component);
      if (first) break;
    }
  } catch (error) {
    if (!refused(error)) return { missing, seen: `${repository}: the search failed (${reason(error)})` };
    missing.push({ privilege: privilege(repository, "browse"), why: `the search of ${repository} was refused` });
    return { missing, seen: `${repository}: browse refused, read not probed` };
  }
  if (!first) return { missing, seen: `${repository}: ${listed ? "browse ok, " : ""}the search found no image, read not probed` };
  const browsed = `${repository}: browse ok (the search found ${first.repository}:${first.tag})`;
  try {
    await distribution.headManifest(first.repository, first.tag);
    return { missing, seen: `${browsed}, read ok (its manifest was served)` };
  } catch (error) {
    if (!refused(error)) return { missing, seen: `${browsed}, read failed (${reason(error)})` };
    missing.push({ privilege: privilege(repository, "read"), why: `pulling ${first.repository}:${first.tag} was refused` });
    return { missing, seen: `${browsed}, read refused` };
  }
}

export async function probeRights(
  nexus: NexusApi,
  distribution: NexusDistribution,
  scope: readonly ListedRepository[],
  connectorKey: string | null,
  /** Whether the connector's repository appeared in the repository list. */
  connectorListed: boolean,
): Promise<ConnectionCheck> {
  const hosted = scope.filter((entry) => entry.skipped === undefined).map((entry) => entry.repository);
  const probes = await Promise.all(
    hosted.map((repository) => probeRepository(nexus, distribution, repository, connectorKey === null || connectorListed)),
  );
  const missing = probes.flatMap((probe) => probe.missing);
  if (hosted.length === 0 && connectorKey === null) {
    missing.push({ privilege: privilege("*", "browse"), why: "no hosted Docker repository is visible to the account" });
  }
  const skipped = scope.filter((entry) => entry.skipped !== undefined).map((entry) => `${entry.repository} (${entry.skipped})`);
  const seen = [...probes.map((probe) => probe.seen), ...(skipped.length ? [`not probed: ${skipped.join(", ")}`] : [])].join("; ");
  const notVerifiable = `not verifiable: Nexus does not show an account its privileges; the probes showed: ${seen || "nothing to probe"}`;
  if (missing.length === 0) return { name: CHECKS.rights, ok: true, message: notVerifiable };
  const named = missing.map((m) => `${m.privilege} (${m.why})`).join(", ");
  return { name: CHECKS.rights, ok: false, message: `missing ${named}. Privileges are ${notVerifiable}` };
}
