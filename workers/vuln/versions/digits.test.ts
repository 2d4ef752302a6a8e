import { compareDigitStrings, digitRuns, isDigits } from "./digits";
import { verdict } from "./test-support/ordering";

describe("digits", () => {
  test.each([
    ["", []],
    ["1", ["1"]],
    ["1.10a", ["1", ".", "10", "a"]],
    ["~rc1~", ["~rc", "1", "~"]],
    ["a1b22c333", ["a", "1", "b", "22", "c", "333"]],
  ])("digitRuns(%j) = %j", (text, runs) => {
    expect(digitRuns(text)).toEqual(runs);
  });

  test.each([
    ["1", "2", "<"], ["2", "10", "<"], ["10", "9", ">"], ["007", "7", "="], ["0", "", "="], ["000", "0", "="], ["01", "1", "="],
    ["99999999999999999999", "100000000000000000000", "<"], ["123456789012345678901234567890", "123456789012345678901234567891", "<"],
  ])("compareDigitStrings(%j, %j) is %s", (a, b, expected) => {
    expect(verdict(compareDigitStrings(a, b))).toBe(expected);
    expect(verdict(compareDigitStrings(b, a))).toBe(expected === "<" ? ">" : expected === ">" ? "<" : "=");
  });

  test("isDigits: ASCII digits only, at least one", () => {
    expect(["0", "0123", "99"].every(isDigits)).toBe(true);
    expect(["", "1a", " 1", "١", "1.0", "-1"].some(isDigits)).toBe(false);
  });
});
