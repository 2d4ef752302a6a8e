import type { PullPolicy } from "../../db/entities";
import type { PolicyRules } from "./types";

/** A stored policy's columns, without what TypeORM manages. */
export type PolicyRow = Omit<PullPolicy, "updatedAt" | "createdWithin" | "registry">;

/** The selection engine's view of a stored policy. */
export function policyRulesOf(policy: PolicyRow): PolicyRules {
  return {
    criteriaEnabled: policy.criteriaEnabled,
    criteria: policy.criteria,
    condition: policy.condition,
    createdWithin: { amount: policy.createdWithinAmount, unit: policy.createdWithinUnit },
    latestTags: policy.latestTags,
    neverPull: policy.neverPull,
    alwaysPull: policy.alwaysPull,
    timezone: policy.timezone,
  };
}

