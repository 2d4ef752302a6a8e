import path from "node:path";

/** `child` is `parent` or below it; both absolute and normalised (as path.resolve and realpath give them). */
export function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative === "" || (relative !== ".." && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative));
}
