import { Severity } from "../../../db/enums";

/** Severity declares its values worst first, the order of finding.severityRank (0 = CRITICAL … 4 = UNKNOWN). */
const WORST_FIRST = Object.values(Severity);

export function severityRank(severity: Severity): number {
  return WORST_FIRST.indexOf(severity);
}
