import { existsSync } from "node:fs";
import path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");

/**
 * The shared real-data fixtures (OSV records, package databases), read in
 * place and never copied into the repo: `shared/fixtures` beside the
 * checkout (`../shared/fixtures`), or beside a folder above it, or where
 * DRYDOCK_FIXTURES_DIR points.
 */
function findFixtures(): string {
  const named = process.env.DRYDOCK_FIXTURES_DIR;
  if (named) return path.resolve(named);
  for (let dir = path.dirname(ROOT); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "shared", "fixtures");
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) break;
  }
  throw new Error(`no shared/fixtures beside ${ROOT} or above it: set DRYDOCK_FIXTURES_DIR to the fixtures folder`);
}

export const FIXTURES_DIR = findFixtures();

export function fixturePath(...parts: string[]): string {
  return path.join(FIXTURES_DIR, ...parts);
}
