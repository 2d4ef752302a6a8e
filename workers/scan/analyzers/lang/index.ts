import type { Analyzer } from "../analyzer";
import { goBinaryAnalyzer } from "./go-binary";
import { javaAnalyzer } from "./java";
import { npmAnalyzer } from "./npm";
import { pythonAnalyzer } from "./python";

export const LANG_ANALYZERS: readonly Analyzer[] = [npmAnalyzer, pythonAnalyzer, goBinaryAnalyzer, javaAnalyzer];
