/**
 * A finding's severity (DESIGN §4): from the record's CVSS v4 vector, else
 * v3.x, else v2, scored by ae-cvss-calculator; else the record's own label
 * (GHSA's `database_specific.severity`, MODERATE = MEDIUM); else UNKNOWN.
 */
import { Cvss2, Cvss3P0, Cvss3P1, Cvss4P0 } from "ae-cvss-calculator";
import type { OsvAffected, OsvRecord, OsvSeverity } from "../osv/record";

export type Severity = "CRITICAL" | "HIGH" | "MEDIUM" | "LOW" | "UNKNOWN";

/** Worst first: the order findings are listed in. */
export const SEVERITIES: readonly Severity[] = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN"];

export interface SeverityAssessment {
  severity: Severity;
  /** The CVSS base score the severity came from; null when it came from a label or nothing. */
  cvssScore: number | null;
}

interface CvssCalculator {
  /** What the vectors it reads start with. */
  prefix: string;
  /** The base score; undefined for a vector missing base metrics. Throws for vectors it cannot read. */
  score(vector: string): number | undefined;
}

/**
 * The OSV severity types drydock scores, newest CVSS version first. Base
 * scores throughout: for v4 the calculator's `base` already folds in threat
 * and environmental metrics, so its `baseMetricsOnly` is the one to take.
 */
const CVSS_VERSIONS: ReadonlyArray<{ type: string; calculators: readonly CvssCalculator[] }> = [
  { type: "CVSS_V4", calculators: [{ prefix: "CVSS:4.0/", score: (vector) => fullyDefined(new Cvss4P0(vector))?.calculateScores().baseMetricsOnly }] },
  {
    type: "CVSS_V3",
    calculators: [
      { prefix: "CVSS:3.1/", score: (vector) => fullyDefined(new Cvss3P1(vector))?.calculateScores().base },
      { prefix: "CVSS:3.0/", score: (vector) => fullyDefined(new Cvss3P0(vector))?.calculateScores().base },
    ],
  },
  // v2 vectors carry no version prefix ("AV:N/AC:L/Au:N/C:P/I:P/A:P").
  { type: "CVSS_V2", calculators: [{ prefix: "", score: (vector) => fullyDefined(new Cvss2(vector))?.calculateScores().base }] },
];

/** Labels records use, lower-cased: GHSA's, Ubuntu's priorities, Red Hat's "important". */
const LABELS: Readonly<Record<string, Severity>> = {
  critical: "CRITICAL",
  important: "HIGH",
  high: "HIGH",
  moderate: "MEDIUM",
  medium: "MEDIUM",
  low: "LOW",
  negligible: "LOW",
};

/**
 * The severity of `record` for the package its `entries` describe. Per the
 * OSV schema, severities on the entries replace the record's own.
 */
export function assessSeverity(record: OsvRecord, entries: readonly OsvAffected[]): SeverityAssessment {
  const entryScores = entries.flatMap((entry) => entry.severity);
  const scores = entryScores.length > 0 ? entryScores : record.severity;
  for (const { type } of CVSS_VERSIONS) {
    const baseScores = scores.filter((score) => score.type === type).map(cvssBaseScore).filter((score) => score !== null);
    if (baseScores.length > 0) {
      const cvssScore = Math.max(...baseScores);
      return { severity: severityOfScore(cvssScore), cvssScore };
    }
  }
  return { severity: labelledSeverity(record, entries, scores), cvssScore: null };
}

/** The base score of a CVSS vector, or null when it is not a complete vector of its declared version. */
export function cvssBaseScore({ type, score: vector }: OsvSeverity): number | null {
  const calculator = CVSS_VERSIONS.find((version) => version.type === type)?.calculators.find(({ prefix }) => vector.startsWith(prefix));
  if (!calculator) return null;
  try {
    const score = calculator.score(vector);
    return score !== undefined && Number.isFinite(score) && score >= 0 && score <= 10 ? score : null;
  } catch {
    // The calculator throws (TypeErrors too) on malformed vectors: a bad vector only means no score.
    return null;
  }
}

/**
 * CVSS's qualitative ratings. A 0.0 score ("None" in CVSS) is LOW, not
 * UNKNOWN: it was scored, and the record still says the package is affected.
 */
export function severityOfScore(score: number): Severity {
  if (score >= 9) return "CRITICAL";
  if (score >= 7) return "HIGH";
  if (score >= 4) return "MEDIUM";
  return "LOW";
}

export function compareSeverity(a: Severity, b: Severity): number {
  return SEVERITIES.indexOf(a) - SEVERITIES.indexOf(b);
}

/** The first place that holds a label: the record's `database_specific`, then the entries' `ecosystem_specific`, `database_specific`, then Ubuntu priorities. */
function labelledSeverity(record: OsvRecord, entries: readonly OsvAffected[], scores: readonly OsvSeverity[]): Severity {
  const places: unknown[][] = [
    [record.database_specific?.severity],
    entries.map((entry) => entry.ecosystem_specific?.severity),
    entries.map((entry) => entry.database_specific?.severity),
    scores.filter((score) => score.type === "Ubuntu").map((score) => score.score),
  ];
  for (const labels of places) {
    const severities = labels.map(severityOfLabel).filter((severity) => severity !== null);
    if (severities.length > 0) return worstOf(severities);
  }
  return "UNKNOWN";
}

function severityOfLabel(label: unknown): Severity | null {
  if (typeof label !== "string") return null;
  const key = label.trim().toLowerCase();
  return Object.hasOwn(LABELS, key) ? LABELS[key] : null;
}

function worstOf(severities: readonly Severity[]): Severity {
  return severities.reduce((worst, severity) => (compareSeverity(severity, worst) < 0 ? severity : worst));
}

/** A vector missing base metrics scores 0.0 in the calculator: such a vector gives no score at all. */
function fullyDefined<V extends { isBaseFullyDefined(): boolean }>(vector: V): V | null {
  return vector.isBaseFullyDefined() ? vector : null;
}
