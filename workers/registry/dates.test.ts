import { EARLIEST_BUILD_DATE, parseDate } from "./dates";

test("a date text is read; absent, empty, non-text or unparsable is null", () => {
  expect(parseDate("2024-03-01T10:00:00.123Z")).toEqual(new Date("2024-03-01T10:00:00.123Z"));
  expect(parseDate("2019-01-06T16:49:51.272+00:00")).toEqual(new Date("2019-01-06T16:49:51.272Z"));
  for (const missing of [undefined, null, "", "yesterday", 1709287200000, {}]) expect(parseDate(missing)).toBeNull();
});

test("dates before notBefore are placeholders: 1980 for build dates, the epoch for Go's zero time", () => {
  expect(parseDate("1979-12-31T23:59:59.999Z", EARLIEST_BUILD_DATE)).toBeNull();
  expect(parseDate("1980-01-01T00:00:00Z", EARLIEST_BUILD_DATE)).toEqual(new Date("1980-01-01T00:00:00Z"));
  expect(parseDate("0001-01-01T00:00:00Z", 1)).toBeNull();
  expect(parseDate("0001-01-01T00:00:00Z")).toEqual(new Date("0001-01-01T00:00:00Z"));
});
