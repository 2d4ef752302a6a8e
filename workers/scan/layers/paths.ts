/**
 * Paths inside an image: relative to its root, without empty, `.` or `..`
 * segments and without a leading or trailing `/`; `""` is the root itself.
 */

export interface NormalisedPath {
  path: string;
  /** The raw path was absolute or climbed above the root with `..`, and was brought back inside. */
  confined: boolean;
}

/** Resolves `.` and `..` lexically; nothing can leave the root. */
export function normalisePath(raw: string): NormalisedPath {
  const segments: string[] = [];
  let confined = raw.startsWith("/");
  for (const segment of raw.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment !== "..") segments.push(segment);
    else if (segments.pop() === undefined) confined = true;
  }
  return { path: segments.join("/"), confined };
}

/** The directory holding `path` (`""` for a top-level entry). */
export function parentOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "" : path.slice(0, slash);
}

/** `path` and every directory above it, up to the root `""`. */
export function* selfAndAncestors(path: string): Generator<string> {
  for (let current = path; ; current = parentOf(current)) {
    yield current;
    if (current === "") return;
  }
}

/** Where a symbolic link at `linkPath` points: relative targets start from the link's directory, absolute ones from the root. */
export function resolveSymlink(linkPath: string, target: string): string {
  return normalisePath(target.startsWith("/") ? target : `${parentOf(linkPath)}/${target}`).path;
}
