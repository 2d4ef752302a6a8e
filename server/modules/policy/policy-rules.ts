import { PullMode } from "../../../db/enums";
import type { FieldError } from "../../../lib/errors";
import { validatePolicyRules } from "../../../workers/policy/engine";
import { type PolicyRow, policyRulesOf } from "../../../workers/policy/rules-of-policy";
import { validateSchedule } from "../../../workers/policy/schedule";


/** The engine's rules (patterns, time zone, LATEST) plus what only a stored policy has: schedule and platforms. */
export function checkPolicy(policy: PolicyRow, now: Date): FieldError[] {
  const errors: FieldError[] = validatePolicyRules(policyRulesOf(policy));
  const timezoneOk = !errors.some((e) => e.field === "timezone");
  if (policy.schedule) {
    const problem = timezoneOk ? validateSchedule(policy.schedule, policy.timezone, now) : null;
    if (problem) errors.push({ field: "schedule", message: problem });
  } else if (policy.mode === PullMode.AUTOMATIC) {
    errors.push({ field: "schedule", message: "is required for AUTOMATIC mode" });
  }
  const repeated = policy.platforms.find((p, i) => policy.platforms.indexOf(p) !== i);
  if (repeated) errors.push({ field: "platforms", message: `lists ${repeated} twice` });
  if (policy.platforms.length === 0) errors.push({ field: "platforms", message: "must name at least one platform" });
  return errors;
}
