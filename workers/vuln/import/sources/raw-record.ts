/**
 * One OSV record as read from a source, not yet parsed; or why an entry that
 * should have held one could not be read (the reading goes on after it).
 * `origin` names the entry for messages: a file path, a zip entry name, a URL,
 * with `[index]` for an element of a JSON array.
 */
export type RawRecord = { origin: string; text: string } | { origin: string; error: string };
