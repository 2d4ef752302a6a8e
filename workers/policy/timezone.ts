import { IANAZone } from "luxon";

/** An IANA time-zone name the runtime knows ("Europe/Berlin", "UTC"); offsets like "+02:00" are not names. */
export function isValidTimezone(tz: string): boolean {
  return IANAZone.isValidZone(tz);
}

export function unknownTimezoneReason(tz: string): string {
  return `unknown time zone ${JSON.stringify(tz)}; use an IANA name such as "Europe/Berlin" or "UTC"`;
}
