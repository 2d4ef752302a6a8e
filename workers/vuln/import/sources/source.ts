/**
 * What an operator typed as an import source, checked and classified without
 * reading it (and without the network), so the API can refuse it before
 * queuing. The worker resolves the typed string again when the import runs:
 * the file system may have changed in between.
 */
import fs from "node:fs";
import path from "node:path";
import { ImportSourceError, failureReason } from "./errors";
import { isInside } from "./paths";

export interface UrlSource {
  kind: "url";
  url: URL;
}

export interface LocalSource {
  kind: "directory" | "json" | "zip";
  /** Absolute, symlinks resolved. */
  path: string;
  /** The import root (symlinks resolved) that holds `path`: a directory walk does not leave it. */
  root: string;
}

export type ResolvedSource = UrlSource | LocalSource;

const URL_SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/** Throws ImportSourceError (BAD_SOURCE) with the reason when the source is refused. */
export function resolveSource(source: string, roots: readonly string[]): ResolvedSource {
  const typed = source.trim();
  if (typed === "") throw new ImportSourceError("the source is empty: give a path under DRYDOCK_IMPORT_ROOTS or an http(s) URL");
  if (typed.includes("\0")) throw new ImportSourceError("the source contains a NUL character");
  return URL_SCHEME.test(typed) ? resolveUrl(typed) : resolvePath(typed, roots);
}

function resolveUrl(typed: string): UrlSource {
  let url: URL;
  try {
    url = new URL(typed);
  } catch {
    // not echoed: it may hold a password
    throw new ImportSourceError("the source starts like a URL but is not a valid one");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ImportSourceError(`${url.protocol} URLs are refused: only http(s) URLs, or a path under DRYDOCK_IMPORT_ROOTS`);
  }
  if (url.username || url.password) {
    throw new ImportSourceError("a URL with credentials (user:password@host) is refused: they would be stored and shown with the import");
  }
  return { kind: "url", url };
}

function resolvePath(typed: string, roots: readonly string[]): LocalSource {
  // The API checks a source and a worker reads it, in processes whose working directories differ.
  if (!path.isAbsolute(typed)) throw new ImportSourceError(`${typed} is a relative path: give an absolute path under DRYDOCK_IMPORT_ROOTS`);
  const absolute = path.resolve(typed);
  const realRoots = existingRealRoots(roots);
  const notUnderRoots = () =>
    new ImportSourceError(`${typed} is not under DRYDOCK_IMPORT_ROOTS (${roots.length ? roots.join(", ") : "none configured"})`);

  let real: string;
  try {
    real = fs.realpathSync(absolute);
  } catch (error) {
    // Outside the roots, "no such file" would tell whether a path exists: say only that it is refused.
    const lexicalRoots = [...roots.map((root) => path.resolve(root)), ...realRoots];
    if (!lexicalRoots.some((root) => isInside(absolute, root))) throw notUnderRoots();
    const reason = failureReason(error);
    if (reason === "ENOENT" || reason === "ENOTDIR") throw new ImportSourceError(`no such file: ${typed}`);
    throw new ImportSourceError(`${typed} cannot be read (${reason})`);
  }

  const root = realRoots.find((candidate) => isInside(real, candidate));
  if (root === undefined) throw notUnderRoots();

  let stat: fs.Stats;
  try {
    stat = fs.statSync(real);
  } catch (error) {
    throw new ImportSourceError(`${typed} cannot be read (${failureReason(error)})`);
  }
  const kind = stat.isDirectory() ? "directory" : stat.isFile() ? fileKind(real) : undefined;
  if (kind === undefined) throw new ImportSourceError(`${typed} is not a directory, .json or .zip file`);
  return { kind, path: real, root };
}

/** The roots that exist, symlinks resolved; the others are skipped. */
function existingRealRoots(roots: readonly string[]): string[] {
  return roots.flatMap((root) => {
    try {
      return [fs.realpathSync(path.resolve(root))];
    } catch {
      return [];
    }
  });
}

function fileKind(file: string): "json" | "zip" | undefined {
  const extension = path.extname(file).toLowerCase();
  return extension === ".json" ? "json" : extension === ".zip" ? "zip" : undefined;
}
