import path from "node:path";

/** The shared real-data fixtures (OSV records, package databases), read in place and never copied into the repo. */
export const FIXTURES_DIR = path.resolve(__dirname, "../../../shared/fixtures");

export function fixturePath(...parts: string[]): string {
  return path.join(FIXTURES_DIR, ...parts);
}
