import type { Analyzer, FileInfo, FoundPackage } from "../analyzer";
import { parseControlStanzas } from "./control-stanzas";

const STATUS_FILE = "var/lib/dpkg/status";
/** Distroless images keep one status stanza per package here, next to its `.md5sums`. */
const STATUS_DIR = "var/lib/dpkg/status.d/";

export const dpkgAnalyzer: Analyzer = {
  name: "dpkg",
  version: 1,
  required: (file) => file.path === STATUS_FILE || isStatusDirEntry(file),
  async analyze(file) {
    return { packages: parseDpkgStatus((await file.read()).toString("utf8")) };
  },
};

function isStatusDirEntry(file: FileInfo): boolean {
  if (!file.path.startsWith(STATUS_DIR)) return false;
  const name = file.path.slice(STATUS_DIR.length);
  return name !== "" && !name.includes("/") && !name.endsWith(".md5sums");
}

/** The installed packages of a dpkg status file (or a status.d entry). */
export function parseDpkgStatus(text: string): FoundPackage[] {
  const packages: FoundPackage[] = [];
  for (const stanza of parseControlStanzas(text)) {
    const name = stanza.get("package");
    const version = stanza.get("version");
    if (!name || !version || !isInstalled(stanza.get("status"))) continue;
    const source = parseSource(stanza.get("source"));
    packages.push({
      type: "deb",
      name,
      version,
      sourceName: source?.name,
      sourceVersion: source?.version,
      arch: stanza.get("architecture") || undefined,
      origin: "installed",
    });
  }
  return packages;
}

/** `Status: <want> <flag> <status>`; status.d entries have no Status and are all installed. */
function isInstalled(status: string | undefined): boolean {
  return status === undefined || status.split(/\s+/)[2] === "installed";
}

/** `Source: name` or `Source: name (version)`; dpkg writes the version only when it differs from the package's. */
function parseSource(source: string | undefined): { name: string; version?: string } | null {
  const match = source ? /^(\S+)(?:\s+\(([^)]+)\))?/.exec(source) : null;
  return match ? { name: match[1], version: match[2]?.trim() } : null;
}
