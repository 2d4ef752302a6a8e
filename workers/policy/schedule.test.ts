import { InvalidScheduleError, isValidTimezone, nextRunAfter, validateSchedule } from "./schedule";

const NOW = new Date("2026-06-01T00:00:00Z");

describe("validateSchedule", () => {
  it.each<[schedule: string, timezone: string]>([
    ["*/5 * * * *", "UTC"],
    ["0 3 * * *", "Europe/Berlin"],
    ["*/15 9-17 * * MON-FRI", "Europe/Berlin"],
    ["0,5,10 * * * *", "UTC"],
    ["55,0 * * * *", "UTC"],
    ["0 0 1 * *", "America/New_York"],
    ["0 0 29 2 *", "UTC"], // leap days only: 50 firings span two centuries
    ["  0   3 * * *  ", "UTC"],
    ["0 0 ? * 1#1", "UTC"],
    ["0 0 L * *", "UTC"],
    ["0,59 1,3 * * *", "Europe/Berlin"], // fine away from spring-forward (see below)
  ])("accepts %j in %s", (schedule, timezone) => {
    expect(validateSchedule(schedule, timezone, NOW)).toBeNull();
  });

  it.each<[schedule: string, reasonPart: string]>([
    ["* * * * *", "fires 1 minute(s) after the previous run; at least 5 minutes between runs is required"],
    ["*/2 * * * *", "fires 2 minute(s) after the previous run"],
    ["*/4 * * * *", "fires 4 minute(s)"],
    ["0-4 * * * *", "fires 1 minute(s)"],
    ["0,3 * * * *", "fires 3 minute(s)"],
    ["58,2 * * * *", "fires 4 minute(s)"], // across the hour
    ["0,59 0,23 * * *", "fires 1 minute(s)"], // across midnight
    ["0 0 * * * *", "6 field(s) given (seconds are not supported); a schedule has 5: minute hour day-of-month month day-of-week"],
    ["0 0 0 * * * *", "7 field(s) given"],
    ["0 3 * *", "4 field(s) given"],
    ["", "0 field(s) given"],
    ["   ", "0 field(s) given"],
    ["@daily", 'shortcuts such as "@daily" are not accepted'],
    ["@every 5m", 'shortcuts such as "@every" are not accepted'],
    ["H * * * *", 'random "H" values are not supported'],
    ["H/10 * * * *", 'random "H" values are not supported'],
    ["61 * * * *", "not a valid cron expression"],
    ["0 24 * * *", "not a valid cron expression"],
    ["0 0 30 2 *", "not a valid cron expression"],
    ["a b c d e", "not a valid cron expression"],
    ["0 0 * * 8", "not a valid cron expression"],
  ])("refuses %j: %s", (schedule, reasonPart) => {
    expect(validateSchedule(schedule, "UTC", NOW)).toContain(reasonPart);
  });

  it("counts real time: spring-forward makes 01:59 CET and 03:00 CEST one minute apart", () => {
    const beforeSpringForward = new Date("2026-03-28T12:00:00Z");
    expect(validateSchedule("0,59 1,3 * * *", "Europe/Berlin", beforeSpringForward)).toContain("fires 1 minute(s)");
  });

  it("checks the time zone first", () => {
    expect(validateSchedule("*/5 * * * *", "Mars/Olympus", NOW)).toContain('unknown time zone "Mars/Olympus"');
  });

  it("defaults the start of the check to the current time", () => {
    expect(validateSchedule("*/5 * * * *", "UTC")).toBeNull();
    expect(validateSchedule("*/3 * * * *", "UTC")).toContain("fires 3 minute(s)");
  });
});

describe("nextRunAfter", () => {
  it.each<[name: string, schedule: string, timezone: string, after: string, next: string]>([
    ["every 5 minutes", "*/5 * * * *", "UTC", "2026-06-01T10:02:30Z", "2026-06-01T10:05:00.000Z"],
    ["strictly after a firing", "0 3 * * *", "Europe/Berlin", "2026-01-01T02:00:00.000Z", "2026-01-02T02:00:00.000Z"],
    ["one ms before a firing", "0 3 * * *", "Europe/Berlin", "2026-01-01T01:59:59.999Z", "2026-01-01T02:00:00.000Z"],
    ["03:00 CET on the day before spring-forward", "0 3 * * *", "Europe/Berlin", "2026-03-27T12:00:00Z", "2026-03-28T02:00:00.000Z"],
    ["03:00 CEST on the spring-forward day", "0 3 * * *", "Europe/Berlin", "2026-03-28T12:00:00Z", "2026-03-29T01:00:00.000Z"],
    ["02:30 does not exist on spring-forward day: runs at 03:30 CEST", "30 2 * * *", "Europe/Berlin", "2026-03-28T12:00:00Z", "2026-03-29T01:30:00.000Z"],
    ["02:30 after spring-forward is CEST", "30 2 * * *", "Europe/Berlin", "2026-03-29T12:00:00Z", "2026-03-30T00:30:00.000Z"],
    ["02:30 twice on fall-back day: first (CEST) run", "30 2 * * *", "Europe/Berlin", "2026-10-24T12:00:00Z", "2026-10-25T00:30:00.000Z"],
    ["02:30 twice on fall-back day: runs once, next is the day after", "30 2 * * *", "Europe/Berlin", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00.000Z"],
    ["*/30 in the repeated hour runs again in CET", "*/30 * * * *", "Europe/Berlin", "2026-10-25T00:30:00Z", "2026-10-25T01:00:00.000Z"],
    ["weekday names", "0 9 * * MON", "America/New_York", "2026-06-01T14:00:00Z", "2026-06-08T13:00:00.000Z"],
    ["far zone crosses the date line", "0 0 * * *", "Pacific/Kiritimati", "2026-06-01T09:59:00Z", "2026-06-01T10:00:00.000Z"],
  ])("%s", (_, schedule, timezone, after, next) => {
    expect(nextRunAfter(schedule, timezone, new Date(after)).toISOString()).toBe(next);
  });

  it("does not re-check spacing: a stored schedule keeps running across DST", () => {
    expect(nextRunAfter("0,59 1,3 * * *", "Europe/Berlin", new Date("2026-03-29T00:59:00Z")).toISOString()).toBe(
      "2026-03-29T01:00:00.000Z",
    );
  });

  it.each<[schedule: string, timezone: string, reasonPart: string]>([
    ["@hourly", "UTC", "shortcuts"],
    ["0 0 * * * *", "UTC", "6 field(s)"],
    ["this is not cron really", "UTC", "not a valid cron expression"],
    ["*/5 * * * *", "Nowhere/City", "unknown time zone"],
  ])("throws InvalidScheduleError for %j in %s", (schedule, timezone, reasonPart) => {
    let thrown: unknown;
    try {
      nextRunAfter(schedule, timezone, NOW);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidScheduleError);
    expect((thrown as InvalidScheduleError).reason).toContain(reasonPart);
  });
});

describe("isValidTimezone", () => {
  it.each<[timezone: string, valid: boolean]>([
    ["Europe/Berlin", true],
    ["UTC", true],
    ["Etc/GMT+5", true],
    ["America/Argentina/Buenos_Aires", true],
    ["Pacific/Kiritimati", true],
    ["", false],
    ["Berlin", false],
    ["CEST", false],
    ["Mars/Olympus", false],
    ["+02:00", false],
    ["Europe/Berlin ", false],
  ])("%j → %s", (timezone, valid) => {
    expect(isValidTimezone(timezone)).toBe(valid);
  });
});
