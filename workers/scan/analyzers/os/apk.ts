import type { Analyzer, FoundPackage } from "../analyzer";

/** The fields of an apk database entry that a package is reported with. */
interface ApkEntry {
  name?: string;
  version?: string;
  origin?: string;
  arch?: string;
}

export const apkAnalyzer: Analyzer = {
  name: "apk",
  version: 1,
  required: (file) => file.path === "lib/apk/db/installed",
  async analyze(file) {
    return { packages: parseApkInstalled((await file.read()).toString("utf8")) };
  },
};

/** apk's installed database: `K:value` lines, one entry per blank-line-separated block. */
export function parseApkInstalled(text: string): FoundPackage[] {
  const packages: FoundPackage[] = [];
  let entry: ApkEntry = {};
  const endEntry = (): void => {
    if (entry.name && entry.version) {
      packages.push({
        type: "apk",
        name: entry.name,
        version: entry.version,
        sourceName: entry.origin || undefined,
        arch: entry.arch || undefined,
        origin: "installed",
      });
    }
    entry = {};
  };
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === "") endEntry();
    else if (line[1] === ":") readField(entry, line[0], line.slice(2));
  }
  endEntry();
  return packages;
}

function readField(entry: ApkEntry, key: string, value: string): void {
  switch (key) {
    case "P":
      entry.name = value;
      break;
    case "V":
      entry.version = value;
      break;
    case "o":
      entry.origin = value;
      break;
    case "A":
      entry.arch = value;
      break;
  }
}
