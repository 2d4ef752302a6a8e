/** A build date before this is a reproducible-build placeholder: missing (DESIGN §2). */
export const EARLIEST_BUILD_DATE = Date.UTC(1980, 0, 1);

/**
 * A date a registry or vendor API wrote, or null when it is absent or not a
 * date. Dates before `notBefore` (ms since the epoch) are placeholders: null.
 */
export function parseDate(text: unknown, notBefore = Number.NEGATIVE_INFINITY): Date | null {
  const time = typeof text === "string" && text !== "" ? Date.parse(text) : NaN;
  return Number.isFinite(time) && time >= notBefore ? new Date(time) : null;
}
