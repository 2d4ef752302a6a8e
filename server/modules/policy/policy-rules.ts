import { PullCondition, PullMode } from "../../../db/enums";
import type { FieldError } from "../../../lib/errors";
import { describePatternError, validatePatternList } from "../../../workers/policy/patterns";
import { validateSchedule } from "../../../workers/policy/schedule";
import { isValidTimezone, unknownTimezoneReason } from "../../../workers/policy/timezone";
import type { PullPolicyInput } from "./policy.inputs";

/** Rules that span fields or need the policy grammar; field-local limits live on the input class. */
export function checkPolicyInput(input: PullPolicyInput, timezone: string): FieldError[] {
  const errors: FieldError[] = [];
  const add = (field: string, message: string) => errors.push({ field, message });

  const timezoneOk = isValidTimezone(timezone);
  if (!timezoneOk) add("timezone", unknownTimezoneReason(timezone));

  if (input.schedule) {
    const problem = timezoneOk ? validateSchedule(input.schedule, timezone) : null;
    if (problem) add("schedule", problem);
  } else if (input.mode === PullMode.AUTOMATIC) {
    add("schedule", "is required for AUTOMATIC mode");
  }

  if (input.condition === PullCondition.LATEST && !input.latestTags) {
    add("latestTags", "is required with condition LATEST");
  }

  for (const field of ["criteria", "neverPull", "alwaysPull"] as const) {
    for (const problem of validatePatternList(input[field] ?? [])) {
      add(problem.index < 0 ? field : `${field}[${problem.index}]`, describePatternError(problem));
    }
  }
  const platforms = input.platforms ?? [];
  const repeated = platforms.find((p, i) => platforms.indexOf(p) !== i);
  if (repeated) add("platforms", `lists ${repeated} twice`);
  if (input.platforms && platforms.length === 0) add("platforms", "must name at least one platform");
  return errors;
}
