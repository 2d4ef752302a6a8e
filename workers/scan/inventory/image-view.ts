import type { FileAnalysis } from "../analyzers/analyzer";
import { ScanError } from "../errors";
import type { LayerResult } from "../layers/layer-result";
import { resolveSymlink, selfAndAncestors } from "../layers/paths";

type Node = { kind: "file"; analyses: FileAnalysis[] } | { kind: "link"; target: string; link: "symlink" | "hardlink" };

/**
 * The image's analyzed files and recorded links as its last layer leaves
 * them: layers applied bottom-up, each one's whiteouts and opaque
 * directories removing lower layers' content before its own entries replace
 * whatever was at their paths. Only paths some analyzer asked for are known.
 */
export class ImageView {
  private readonly nodes = new Map<string, Node>();

  constructor(layers: readonly LayerResult[]) {
    for (const layer of layers) this.apply(layer);
  }

  /** Every visible analyzed file, with what its analyzers declared. */
  *files(): Iterable<{ path: string; analyses: FileAnalysis[] }> {
    for (const [path, node] of this.nodes) if (node.kind === "file") yield { path, analyses: node.analyses };
  }

  /**
   * The analyses of the file at `path`, following links whose own path was
   * recorded; null when nothing analyzed is there. More than `maxHops` links
   * in a row is a loop: SYMLINK_LOOP.
   */
  resolve(path: string, maxHops: number): FileAnalysis[] | null {
    let current = path;
    for (let hops = 0; ; hops++) {
      const node = this.nodes.get(current);
      if (!node) return null;
      if (node.kind === "file") return node.analyses;
      if (hops === maxHops) throw new ScanError("SYMLINK_LOOP", `${path}: more than ${maxHops} symbolic links to follow`);
      current = node.link === "symlink" ? resolveSymlink(current, node.target) : node.target;
    }
  }

  private apply(layer: LayerResult): void {
    this.removeWithin(new Set([...layer.whiteouts, ...layer.opaqueDirs]));
    const added = new Map<string, FileAnalysis[]>();
    for (const { path, result } of layer.files) added.set(path, [...(added.get(path) ?? []), result]);
    for (const [path, analyses] of added) this.nodes.set(path, { kind: "file", analyses });
    for (const { path, target, kind } of layer.links) this.nodes.set(path, { kind: "link", target, link: kind });
  }

  /** Removes these paths and everything below them. An opaque directory goes too: this layer has a directory there. */
  private removeWithin(removed: ReadonlySet<string>): void {
    if (removed.size === 0) return;
    for (const path of this.nodes.keys()) {
      for (const ancestor of selfAndAncestors(path)) {
        if (removed.has(ancestor)) {
          this.nodes.delete(path);
          break;
        }
      }
    }
  }
}
