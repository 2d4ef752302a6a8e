import { compare as comparePublic, explain } from "@renovatebot/pep440";
import { compareDigitStrings, isDigits } from "./digits";
import { NotAVersion, parsingScheme } from "./parsing-scheme";

interface PythonVersion {
  /** Normalised public version: "1.0-RC1" → "1.0rc1". */
  public: string;
  /** Local version label split into segments: "+Ubuntu-1.2" → ["ubuntu", "1", "2"]. */
  local: string[];
}

function parsePythonVersion(version: string): PythonVersion | NotAVersion {
  const explained = explain(version);
  if (!explained) return new NotAVersion("not a PEP 440 version");
  const plus = version.indexOf("+");
  // The library holds numbers as JavaScript numbers, exact only up to 2^53.
  const publicPart = plus < 0 ? version : version.slice(0, plus);
  if ((publicPart.match(/[0-9]+/g) ?? []).some((digits) => !Number.isSafeInteger(Number(digits)))) {
    return new NotAVersion("a number is too big to order exactly");
  }
  return { public: explained.public, local: plus < 0 ? [] : version.slice(plus + 1).toLowerCase().split(/[-_.]/) };
}

function comparePythonVersions(a: PythonVersion, b: PythonVersion): number {
  return comparePublic(a.public, b.public) || compareLocalLabels(a.local, b.local);
}

/**
 * PEP 440 local labels, segment by segment: digits-only segments as numbers
 * and above the others, the others lexically; a label that extends another
 * sorts after it. Done here because the library takes any segment
 * JavaScript's Number() can read ("1e5", "0x1f") for a number.
 */
function compareLocalLabels(a: string[], b: string[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (i >= a.length) return -1;
    if (i >= b.length) return 1;
    const order = compareLocalSegments(a[i], b[i]);
    if (order !== 0) return order;
  }
  return 0;
}

function compareLocalSegments(x: string, y: string): number {
  const xNumeric = isDigits(x);
  const yNumeric = isDigits(y);
  if (xNumeric && yNumeric) return compareDigitStrings(x, y);
  if (xNumeric !== yNumeric) return xNumeric ? 1 : -1;
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Python package versions, PEP 440 (epochs, pre-, post- and dev-releases,
 * local versions, normalisation: "1.0-RC1" = "1.0rc1", "v1.0" = "1.0"),
 * through @renovatebot/pep440 for the public version. Whitespace around the
 * version, which PEP 440 would strip, is refused.
 */
export const pep440 = parsingScheme("pep440", parsePythonVersion, comparePythonVersions);
