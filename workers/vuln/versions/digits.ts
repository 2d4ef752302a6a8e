/** Splits `text` into its maximal runs of ASCII digits and of everything else, in order: "1.10a" → ["1", ".", "10", "a"]. */
export function digitRuns(text: string): string[] {
  return text.match(/[0-9]+|[^0-9]+/g) ?? [];
}

export function isDigits(text: string): boolean {
  return /^[0-9]+$/.test(text);
}

/**
 * Orders two runs of ASCII digits by the numbers they spell, however long
 * (no parseInt, so a 30-digit date stamp neither overflows nor rounds). The
 * empty run counts as zero.
 */
export function compareDigitStrings(a: string, b: string): number {
  const x = a.replace(/^0+/, "");
  const y = b.replace(/^0+/, "");
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}
