import type { RawRecord } from "./raw-record";

const utf8 = new TextDecoder("utf-8", { fatal: true }); // strips a leading BOM
const STARTS_WITH_ARRAY = /^[ \t\n\r]*\[/;

/**
 * The records of one JSON document: the document itself, or, when its top
 * level is an array (some OSV dumps), each element re-serialised. Only arrays
 * are parsed here; a single record is passed on as text for the record parser.
 */
export function* documentRecords(origin: string, bytes: Uint8Array): Generator<RawRecord> {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    yield { origin, error: "not UTF-8 text" };
    return;
  }
  if (!STARTS_WITH_ARRAY.test(text)) {
    yield { origin, text };
    return;
  }
  let elements: unknown[];
  try {
    elements = JSON.parse(text) as unknown[];
  } catch (error) {
    yield { origin, error: `not valid JSON: ${(error as Error).message}` };
    return;
  }
  for (const [index, element] of elements.entries()) yield { origin: `${origin}[${index}]`, text: JSON.stringify(element) };
}
