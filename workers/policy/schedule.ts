/**
 * AUTOMATIC policies' schedules (DESIGN §3): 5-field cron in the policy's time zone,
 * consecutive firings at least 5 minutes apart over the next 50.
 */
import { CronExpression, CronExpressionParser } from "cron-parser";
import { isValidTimezone, unknownTimezoneReason } from "./timezone";

export { isValidTimezone } from "./timezone";

const MIN_MINUTES_BETWEEN_RUNS = 5;
const FIRINGS_CHECKED = 50;

const FIELD_NAMES = "minute hour day-of-month month day-of-week";

export class InvalidScheduleError extends Error {
  constructor(readonly schedule: string, readonly reason: string) {
    super(`invalid schedule ${JSON.stringify(schedule)}: ${reason}`);
    this.name = "InvalidScheduleError";
  }
}

/** null when the schedule is acceptable, else the reason. The 50 firings checked start at `now`. */
export function validateSchedule(schedule: string, timezone: string, now: Date = new Date()): string | null {
  try {
    return spacingProblem(schedule, parseSchedule(schedule, timezone, now));
  } catch (error) {
    if (error instanceof InvalidScheduleError) return error.reason;
    throw error;
  }
}

/** The first firing strictly after `after`; throws InvalidScheduleError for a schedule that is not 5-field cron. */
export function nextRunAfter(schedule: string, timezone: string, after: Date): Date {
  return new Date(nextFiring(schedule, parseSchedule(schedule, timezone, after)));
}

/** The expression positioned at `from`; throws InvalidScheduleError with the reason it is refused. */
function parseSchedule(schedule: string, timezone: string, from: Date): CronExpression {
  const expression = schedule.trim();
  const problem = syntaxProblem(expression, timezone);
  if (problem !== null) throw new InvalidScheduleError(schedule, problem);
  try {
    return CronExpressionParser.parse(expression, { currentDate: from, tz: timezone });
  } catch (error) {
    throw new InvalidScheduleError(schedule, `not a valid cron expression: ${(error as Error).message}`);
  }
}

/** What cron-parser would accept but drydock does not. */
function syntaxProblem(expression: string, timezone: string): string | null {
  if (!isValidTimezone(timezone)) return unknownTimezoneReason(timezone);
  if (expression.startsWith("@")) {
    return `shortcuts such as "${expression.split(/\s/)[0]}" are not accepted; write the 5 fields: ${FIELD_NAMES}`;
  }
  const fieldCount = expression === "" ? 0 : expression.split(/\s+/).length;
  if (fieldCount !== 5) {
    const seconds = fieldCount === 6 ? " (seconds are not supported)" : "";
    return `${fieldCount} field(s) given${seconds}; a schedule has 5: ${FIELD_NAMES}`;
  }
  // cron-parser draws H at random unless seeded: every process would compute other times.
  if (/\bH/.test(expression)) return 'random "H" values are not supported; name the minutes and hours';
  return null;
}

function spacingProblem(schedule: string, expression: CronExpression): string | null {
  let previous = nextFiring(schedule, expression);
  for (let firing = 1; firing < FIRINGS_CHECKED; firing++) {
    const current = nextFiring(schedule, expression);
    const minutes = Math.round((current - previous) / 60_000);
    if (minutes < MIN_MINUTES_BETWEEN_RUNS) {
      return `fires ${minutes} minute(s) after the previous run; at least ${MIN_MINUTES_BETWEEN_RUNS} minutes between runs is required`;
    }
    previous = current;
  }
  return null;
}

function nextFiring(schedule: string, expression: CronExpression): number {
  try {
    return expression.next().getTime();
  } catch (error) {
    throw new InvalidScheduleError(schedule, `cannot compute the next firing: ${(error as Error).message}`);
  }
}
