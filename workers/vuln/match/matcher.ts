/**
 * Matches an image's inventory against OSV records (DESIGN §4): each
 * package is looked up under its ecosystem, advisory name and version
 * (ecosystem.ts), its candidate records' ranges are evaluated in the
 * ecosystem's version order (ranges.ts), and the records that describe one
 * vulnerability become one finding (advisory-groups.ts).
 */
import type { PackageType } from "../../scan/analyzers/analyzer";
import type { OsvAffected, OsvRecord } from "../osv/record";
import { SEMVER, schemeForEcosystem } from "../versions";
import { InvalidVersionError, type VersionScheme } from "../versions/version-scheme";
import { type RecordMatch, groupByVulnerability } from "./advisory-groups";
import { type MatchPackage, type OsIdentity, advisoryCoordinates, ecosystemOf, isOsPackageType } from "./ecosystem";
import { normalisePackageName } from "./names";
import { type RangeSchemes, affectedByAny } from "./ranges";
import { type Severity, type SeverityAssessment, assessSeverity, compareSeverity } from "./severity";

export type { MatchPackage, OsIdentity } from "./ecosystem";

export interface Finding {
  /** The group's primary record (advisory-groups.ts). */
  advisoryId: string;
  /** Every other id of the merged records (their ids, aliases and upstream ids), sorted. */
  aliases: string[];
  packageType: PackageType;
  /** What is installed: an OS package's binary name. */
  packageName: string;
  /** OS packages: the source (or apk origin) package the advisory names, when it is not `packageName`. */
  sourceName: string | null;
  installedVersion: string;
  /** The highest `fixed` among the merged records' matching intervals (upgrading to it clears them all); null when none names one. */
  fixedVersion: string | null;
  severity: Severity;
  cvssScore: number | null;
  summary: string | null;
}

export interface MatchResult {
  /** By severity (worst first), advisory id, package type, name and version. */
  findings: Finding[];
  /** What could not be matched and why, for the scan to show; sorted, each once. */
  notes: string[];
}

/** Where a package's advisories are found. */
interface LookupTarget {
  ecosystem: string;
  /** Normalised (names.ts). */
  name: string;
  version: string;
}

/**
 * A record as evaluated for one package: its entries for that package and
 * the severity they give it, worked out once however many images hold the
 * package.
 */
export interface Candidate {
  record: OsvRecord;
  entries: readonly OsvAffected[];
  assessment: SeverityAssessment;
}

/** The candidates under an (ecosystem, normalised name) key, none when there are none. */
export type CandidateLookup = (ecosystem: string, name: string) => readonly Candidate[];

/**
 * The findings of `packages` in an image whose os-release is `os`, among
 * `records`: candidates the caller fetched by `lookupKeys`, which may hold
 * others too. Withdrawn records never match.
 */
export function matchInventory(os: OsIdentity | null, packages: readonly MatchPackage[], records: readonly OsvRecord[]): MatchResult {
  const index = candidatesByKey(records);
  return matchCandidates(os, packages, (ecosystem, name) => index.get(indexKey(ecosystem, name)) ?? []);
}

/** matchInventory with the candidates prepared beforehand (a re-match keeps them across images). */
export function matchCandidates(os: OsIdentity | null, packages: readonly MatchPackage[], lookup: CandidateLookup): MatchResult {
  const findings: Finding[] = [];
  const notes = new Set<string>();
  for (const pkg of uniquePackages(packages)) {
    const target = lookupTarget(os, pkg);
    if ("reason" in target) {
      notes.add(target.reason);
      continue;
    }
    const schemes: RangeSchemes = { ecosystem: schemeForEcosystem(target.ecosystem), semver: SEMVER };
    const matches: Array<RecordMatch & Candidate> = [];
    for (const candidate of lookup(target.ecosystem, target.name)) {
      const verdict = affectedByAny(target.version, candidate.entries, schemes);
      if ("skipped" in verdict) notes.add(`${candidate.record.id} not evaluated for ${pkg.type} ${pkg.name} ${pkg.version}: ${verdict.skipped}`);
      else if (verdict.affected) matches.push({ ...candidate, fixedVersion: verdict.fixedVersion });
    }
    findings.push(...groupByVulnerability(matches).map((group) => findingOf(pkg, group, schemes)));
  }
  return { findings: findings.sort(compareFindings), notes: [...notes].sort() };
}

/** The (ecosystem, normalised name) pairs under which `packages` have advisories: what to fetch candidate records by. */
export function lookupKeys(os: OsIdentity | null, packages: readonly MatchPackage[]): Array<{ ecosystem: string; name: string }> {
  const keys = new Map<string, { ecosystem: string; name: string }>();
  for (const pkg of packages) {
    const target = lookupTarget(os, pkg);
    if (!("reason" in target)) keys.set(indexKey(target.ecosystem, target.name), { ecosystem: target.ecosystem, name: target.name });
  }
  return [...keys.entries()].sort(([a], [b]) => compareText(a, b)).map(([, key]) => key);
}

function lookupTarget(os: OsIdentity | null, pkg: MatchPackage): LookupTarget | { reason: string } {
  const resolution = ecosystemOf(os, pkg.type);
  if (resolution.ecosystem === null) return { reason: resolution.reason };
  const { name, version } = advisoryCoordinates(pkg);
  return { ecosystem: resolution.ecosystem, name: normalisePackageName(resolution.ecosystem, name), version };
}

/** Each record under every (ecosystem, normalised name) its entries name, as a candidate of those entries. */
export function candidatesByKey(records: readonly OsvRecord[]): Map<string, Candidate[]> {
  const index = new Map<string, Candidate[]>();
  for (const record of records) {
    if (record.withdrawn !== null) continue;
    const entriesByKey = new Map<string, OsvAffected[]>();
    for (const entry of record.affected) {
      if (!entry.package) continue;
      const key = indexKey(entry.package.ecosystem, normalisePackageName(entry.package.ecosystem, entry.package.name));
      entriesByKey.set(key, [...(entriesByKey.get(key) ?? []), entry]);
    }
    for (const [key, entries] of entriesByKey) {
      const candidates = index.get(key) ?? [];
      candidates.push({ record, entries, assessment: assessSeverity(record, entries) });
      index.set(key, candidates);
    }
  }
  return index;
}

function findingOf(pkg: MatchPackage, group: ReadonlyArray<RecordMatch & Candidate>, schemes: RangeSchemes): Finding {
  const [primary] = group;
  const ids = new Set(group.flatMap(({ record }) => [record.id, ...record.aliases, ...record.upstream]));
  ids.delete(primary.record.id);
  const { severity, cvssScore } = worstAssessment(group.map(({ assessment }) => assessment));
  const sourceName = isOsPackageType(pkg.type) ? advisoryCoordinates(pkg).name : pkg.name;
  return {
    advisoryId: primary.record.id,
    aliases: [...ids].sort(compareText),
    packageType: pkg.type,
    packageName: pkg.name,
    sourceName: sourceName === pkg.name ? null : sourceName,
    installedVersion: pkg.version,
    // Without an ecosystem scheme only SEMVER ranges could match, so their fixes are SemVer.
    fixedVersion: highestKnownFix(group, schemes.ecosystem ?? schemes.semver),
    severity,
    cvssScore,
    summary: group.find(({ record }) => record.summary !== null)?.record.summary ?? null,
  };
}

/** Worst severity; among equals, the highest score. */
function worstAssessment(assessments: readonly SeverityAssessment[]): SeverityAssessment {
  return assessments.reduce((worst, assessment) => {
    const bySeverity = compareSeverity(assessment.severity, worst.severity);
    return bySeverity < 0 || (bySeverity === 0 && (assessment.cvssScore ?? -1) > (worst.cvssScore ?? -1)) ? assessment : worst;
  });
}

/**
 * The highest fix the group's records name: upgrading to it clears them all
 * (a DSA-…-2 fixing a regression of DSA-…-1 names the later version). A
 * record without a fix adds nothing: another may know one.
 */
function highestKnownFix(group: readonly RecordMatch[], scheme: VersionScheme): string | null {
  const fixes = group.map(({ fixedVersion }) => fixedVersion).filter((fix) => fix !== null);
  return fixes.reduce<string | null>((highest, fix) => (highest === null || isHigher(fix, highest) ? fix : highest), null);

  function isHigher(fix: string, than: string): boolean {
    try {
      return scheme.compare(fix, than) > 0;
    } catch (error) {
      // A SEMVER range's fix the ecosystem's scheme cannot read: keep the one found first.
      if (error instanceof InvalidVersionError) return false;
      throw error;
    }
  }
}

function uniquePackages(packages: readonly MatchPackage[]): MatchPackage[] {
  const unique = new Map<string, MatchPackage>();
  for (const pkg of packages) {
    unique.set(JSON.stringify([pkg.type, pkg.name, pkg.version, pkg.sourceName ?? null, pkg.sourceVersion ?? null]), pkg);
  }
  return [...unique.values()];
}

function compareFindings(a: Finding, b: Finding): number {
  return (
    compareSeverity(a.severity, b.severity) ||
    compareText(a.advisoryId, b.advisoryId) ||
    compareText(a.packageType, b.packageType) ||
    compareText(a.packageName, b.packageName) ||
    compareText(a.installedVersion, b.installedVersion)
  );
}

export function indexKey(ecosystem: string, name: string): string {
  return `${ecosystem}\0${name}`;
}

/** By UTF-16 code units, the same on every machine (unlike localeCompare). */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
