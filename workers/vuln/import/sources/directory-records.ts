/**
 * Every `*.json` file under a directory, depth first, entries sorted by name
 * (code-unit order) so that two runs read the same tree in the same order;
 * one file in memory at a time. Symbolic links are followed only while they
 * stay inside the import root; each directory is walked once (no loops).
 */
import type { Dirent } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { failureReason, SourceReadError } from "./errors";
import { fileRecords } from "./file-records";
import { isInside } from "./paths";
import type { RawRecord } from "./raw-record";

export interface DirectoryReadOptions {
  maxRecordBytes: number;
  signal?: AbortSignal;
}

/** `dir` and `root` with their symlinks resolved (as resolveSource gives them). */
export async function* directoryRecords(dir: string, root: string, options: DirectoryReadOptions): AsyncGenerator<RawRecord> {
  let entries: Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (error) {
    throw new SourceReadError("UNREADABLE_SOURCE", `the directory ${dir} cannot be read (${failureReason(error)})`, { cause: error });
  }
  yield* walk({ shown: dir, real: dir, entries }, { root, visited: new Set([dir]), ...options });
}

interface Walk extends DirectoryReadOptions {
  root: string;
  /** Real paths of the directories walked so far. */
  visited: Set<string>;
}

/** A directory as listed (`shown`, for origins) and where it really is. */
interface Listed {
  shown: string;
  real: string;
  entries: Dirent[];
}

async function* walk(dir: Listed, walking: Walk): AsyncGenerator<RawRecord> {
  for (const entry of dir.entries.sort(byName)) {
    walking.signal?.throwIfAborted();
    const shown = path.join(dir.shown, entry.name);
    const target = await follow(entry, path.join(dir.real, entry.name), walking.root);
    if ("error" in target) {
      if (isJsonName(entry.name)) yield { origin: shown, error: target.error };
    } else if (target.kind === "directory") {
      if (walking.visited.has(target.real)) continue;
      walking.visited.add(target.real);
      let entries: Dirent[];
      try {
        entries = await fs.readdir(target.real, { withFileTypes: true });
      } catch (error) {
        yield { origin: shown, error: `the directory cannot be read (${failureReason(error)})` };
        continue;
      }
      yield* walk({ shown, real: target.real, entries }, walking);
    } else if (target.kind === "file" && isJsonName(entry.name)) {
      yield* fileRecords(target.real, shown, walking.maxRecordBytes);
    }
  }
}

type Target = { kind: "directory" | "file" | "other"; real: string } | { error: string };

/** What an entry is, through a symbolic link when it stays inside the root. */
async function follow(entry: Dirent, entryPath: string, root: string): Promise<Target> {
  if (!entry.isSymbolicLink()) return { kind: kindOf(entry), real: entryPath };
  let real: string;
  try {
    real = await fs.realpath(entryPath);
  } catch (error) {
    return { error: `a symbolic link that cannot be followed (${failureReason(error)})` };
  }
  if (!isInside(real, root)) return { error: "a symbolic link to outside the import root: not read" };
  try {
    return { kind: kindOf(await fs.stat(real)), real };
  } catch (error) {
    return { error: `cannot be read (${failureReason(error)})` };
  }
}

function kindOf(entry: { isDirectory(): boolean; isFile(): boolean }): "directory" | "file" | "other" {
  return entry.isDirectory() ? "directory" : entry.isFile() ? "file" : "other";
}

function isJsonName(name: string): boolean {
  return name.toLowerCase().endsWith(".json");
}

function byName(a: Dirent, b: Dirent): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
