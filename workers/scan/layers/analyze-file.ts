import type { Analyzer, FileAnalysis, FileInfo } from "../analyzers/analyzer";
import { ContentTee } from "./content-tee";
import { AnalyzerInput } from "./file-content";

export interface AnalyzerFailure {
  path: string;
  analyzer: string;
  error: unknown;
}

export interface AnalyzedFile {
  analyzer: string;
  result: FileAnalysis;
}

/**
 * Runs `analyzers` concurrently on one file, sharing its content, and reads
 * the entry to its end. An analyzer that throws is reported through
 * `onFailure` and counts as having found nothing; a FILE_TOO_LARGE refusal
 * and errors of the entry stream itself fail the file.
 */
export async function analyzeFile(
  entry: AsyncIterable<Buffer>,
  info: FileInfo,
  analyzers: readonly Analyzer[],
  maxBufferedFileBytes: number,
  onFailure: (failure: AnalyzerFailure) => void,
): Promise<AnalyzedFile[]> {
  const tee = new ContentTee(entry);
  const runs = analyzers.map((analyzer) => run(analyzer, new AnalyzerInput(info, tee.reader(), maxBufferedFileBytes)));
  const [outcomes] = await Promise.all([Promise.all(runs), tee.pump()]);
  for (const { input } of outcomes) if (input.refusal) throw input.refusal;
  return outcomes.map(({ analyzer, input, outcome }) => {
    if ("error" in outcome) onFailure({ path: input.path, analyzer: analyzer.name, error: outcome.error });
    // A file that declared nothing, or failed, is recorded all the same: it still replaces a lower layer's file at its path.
    const result = "result" in outcome ? outcome.result : null;
    return { analyzer: analyzer.name, result: result ?? { packages: [] } };
  });
}

interface Run {
  analyzer: Analyzer;
  input: AnalyzerInput;
  outcome: { result: FileAnalysis | null } | { error: unknown };
}

async function run(analyzer: Analyzer, input: AnalyzerInput): Promise<Run> {
  try {
    return { analyzer, input, outcome: { result: await analyzer.analyze(input) } };
  } catch (error) {
    return { analyzer, input, outcome: { error } };
  } finally {
    input.close();
  }
}
