import { parentOf } from "./paths";

/**
 * OCI whiteouts (image-spec layer.md): an entry `dir/.wh.name` deletes
 * `dir/name` from lower layers, `dir/.wh..wh..opq` hides everything lower
 * layers put in `dir`. The marker entries themselves are not files.
 */
export type Whiteout = { kind: "whiteout"; path: string } | { kind: "opaque"; dir: string };

const PREFIX = ".wh.";
const OPAQUE = ".wh..wh..opq";
/** `.wh.`, `.wh..` and `.wh...` name nothing that could be removed: a whiteout of the root or a parent is ignored. */
const NOT_A_NAME: ReadonlySet<string> = new Set(["", ".", ".."]);

/** The whiteout a normalised entry path stands for, or null for an ordinary entry. */
export function whiteoutOf(path: string): Whiteout | null {
  const dir = parentOf(path);
  const name = dir === "" ? path : path.slice(dir.length + 1);
  if (name === OPAQUE) return { kind: "opaque", dir };
  const removed = name.startsWith(PREFIX) ? name.slice(PREFIX.length) : "";
  if (NOT_A_NAME.has(removed)) return null;
  return { kind: "whiteout", path: dir === "" ? removed : `${dir}/${removed}` };
}
