/** Runs every benchmark in bench/, one after the other: npm run bench */
import { run as runDiscoveryBench } from "./discovery.bench";
import { run as runMatchBench } from "./match.bench";
import { run as runPolicyBench } from "./policy.bench";
import { run as runScanBench } from "./scan.bench";

const BENCHMARKS: ReadonlyArray<() => unknown> = [runPolicyBench, runDiscoveryBench, runScanBench, runMatchBench];

(async () => {
  for (const benchmark of BENCHMARKS) await benchmark();
})().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
