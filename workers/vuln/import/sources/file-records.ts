import { constants } from "node:fs";
import fs, { type FileHandle } from "node:fs/promises";
import { readAtMost, tooLargeMessage } from "./bounded-read";
import { documentRecords } from "./document-records";
import { failureReason } from "./errors";
import type { RawRecord } from "./raw-record";

// Paths given here have their symlinks resolved already: a symlink found at open
// time was swapped in since, and is refused (ELOOP) rather than followed.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0);

/** The records of one JSON file (one, or one per element of a top-level array), at most `limit` bytes of it. */
export async function* fileRecords(file: string, origin: string, limit: number): AsyncGenerator<RawRecord> {
  const read = await readFileAtMost(file, limit);
  if ("error" in read) yield { origin, error: read.error };
  else yield* documentRecords(origin, read.bytes);
}

async function readFileAtMost(file: string, limit: number): Promise<{ bytes: Buffer } | { error: string }> {
  let handle: FileHandle;
  try {
    handle = await fs.open(file, OPEN_FLAGS);
  } catch (error) {
    return { error: cannotRead(error) };
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) return { error: "not a regular file" };
    if (stat.size > limit) return { error: tooLargeMessage(limit, stat.size) };
    const bytes = await readAtMost(handle.createReadStream({ autoClose: false }), limit);
    return bytes ? { bytes } : { error: tooLargeMessage(limit) };
  } catch (error) {
    return { error: cannotRead(error) };
  } finally {
    await handle.close();
  }
}

function cannotRead(error: unknown): string {
  return `cannot be read (${failureReason(error)})`;
}
