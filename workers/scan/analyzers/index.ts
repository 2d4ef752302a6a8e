import type { Analyzer } from "./analyzer";
import { LANG_ANALYZERS } from "./lang";
import { OS_ANALYZERS } from "./os";

/** Every analyzer a scan runs: the one explicit list. */
export const ANALYZERS: readonly Analyzer[] = [...OS_ANALYZERS, ...LANG_ANALYZERS];

const names = new Set<string>();
for (const analyzer of ANALYZERS) {
  if (names.has(analyzer.name)) throw new Error(`two analyzers named ${analyzer.name}`);
  names.add(analyzer.name);
}

/** Names and versions of `analyzers`, in a stable order: part of the layer-cache and artifact keys. */
export function analyzersKey(analyzers: readonly Analyzer[]): string {
  return analyzers
    .map((analyzer) => `${analyzer.name}@${analyzer.version}`)
    .sort()
    .join(",");
}
