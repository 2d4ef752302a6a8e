import { PeriodUnit, PullCondition, PullMode } from "../../../db/enums";
import type { PolicyRow } from "../../../workers/policy/rules-of-policy";

const DEFAULT_PLATFORMS = ["linux/amd64"];
const DEFAULT_CREATED_WITHIN = { amount: 60, unit: PeriodUnit.DAYS };

/** The policy a registry starts with, and the value of every field `editPullPolicy` omits. */
export function defaultPolicy(registryId: string, timezone: string): PolicyRow {
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
