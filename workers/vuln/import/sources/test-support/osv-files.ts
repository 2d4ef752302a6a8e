/**
 * Test-only: temp directories (removed by removeTempDirs), the shared OSV
 * fixtures copied into them, zips made with Info-ZIP's `zip`, and reading a
 * source to the end.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fixturePath } from "../../../../../test/helpers/fixtures";
import type { RawRecord } from "../raw-record";

export const OSV_FIXTURES = fixturePath("osv");

const made: string[] = [];

export function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "drydock-sources-test-"));
  made.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** The fixture files, relative to OSV_FIXTURES ("npm/GHSA-….json"), sorted by code unit per directory level. */
export function fixtureFiles(): string[] {
  const files: string[] = [];
  for (const ecosystem of fs.readdirSync(OSV_FIXTURES).sort()) {
    for (const name of fs.readdirSync(path.join(OSV_FIXTURES, ecosystem)).sort()) files.push(`${ecosystem}/${name}`);
  }
  return files;
}

export function fixtureText(relative: string): string {
  return fs.readFileSync(path.join(OSV_FIXTURES, relative), "utf8");
}

/** `into/<name>` holding the four ecosystem folders. */
export function copyFixtures(into: string, name = "osv"): string {
  const target = path.join(into, name);
  fs.cpSync(OSV_FIXTURES, target, { recursive: true });
  return target;
}

/** `zip -r <zipFile> <entries…>` run in `cwd` (extra arguments before the zip file, e.g. ["-P", "pw"]). */
export function zipCli(cwd: string, zipFile: string, entries: string[], extra: string[] = []): string {
  execFileSync("/usr/bin/zip", ["-q", "-r", ...extra, zipFile, ...entries], { cwd });
  return path.join(cwd, zipFile);
}

export async function collect(records: AsyncIterable<RawRecord>): Promise<RawRecord[]> {
  const out: RawRecord[] = [];
  for await (const record of records) out.push(record);
  return out;
}

export function texts(records: RawRecord[]): Array<{ origin: string; text: string }> {
  return records.flatMap((record) => ("text" in record ? [record] : []));
}

export function errors(records: RawRecord[]): Array<{ origin: string; error: string }> {
  return records.flatMap((record) => ("error" in record ? [record] : []));
}
