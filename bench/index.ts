/** Runs every benchmark in bench/, one after the other, and ends with one table of their figures: npm run bench */
import { run as runApiBench } from "./api.bench";
import { run as runDiscoveryBench } from "./discovery.bench";
import { run as runMatchBench } from "./match.bench";
import { run as runPolicyBench } from "./policy.bench";
import { run as runScanBench } from "./scan.bench";
import { type BenchOutcome, type BenchRow, summaryTable } from "./summary";

const BENCHMARKS: ReadonlyArray<[string, () => BenchOutcome | Promise<BenchOutcome>]> = [
  ["policy", runPolicyBench],
  ["discovery", runDiscoveryBench],
  ["scan", runScanBench],
  ["match", runMatchBench],
  ["api", runApiBench],
];

(async () => {
  const rows: BenchRow[] = [];
  for (const [bench, run] of BENCHMARKS) {
    try {
      rows.push({ bench, outcome: await run() });
    } catch (error) {
      console.error(error);
      rows.push({ bench, outcome: error instanceof Error ? error : new Error(String(error)) });
      process.exitCode = 1;
    }
    console.log("");
  }
  console.log(summaryTable(rows));
})().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
