import { InvalidVersionError, type VersionScheme } from "../../versions/version-scheme";

const NUMERIC = /^\d+(\.\d+)*$/;

/**
 * A version scheme for tests of the range logic alone: dot-separated
 * numbers compared part by part, missing parts counting as 0 (1.2 = 1.2.0).
 * Anything else is an InvalidVersionError, as a real scheme would say.
 */
export const numericScheme: VersionScheme = {
  name: "numeric",
  isValid: (version) => NUMERIC.test(version),
  compare(a, b) {
    const [left, right] = [parts(a), parts(b)];
    for (let i = 0; i < Math.max(left.length, right.length); i++) {
      const difference = (left[i] ?? 0) - (right[i] ?? 0);
      if (difference !== 0) return difference;
    }
    return 0;
  },
};

function parts(version: string): number[] {
  if (!NUMERIC.test(version)) throw new InvalidVersionError("numeric", version);
  return version.split(".").map(Number);
}
