/** Runs every benchmark in bench/: npm run bench */
import { run as runPolicyBench } from "./policy.bench";

const BENCHMARKS: ReadonlyArray<() => unknown> = [runPolicyBench];

for (const benchmark of BENCHMARKS) benchmark();
