/**
 * The fields of an OSV record (https://ossf.github.io/osv-schema/) that
 * drydock uses, read from untrusted JSON. A parsed record keeps OSV's own
 * field names and shapes, so it is itself a valid OSV record: serialising it
 * and parsing it again gives the same record.
 */
import {
  JsonFieldError,
  type JsonObject,
  fieldPath,
  isJsonObject,
  optionalArray,
  optionalObject,
  optionalString,
  requireArray,
  requireObject,
  requireString,
  stringItem,
} from "./json-fields";

export type OsvRangeType = "ECOSYSTEM" | "SEMVER" | "GIT";

const OSV_EVENT_KINDS = ["introduced", "fixed", "last_affected", "limit"] as const;
export type OsvEventKind = (typeof OSV_EVENT_KINDS)[number];

/** One event of a range, as OSV writes it: exactly one key, e.g. `{ "fixed": "1.2.3" }`. */
export type OsvEvent = { introduced: string } | { fixed: string } | { last_affected: string } | { limit: string };

/** An event's kind and version: `{ "fixed": "1.2.3" }` → `{ kind: "fixed", version: "1.2.3" }`. */
export function eventParts(event: OsvEvent): { kind: OsvEventKind; version: string } {
  const kind = OSV_EVENT_KINDS.find((candidate) => candidate in event) as OsvEventKind;
  return { kind, version: (event as Record<OsvEventKind, string>)[kind] };
}

export interface OsvRange {
  type: OsvRangeType;
  /** GIT ranges: the repository the commits belong to. */
  repo: string | null;
  events: OsvEvent[];
}

/** `type` is CVSS_V2, CVSS_V3, CVSS_V4, Ubuntu or a type added later, kept as given. */
export interface OsvSeverity {
  type: string;
  score: string;
}

export interface OsvPackage {
  /** `npm`, `PyPI`, `Debian:12`, `Alpine:v3.18`, … */
  ecosystem: string;
  name: string;
  purl: string | null;
}

export interface OsvAffected {
  /** Null only for entries that describe GIT ranges of no package. */
  package: OsvPackage | null;
  severity: OsvSeverity[];
  ranges: OsvRange[];
  versions: string[];
  ecosystem_specific: JsonObject | null;
  database_specific: JsonObject | null;
}

export interface OsvRecord {
  id: string;
  /** RFC 3339, as written (OSV.dev writes nanoseconds, which a Date would lose). */
  modified: string;
  withdrawn: string | null;
  aliases: string[];
  related: string[];
  upstream: string[];
  summary: string | null;
  details: string | null;
  severity: OsvSeverity[];
  affected: OsvAffected[];
  database_specific: JsonObject | null;
}

export class OsvRecordError extends Error {
  constructor(
    /** The record's `id` when it could be read. */
    readonly recordId: string | null,
    readonly reason: string,
  ) {
    super(`OSV record ${recordId ?? "(without an id)"}: ${reason}`);
    this.name = "OsvRecordError";
  }
}

/** The store's column widths: longer values could not be kept whole. */
export const MAX_ID_LENGTH = 128;
export const MAX_ECOSYSTEM_LENGTH = 100;
export const MAX_PACKAGE_NAME_LENGTH = 255;
/** Longer texts are cut, not refused: they are shown, never matched on. */
export const MAX_SUMMARY_LENGTH = 1000;
export const MAX_DETAILS_LENGTH = 32 * 1024;

const RANGE_TYPES: readonly OsvRangeType[] = ["ECOSYSTEM", "SEMVER", "GIT"];
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
const ID = /^\S+$/;

/** Validates `json` as an OSV record; throws OsvRecordError with the record's id and the first problem found. */
export function parseOsvRecord(json: unknown): OsvRecord {
  const recordId = isJsonObject(json) && typeof json.id === "string" && json.id !== "" ? json.id : null;
  try {
    return readRecord(requireObject(json, "record"));
  } catch (error) {
    if (error instanceof JsonFieldError) throw new OsvRecordError(recordId, error.message);
    throw error;
  }
}

function readRecord(record: JsonObject): OsvRecord {
  return {
    id: readId(requireString(record, "id", ""), "id"),
    modified: readTimestamp(requireString(record, "modified", ""), "modified"),
    withdrawn: nullable(optionalString(record, "withdrawn", ""), (value) => readTimestamp(value, "withdrawn")),
    aliases: optionalArray(record, "aliases", "", idItem),
    related: optionalArray(record, "related", "", idItem),
    upstream: optionalArray(record, "upstream", "", idItem),
    summary: nullable(optionalString(record, "summary", ""), (text) => truncate(text, MAX_SUMMARY_LENGTH)),
    details: nullable(optionalString(record, "details", ""), (text) => truncate(text, MAX_DETAILS_LENGTH)),
    severity: optionalArray(record, "severity", "", severityItem),
    affected: optionalArray(record, "affected", "", affectedItem),
    database_specific: optionalObject(record, "database_specific", ""),
  };
}

function affectedItem(item: unknown, path: string): OsvAffected {
  const affected = requireObject(item, path);
  const packageObject = optionalObject(affected, "package", path);
  return {
    package: packageObject && readPackage(packageObject, fieldPath(path, "package")),
    severity: optionalArray(affected, "severity", path, severityItem),
    ranges: optionalArray(affected, "ranges", path, rangeItem),
    versions: optionalArray(affected, "versions", path, stringItem),
    ecosystem_specific: optionalObject(affected, "ecosystem_specific", path),
    database_specific: optionalObject(affected, "database_specific", path),
  };
}

function readPackage(pkg: JsonObject, path: string): OsvPackage {
  return {
    ecosystem: readBounded(requireString(pkg, "ecosystem", path), MAX_ECOSYSTEM_LENGTH, fieldPath(path, "ecosystem")),
    name: readBounded(requireString(pkg, "name", path), MAX_PACKAGE_NAME_LENGTH, fieldPath(path, "name")),
    purl: optionalString(pkg, "purl", path),
  };
}

function rangeItem(item: unknown, path: string): OsvRange {
  const range = requireObject(item, path);
  const type = requireString(range, "type", path);
  if (!RANGE_TYPES.includes(type as OsvRangeType)) {
    throw new JsonFieldError(fieldPath(path, "type"), `must be one of ${RANGE_TYPES.join(", ")}, not ${JSON.stringify(type)}`);
  }
  return { type: type as OsvRangeType, repo: optionalString(range, "repo", path), events: requireArray(range, "events", path, eventItem) };
}

function eventItem(item: unknown, path: string): OsvEvent {
  const event = requireObject(item, path);
  const kinds = OSV_EVENT_KINDS.filter((kind) => event[kind] !== undefined);
  if (kinds.length !== 1) throw new JsonFieldError(path, `must have exactly one of ${OSV_EVENT_KINDS.join(", ")}`);
  const kind = kinds[0];
  const version = requireString(event, kind, path);
  if (version === "") throw new JsonFieldError(fieldPath(path, kind), "must not be empty");
  return { [kind]: version } as OsvEvent;
}

function severityItem(item: unknown, path: string): OsvSeverity {
  const severity = requireObject(item, path);
  return { type: requireString(severity, "type", path), score: requireString(severity, "score", path) };
}

function idItem(item: unknown, path: string): string {
  return readId(stringItem(item, path), path);
}

function readId(id: string, path: string): string {
  if (!ID.test(id)) throw new JsonFieldError(path, "must be a non-empty id without spaces");
  return readBounded(id, MAX_ID_LENGTH, path);
}

function readBounded(value: string, maxLength: number, path: string): string {
  if (value === "") throw new JsonFieldError(path, "must not be empty");
  if (value.length > maxLength) throw new JsonFieldError(path, `is longer than ${maxLength} characters`);
  return value;
}

function readTimestamp(value: string, path: string): string {
  if (!RFC3339.test(value) || Number.isNaN(Date.parse(value))) throw new JsonFieldError(path, `must be an RFC 3339 timestamp, not ${JSON.stringify(value)}`);
  return value;
}

/** At most `maxLength` UTF-16 units, ending in "…" when cut, never splitting a surrogate pair. */
function truncate(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  let end = maxLength - 1;
  if (/[\uD800-\uDBFF]/.test(text[end - 1])) end -= 1;
  return `${text.slice(0, end)}…`;
}

function nullable<T, R>(value: T | null, read: (value: T) => R): R | null {
  return value === null ? null : read(value);
}
