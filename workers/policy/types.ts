/** The pull-policy engine's inputs and outputs (DESIGN §3); re-exported by engine.ts. */

export type PullCondition = "NONE" | "CREATED_WITHIN" | "LATEST";
export type PeriodUnit = "DAYS" | "MONTHS" | "YEARS";

/** One listed tag (DESIGN §2 says where each registry type's dates come from). */
export interface TagRecord {
  repository: string;
  tag: string;
  digest: string | null;
  createdAt: Date | null;
  pushedAt: Date | null;
}

export interface PolicyRules {
  criteriaEnabled: boolean;
  criteria: readonly string[];
  condition: PullCondition;
  createdWithin: { amount: number; unit: PeriodUnit };
  /** Required (≥ 1) with LATEST. */
  latestTags: number | null;
  neverPull: readonly string[];
  alwaysPull: readonly string[];
  /** IANA name; CREATED_WITHIN counts calendar days, months and years in it. */
  timezone: string;
}

export interface TagDecision extends TagRecord {
  selected: boolean;
  reason: string;
}
