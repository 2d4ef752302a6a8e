import { newest, pausedUntil, PullQuotaMeter, readPullQuota, reserveOf } from "./pull-quota";

const at = new Date("2025-01-01T00:00:00Z");
const reading = (remaining: number, quota = 100, windowSeconds = 21600) => ({ quota, remaining, windowSeconds, observedAt: at });

describe("readPullQuota", () => {
  test.each([
    [{ "ratelimit-limit": "100;w=21600", "ratelimit-remaining": "20;w=21600" }, reading(20)],
    [{ "ratelimit-limit": "200; w=3600", "ratelimit-remaining": "0;w=3600" }, reading(0, 200, 3600)],
    // The window may be on either header only.
    [{ "ratelimit-limit": "100", "ratelimit-remaining": "7;w=60" }, reading(7, 100, 60)],
    // Remaining never exceeds the limit.
    [{ "ratelimit-limit": "10;w=60", "ratelimit-remaining": "50;w=60" }, reading(10, 10, 60)],
  ])("%j → %j", (headers, expected) => expect(readPullQuota(headers, at)).toEqual(expected));

  test.each([{}, { "ratelimit-limit": "100;w=21600" }, { "ratelimit-limit": "x", "ratelimit-remaining": "1;w=5" }, { "ratelimit-limit": "100", "ratelimit-remaining": "5" }])(
    "no quota in %j (absent headers mean unlimited)",
    (headers) => expect(readPullQuota(headers, at)).toBeNull(),
  );
});

describe("pausedUntil", () => {
  test("a 5% reserve, at least one pull", () => {
    expect(reserveOf(100)).toBe(5);
    expect(reserveOf(200)).toBe(10);
    expect(reserveOf(10)).toBe(1);
  });

  test("pulls go on above the reserve, and pause at it until the window has passed since the reading", () => {
    const soon = new Date(at.getTime() + 1000);
    expect(pausedUntil(reading(6), soon)).toBeNull();
    expect(pausedUntil(reading(5), soon)).toEqual(new Date(at.getTime() + 21600_000));
    expect(pausedUntil(reading(0), new Date(at.getTime() + 21600_000))).toBeNull();
    expect(pausedUntil(null, soon)).toBeNull();
  });

  test("the newest reading wins", () => {
    const later = { ...reading(50), observedAt: new Date(at.getTime() + 1) };
    expect(newest(reading(1), later)).toBe(later);
    expect(newest(later, reading(1))).toBe(later);
    expect(newest(null, later)).toBe(later);
  });
});

test("the meter keeps the latest reading and tells its listeners; answers without quota headers change nothing", () => {
  const meter = new PullQuotaMeter(() => at.getTime());
  const seen: number[] = [];
  const stop = meter.subscribe((r) => seen.push(r.remaining));
  meter.observe({ "ratelimit-limit": "100;w=60", "ratelimit-remaining": "9;w=60" });
  meter.observe({});
  expect(meter.latest).toEqual(reading(9, 100, 60));
  stop();
  meter.observe({ "ratelimit-limit": "100;w=60", "ratelimit-remaining": "8;w=60" });
  expect(seen).toEqual([9]);
  expect(meter.latest?.remaining).toBe(8);
});
