import type { Analyzer } from "../analyzer";
import { apkAnalyzer } from "./apk";
import { dpkgAnalyzer } from "./dpkg";
import { osReleaseAnalyzer } from "./os-release";
import { rpmAnalyzer } from "./rpm";

export const OS_ANALYZERS: readonly Analyzer[] = [osReleaseAnalyzer, apkAnalyzer, dpkgAnalyzer, rpmAnalyzer];
