/**
 * Policy engine on 100,000 tags in 5,000 repositories (10 criteria, 10 never- and 10
 * always-patterns, LATEST 5), against a floor measured in the same run: grouping the
 * tags per repository and sorting each group, the work LATEST cannot avoid.
 * Run: npx ts-node bench/policy.bench.ts
 */
import { effectiveDate } from "../workers/policy/conditions";
import { evaluatePolicy, PolicyRules, TagRecord } from "../workers/policy/engine";
import { mulberry32 } from "../lib/seeded-random";

const REPOSITORIES = 5_000;
const TAGS_PER_REPOSITORY = 20;
const RUNS = 5;
const TARGET_MS = 150;
const NOW = new Date("2026-06-01T12:00:00Z");

const RULES: PolicyRules = {
  criteriaEnabled: true,
  criteria: [
    "team-0*/*",
    "team-1*/service-1*",
    "team-2*/*:1.*",
    ":latest",
    "team-3*/service-*:sha-*",
    "*/service-00*",
    "team-4*/*-5*",
    "team-25/*",
    "*:2.*",
    "*/service-*7:*",
  ],
  condition: "LATEST",
  createdWithin: { amount: 60, unit: "DAYS" },
  latestTags: 5,
  neverPull: [
    ":*-rc*",
    ":nightly-*",
    "team-0*/service-09*",
    "*/service-1*:sha-0*",
    "team-13/*",
    ":*-debug",
    "*/legacy-*",
    "team-4*/service-4*:1.0.*",
    ":tmp-*",
    "team-22/*:latest",
  ],
  alwaysPull: [
    "team-0*/service-00*:latest",
    ":release-*",
    "team-49/*",
    "*/service-099",
    ":lts",
    "team-3*/service-3*:1.0.0",
    "*/*-critical*",
    ":prod-*",
    "team-10/service-010:*",
    "team-4*/*:2.*-rc*",
  ],
  timezone: "Europe/Berlin",
};

export interface PolicyBenchResult {
  tags: number;
  selected: number;
  engineMedianMs: number;
  floorMedianMs: number;
  peakRssMb: number;
}

export function run(): PolicyBenchResult {
  const rssBeforeMb = process.resourceUsage().maxRSS / 1024;
  const tags = generateTags(mulberry32(0x5eed));
  const selected = evaluatePolicy(tags, RULES, NOW).filter((d) => d.selected).length; // also the warm-up
  groupAndSort(tags);
  // Interleaved, so that a slower spell of a shared machine hits both alike.
  const engineTimes: number[] = [];
  const floorTimes: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    engineTimes.push(timeMs(() => evaluatePolicy(tags, RULES, NOW)));
    floorTimes.push(timeMs(() => groupAndSort(tags)));
  }
  const engineMedianMs = median(engineTimes);
  const floorMedianMs = median(floorTimes);
  const peakRssMb = process.resourceUsage().maxRSS / 1024;

  console.log(`policy engine: ${tags.length} tags in ${REPOSITORIES} repositories, ${selected} selected`);
  console.log(`  engine median of ${RUNS}: ${engineMedianMs.toFixed(1)} ms (target < ${TARGET_MS} ms)`);
  console.log(`  floor (group per repository + sort) median: ${floorMedianMs.toFixed(1)} ms`);
  console.log(`  engine / floor: ${(engineMedianMs / floorMedianMs).toFixed(2)}`);
  console.log(`  peak RSS: ${peakRssMb.toFixed(0)} MB (${rssBeforeMb.toFixed(0)} MB before generating the tags)`);
  return { tags: tags.length, selected, engineMedianMs, floorMedianMs, peakRssMb };
}

function timeMs(work: () => unknown): number {
  const start = performance.now();
  work();
  return performance.now() - start;
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

/** The floor: what LATEST needs at least, with the same date rule and order. */
function groupAndSort(tags: readonly TagRecord[]): number {
  const groups = new Map<string, { time: number; tag: string }[]>();
  for (const tag of tags) {
    const time = effectiveDate(tag)?.time ?? -Infinity;
    const group = groups.get(tag.repository);
    if (group === undefined) groups.set(tag.repository, [{ time, tag: tag.tag }]);
    else group.push({ time, tag: tag.tag });
  }
  for (const group of groups.values()) {
    group.sort((a, b) => b.time - a.time || (a.tag < b.tag ? 1 : a.tag > b.tag ? -1 : 0));
  }
  return groups.size;
}

type Random = () => number;

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)];
const integer = (random: Random, below: number): number => Math.floor(random() * below);
const pad = (value: number, width: number): string => String(value).padStart(width, "0");

/** In listing order: repository by repository, as adapters list them. */
function generateTags(random: Random): TagRecord[] {
  const tags: TagRecord[] = [];
  for (let r = 0; r < REPOSITORIES; r++) {
    const repository = `team-${pad(r % 50, 2)}/service-${pad(Math.floor(r / 50), 3)}`;
    for (let i = 0; i < TAGS_PER_REPOSITORY; i++) {
      tags.push({ repository, ...generateDates(random), digest: `sha256:${hex(random, 64)}`, tag: tagName(random, i) });
    }
  }
  return tags;
}

/** The index keeps tags unique within their repository. */
function tagName(random: Random, index: number): string {
  const version = `${integer(random, 4)}.${integer(random, 10)}.${index}`;
  switch (integer(random, 8)) {
    case 0:
      return index === 0 ? "latest" : `${version}-rc${integer(random, 3)}`;
    case 1:
      return `sha-${hex(random, 6)}${pad(index, 2)}`;
    case 2:
      return `nightly-2026${pad(1 + integer(random, 12), 2)}${pad(index, 2)}`;
    case 3:
      return pick(random, ["release-", "prod-", "tmp-", "lts-"]) + version;
    default:
      return version;
  }
}

const PRE_1980 = new Date("1970-01-01T00:00:01Z");
const THREE_YEARS_MS = 3 * 365 * 24 * 3600 * 1000;

/** 5% dateless, 5% reproducible builds (created 1970), 10% push date only. */
function generateDates(random: Random): Pick<TagRecord, "createdAt" | "pushedAt"> {
  const date = () => new Date(NOW.getTime() - integer(random, THREE_YEARS_MS));
  const kind = random();
  if (kind < 0.05) return { createdAt: null, pushedAt: null };
  if (kind < 0.1) return { createdAt: PRE_1980, pushedAt: date() };
  if (kind < 0.2) return { createdAt: null, pushedAt: date() };
  return { createdAt: date(), pushedAt: date() };
}

function hex(random: Random, length: number): string {
  return Array.from({ length }, () => integer(random, 16).toString(16)).join("");
}

if (require.main === module) run();
