import type { PullPolicy } from "../../../db/entities";
import { PeriodUnit, PullCondition, PullMode } from "../../../db/enums";

export const DEFAULT_PLATFORMS = ["linux/amd64"];
export const DEFAULT_CREATED_WITHIN = { amount: 60, unit: PeriodUnit.DAYS };

/** The policy a registry starts with, and the value of every field `editPullPolicy` omits. */
export function defaultPolicy(registryId: string, timezone: string): Omit<PullPolicy, "updatedAt" | "createdWithin"> {
  return {
    registryId,
    mode: PullMode.MANUAL,
    schedule: null,
    timezone,
    rescan: false,
    criteriaEnabled: false,
    criteria: [],
    condition: PullCondition.CREATED_WITHIN,
    createdWithinAmount: DEFAULT_CREATED_WITHIN.amount,
    createdWithinUnit: DEFAULT_CREATED_WITHIN.unit,
    latestTags: null,
    neverPull: [],
    alwaysPull: [],
    platforms: [...DEFAULT_PLATFORMS],
    nextRunAt: null,
  };
}
