import type { VersionScheme } from "../version-scheme";

export type Verdict = "<" | "=" | ">";

export function verdict(order: number): Verdict {
  return order < 0 ? "<" : order > 0 ? ">" : "=";
}

/** "a < b" as the scheme sees it: failures then print the pair, not just a number. */
export function judged(scheme: VersionScheme, a: string, b: string): string {
  return `${a} ${verdict(scheme.compare(a, b))} ${b}`;
}

/** Every version sorts before every later one, asked both ways round. */
export function expectAscending(scheme: VersionScheme, versions: readonly string[]): void {
  for (let i = 0; i < versions.length; i++) {
    for (let j = i + 1; j < versions.length; j++) {
      expect(judged(scheme, versions[i], versions[j])).toBe(`${versions[i]} < ${versions[j]}`);
      expect(judged(scheme, versions[j], versions[i])).toBe(`${versions[j]} > ${versions[i]}`);
    }
  }
}

/** All the versions are equal to each other. */
export function expectEquivalent(scheme: VersionScheme, versions: readonly string[]): void {
  for (const a of versions) for (const b of versions) expect(judged(scheme, a, b)).toBe(`${a} = ${b}`);
}

/**
 * The scheme's answers on `versions` are those of one total order: after
 * sorting, every pair, taken in sorted order, compares as the ranks of its
 * two versions do (so no cycles, and equality is transitive). Symmetry is
 * left to `expectAscending`.
 */
export function expectTotalOrder(scheme: VersionScheme, versions: readonly string[]): void {
  const sorted = [...new Set(versions)].sort(scheme.compare);
  const rank = new Map<string, number>();
  sorted.forEach((version, i) => {
    const previous = i === 0 ? 0 : (rank.get(sorted[i - 1]) ?? 0);
    rank.set(version, i > 0 && scheme.compare(sorted[i - 1], version) < 0 ? previous + 1 : previous);
  });
  const inconsistent: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    for (let j = i + 1; j < sorted.length; j++) {
      const [a, b] = [sorted[i], sorted[j]];
      const expected = verdict((rank.get(a) ?? 0) - (rank.get(b) ?? 0));
      if (verdict(scheme.compare(a, b)) !== expected) inconsistent.push(`${judged(scheme, a, b)} but ranks say ${expected}`);
    }
  }
  expect(inconsistent).toEqual([]);
}

/** Seeded, so that "random" test pairs are the same on every run. */
export { mulberry32 as seededRandom } from "../../../../lib/seeded-random";

export function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)];
}
