import { execFileSync } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * Builds a binary package from each spec and records them all, without
 * installing any file, in a fresh sqlite rpm database. Returns the path
 * of its rpmdb.sqlite.
 */
export function buildRpmdb(workDir: string, specs: Record<string, string>): string {
  const topDir = path.join(workDir, "rpmbuild");
  const dbPath = path.join(workDir, "db");
  const specFiles = Object.entries(specs).map(([name, text]) => {
    const file = path.join(workDir, `${name}.spec`);
    writeFileSync(file, text);
    return file;
  });
  run("rpmbuild", ["--define", `_topdir ${topDir}`, "-bb", ...specFiles]);
  const rpmDir = path.join(topDir, "RPMS", "noarch");
  const rpms = readdirSync(rpmDir).map((file) => path.join(rpmDir, file));
  const database = ["--dbpath", dbPath, "--define", "_db_backend sqlite"];
  run("rpm", [...database, "--initdb"]);
  run("rpm", [...database, "--install", "--justdb", "--nodeps", "--noscripts", ...rpms]);
  return path.join(dbPath, "rpmdb.sqlite");
}

function run(command: string, args: string[]): void {
  execFileSync(command, args, { stdio: "pipe" });
}
