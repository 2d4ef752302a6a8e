/**
 * Which of the records that affect one package describe the same
 * vulnerability, so that the package gets one finding for it (DESIGN §4).
 *
 * Records are one vulnerability when they share an id through `id` and
 * `aliases` (OSV: aliases are symmetric and transitive), or when one names
 * another's id in `upstream` (a DLA naming the DEBIAN-CVE record it
 * bundles). Two records that merely name the same upstream id stay apart:
 * a distribution advisory may bundle several CVEs, and two such advisories
 * are different fixes. `related` never merges.
 */
import type { OsvAffected, OsvRecord } from "../osv/record";

/** A record found to affect a package. */
export interface RecordMatch {
  record: OsvRecord;
  /** The record's entries for the package. */
  entries: readonly OsvAffected[];
  fixedVersion: string | null;
}

/**
 * The matches of one package grouped by vulnerability, each group's
 * primary record first: the furthest downstream (not named as upstream by
 * another of the group), then any before a bare CVE record, then by id.
 * A DLA comes before the DEBIAN-CVE it bundles, ALPINE-CVE-… before
 * CVE-…, GHSA-… before PYSEC-… (by id: both are PyPI's own).
 */
export function groupByVulnerability<M extends RecordMatch>(matches: readonly M[]): M[][] {
  const groups = new DisjointSets(matches.length);
  const firstWithId = new Map<string, number>();
  matches.forEach(({ record }, index) => {
    for (const id of [record.id, ...record.aliases]) {
      const first = firstWithId.get(id);
      if (first === undefined) firstWithId.set(id, index);
      else groups.union(index, first);
    }
  });
  matches.forEach(({ record }, index) => {
    for (const upstreamId of record.upstream) {
      const upstream = matches.findIndex((match) => match.record.id === upstreamId);
      if (upstream >= 0) groups.union(index, upstream);
    }
  });
  const byLeader = new Map<number, M[]>();
  matches.forEach((match, index) => {
    const leader = groups.find(index);
    byLeader.set(leader, [...(byLeader.get(leader) ?? []), match]);
  });
  return [...byLeader.values()].map((group) => group.sort((a, b) => comparePrimacy(a, b, group)));
}

function comparePrimacy(a: RecordMatch, b: RecordMatch, group: readonly RecordMatch[]): number {
  const namedUpstream = (match: RecordMatch) => group.some((other) => other !== match && other.record.upstream.includes(match.record.id));
  const bareCve = (match: RecordMatch) => match.record.id.startsWith("CVE-");
  return (
    Number(namedUpstream(a)) - Number(namedUpstream(b)) ||
    Number(bareCve(a)) - Number(bareCve(b)) ||
    (a.record.id < b.record.id ? -1 : a.record.id > b.record.id ? 1 : 0)
  );
}

/** Union-find over indices. */
class DisjointSets {
  private readonly parents: number[];

  constructor(size: number) {
    this.parents = Array.from({ length: size }, (_, index) => index);
  }

  find(index: number): number {
    let root = index;
    while (this.parents[root] !== root) root = this.parents[root];
    this.parents[index] = root;
    return root;
  }

  union(a: number, b: number): void {
    const [rootA, rootB] = [this.find(a), this.find(b)];
    if (rootA !== rootB) this.parents[Math.max(rootA, rootB)] = Math.min(rootA, rootB);
  }
}
