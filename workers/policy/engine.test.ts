import {
  compilePolicy,
  evaluatePolicy,
  InvalidPolicyError,
  PolicyRules,
  TagRecord,
  validatePolicyRules,
} from "./engine";
import { compilePatternList } from "./patterns";

const BASE_RULES: PolicyRules = {
  criteriaEnabled: false,
  criteria: [],
  condition: "NONE",
  createdWithin: { amount: 60, unit: "DAYS" },
  latestTags: null,
  neverPull: [],
  alwaysPull: [],
  timezone: "UTC",
};
const NOW = "2026-03-31T12:00:00.000Z";

/** `t("repo:tag", { created, pushed })`; dates as ISO strings, absent = null. */
function t(reference: string, dates: { created?: string; pushed?: string; digest?: string } = {}): TagRecord {
  const separator = reference.lastIndexOf(":");
  return {
    repository: reference.slice(0, separator),
    tag: reference.slice(separator + 1),
    digest: dates.digest ?? null,
    createdAt: dates.created === undefined ? null : new Date(dates.created),
    pushedAt: dates.pushed === undefined ? null : new Date(dates.pushed),
  };
}

interface Case {
  name: string;
  rules?: Partial<PolicyRules>;
  now?: string;
  tags: TagRecord[];
  /** Exactly the references selected. */
  selected: string[];
  /** Reference → a part its reason must contain. */
  reasons?: Record<string, string>;
}

const latest = (n: number, extra: Partial<PolicyRules> = {}): Partial<PolicyRules> => ({
  condition: "LATEST",
  latestTags: n,
  ...extra,
});
const within = (amount: number, unit: "DAYS" | "MONTHS" | "YEARS", extra: Partial<PolicyRules> = {}) => ({
  condition: "CREATED_WITHIN" as const,
  createdWithin: { amount, unit },
  ...extra,
});

const CASES: Case[] = [
  // Step 2: criteria
  {
    name: "criteria off: every tag is a candidate",
    tags: [t("a/b:1"), t("c:latest")],
    selected: ["a/b:1", "c:latest"],
    reasons: { "a/b:1": "criteria off and condition NONE: every tag qualifies" },
  },
  {
    name: "criteria off ignores a stored criteria list",
    rules: { criteria: ["nothing-matches"] },
    tags: [t("a:1")],
    selected: ["a:1"],
  },
  {
    name: "criteria on with an empty list selects nothing",
    rules: { criteriaEnabled: true },
    tags: [t("a:1"), t("b:2")],
    selected: [],
    reasons: { "a:1": "matches no criterion (the criteria list is empty)" },
  },
  {
    name: "criterion `*` crosses `/`",
    rules: { criteriaEnabled: true, criteria: ["team/*"] },
    tags: [t("team/a/b:1"), t("team/x:1"), t("other/team/x:1")],
    selected: ["team/a/b:1", "team/x:1"],
    reasons: { "team/a/b:1": 'criterion "team/*" matched', "other/team/x:1": "matches no criterion" },
  },
  {
    name: "criterion `*` matches nothing",
    rules: { criteriaEnabled: true, criteria: ["app*"] },
    tags: [t("app:1"), t("application:1"), t("ap:1")],
    selected: ["app:1", "application:1"],
  },
  {
    name: "criterion `:tag` alone matches every repository",
    rules: { criteriaEnabled: true, criteria: [":latest"] },
    tags: [t("a:latest"), t("b/c:latest"), t("a:stable")],
    selected: ["a:latest", "b/c:latest"],
    reasons: { "b/c:latest": 'criterion ":latest" matched' },
  },
  {
    name: "exact tag `:4` matches neither 4.1 nor 14",
    rules: { criteriaEnabled: true, criteria: [":4"] },
    tags: [t("r:4"), t("r:4.1"), t("r:14")],
    selected: ["r:4"],
  },
  {
    name: "`library/*:1.*` needs both name and tag",
    rules: { criteriaEnabled: true, criteria: ["library/*:1.*"] },
    tags: [t("library/nginx:1.25"), t("library/nginx:2.0"), t("other/nginx:1.25"), t("library/nginx:1x2")],
    selected: ["library/nginx:1.25"],
  },
  {
    name: "tags are case-sensitive",
    rules: { criteriaEnabled: true, criteria: [":Latest"] },
    tags: [t("r:latest"), t("r:Latest")],
    selected: ["r:Latest"],
  },
  {
    name: "the reason names the first criterion that matched",
    rules: { criteriaEnabled: true, criteria: ["a/*", ":1"] },
    tags: [t("a/x:1"), t("b:1")],
    selected: ["a/x:1", "b:1"],
    reasons: { "a/x:1": 'criterion "a/*" matched', "b:1": 'criterion ":1" matched' },
  },
  {
    name: "no tags, no decisions",
    rules: { criteriaEnabled: true, criteria: ["*"], alwaysPull: ["*"] },
    tags: [],
    selected: [],
  },

  // Steps 4 and 5: never and always
  {
    name: "never-pull removes a selected tag",
    rules: { neverPull: [":*-rc*"] },
    tags: [t("r:1.0"), t("r:1.1-rc1")],
    selected: ["r:1.0"],
    reasons: { "r:1.1-rc1": 'never-pull pattern ":*-rc*" matched' },
  },
  {
    name: "never-pull on a tag already out keeps the earlier reason",
    rules: { criteriaEnabled: true, criteria: ["a/*"], neverPull: ["b/*"] },
    tags: [t("a/x:1"), t("b/x:1")],
    selected: ["a/x:1"],
    reasons: { "b/x:1": "matches no criterion" },
  },
  {
    name: "always-pull adds a tag no criterion matches",
    rules: { criteriaEnabled: true, criteria: ["a/*"], alwaysPull: ["b/*:latest"] },
    tags: [t("a/x:1"), t("b/x:latest"), t("b/x:1")],
    selected: ["a/x:1", "b/x:latest"],
    reasons: { "b/x:latest": 'always-pull pattern "b/*:latest" matched', "b/x:1": "matches no criterion" },
  },
  {
    name: "always-pull beats never-pull",
    rules: { neverPull: ["*"], alwaysPull: [":latest"] },
    tags: [t("a:latest"), t("a:1")],
    selected: ["a:latest"],
    reasons: {
      "a:latest": 'always-pull pattern ":latest" matched (overrides never-pull pattern "*")',
      "a:1": 'never-pull pattern "*" matched',
    },
  },
  {
    name: "always-pull with empty criteria list still selects",
    rules: { criteriaEnabled: true, alwaysPull: ["keep"] },
    tags: [t("keep:1"), t("drop:1")],
    selected: ["keep:1"],
  },
  {
    name: "always-pull adds a tag outside CREATED_WITHIN",
    rules: within(60, "DAYS", { alwaysPull: [":lts"] }),
    tags: [t("r:lts", { created: "2020-01-01T00:00:00Z" }), t("r:old", { created: "2020-01-01T00:00:00Z" })],
    selected: ["r:lts"],
    reasons: { "r:lts": 'always-pull pattern ":lts" matched' },
  },
  {
    name: "always-pull adds a dateless tag under CREATED_WITHIN",
    rules: within(60, "DAYS", { alwaysPull: [":edge"] }),
    tags: [t("r:edge"), t("r:other")],
    selected: ["r:edge"],
  },
  {
    name: "always-pull adds a tag beyond the LATEST n",
    rules: latest(1, { alwaysPull: [":1.0"] }),
    tags: [t("r:2.0", { created: "2026-03-01T00:00:00Z" }), t("r:1.0", { created: "2020-01-01T00:00:00Z" })],
    selected: ["r:2.0", "r:1.0"],
  },
  {
    name: "never-pull and always-pull lists that match nothing change nothing",
    rules: { neverPull: ["x/*"], alwaysPull: ["y/*"] },
    tags: [t("a:1"), t("b:2")],
    selected: ["a:1", "b:2"],
  },

  // Step 3: LATEST
  {
    name: "LATEST n per repository",
    rules: latest(2),
    tags: [
      t("a:1", { created: "2026-01-01T00:00:00Z" }),
      t("a:2", { created: "2026-02-01T00:00:00Z" }),
      t("a:3", { created: "2026-03-01T00:00:00Z" }),
      t("b:1", { created: "2025-01-01T00:00:00Z" }),
      t("b:2", { created: "2025-02-01T00:00:00Z" }),
      t("b:3", { created: "2024-01-01T00:00:00Z" }),
    ],
    selected: ["a:2", "a:3", "b:1", "b:2"],
    reasons: { "a:3": "one of the 2 latest of a", "a:1": "not among the 2 latest of a", "b:3": "not among the 2 latest of b" },
  },
  {
    name: "LATEST: equal dates are ordered by tag name descending",
    rules: latest(2),
    tags: [
      t("r:1.0", { created: "2026-01-01T00:00:00Z" }),
      t("r:1.2", { created: "2026-01-01T00:00:00Z" }),
      t("r:1.1", { created: "2026-01-01T00:00:00Z" }),
    ],
    selected: ["r:1.2", "r:1.1"],
  },
  {
    name: "LATEST: tag names compare by character code (latest > 1.9 > 1.10)",
    rules: latest(2),
    tags: [
      t("r:1.10", { created: "2026-01-01T00:00:00Z" }),
      t("r:1.9", { created: "2026-01-01T00:00:00Z" }),
      t("r:latest", { created: "2026-01-01T00:00:00Z" }),
    ],
    selected: ["r:1.9", "r:latest"],
  },
  {
    name: "LATEST: dateless tags come after every dated one",
    rules: latest(2),
    tags: [t("r:z"), t("r:old", { created: "1999-01-01T00:00:00Z" }), t("r:y")],
    selected: ["r:z", "r:old"],
    reasons: { "r:y": "not among the 2 latest of r (no creation or push date: ranked last)" },
  },
  {
    name: "LATEST: dateless tags among themselves by tag name descending",
    rules: latest(1),
    tags: [t("r:a"), t("r:c"), t("r:b")],
    selected: ["r:c"],
  },
  {
    name: "LATEST: two tags of one digest each use a slot",
    rules: latest(2),
    tags: [
      t("r:1.0", { created: "2026-03-01T00:00:00Z", digest: "sha256:aa" }),
      t("r:latest", { created: "2026-03-01T00:00:00Z", digest: "sha256:aa" }),
      t("r:0.9", { created: "2026-02-01T00:00:00Z", digest: "sha256:bb" }),
    ],
    selected: ["r:1.0", "r:latest"],
  },
  {
    name: "LATEST then never-pull: the excluded tag still used one of the n",
    rules: latest(2, { neverPull: [":*-rc*"] }),
    tags: [
      t("r:2.0-rc1", { created: "2026-03-03T00:00:00Z" }),
      t("r:1.1", { created: "2026-03-02T00:00:00Z" }),
      t("r:1.0", { created: "2026-03-01T00:00:00Z" }),
    ],
    selected: ["r:1.1"],
    reasons: {
      "r:2.0-rc1": 'never-pull pattern ":*-rc*" matched (it still counts as one of the 2 latest of r)',
      "r:1.0": "not among the 2 latest of r",
    },
  },
  {
    name: "LATEST ranks candidates only",
    rules: latest(1, { criteriaEnabled: true, criteria: [":v*"] }),
    tags: [t("r:nightly", { created: "2026-03-03T00:00:00Z" }), t("r:v2", { created: "2026-03-01T00:00:00Z" })],
    selected: ["r:v2"],
    reasons: { "r:v2": 'criterion ":v*" matched, one of the 1 latest of r', "r:nightly": "matches no criterion" },
  },
  {
    name: "LATEST n above the number of tags selects them all",
    rules: latest(10),
    tags: [t("r:1", { created: "2026-01-01T00:00:00Z" }), t("r:2")],
    selected: ["r:1", "r:2"],
  },
  {
    name: "LATEST: createdAt wins over pushedAt when from 1980 on",
    rules: latest(1),
    tags: [
      t("r:a", { created: "2020-01-01T00:00:00Z", pushed: "2026-03-01T00:00:00Z" }),
      t("r:b", { created: "2021-01-01T00:00:00Z", pushed: "2021-01-01T00:00:00Z" }),
    ],
    selected: ["r:b"],
  },
  {
    name: "LATEST: createdAt before 1980 counts as missing, pushedAt is used",
    rules: latest(1),
    tags: [
      t("r:repro", { created: "1970-01-01T00:00:01Z", pushed: "2026-01-05T00:00:00Z" }),
      t("r:plain", { created: "2025-12-01T00:00:00Z" }),
    ],
    selected: ["r:repro"],
  },
  {
    name: "LATEST: 1980-01-01T00:00Z is a real creation date, one ms earlier is not",
    rules: latest(2),
    tags: [
      t("r:x", { created: "1980-01-01T00:00:00.000Z", pushed: "2026-01-01T00:00:00Z" }),
      t("r:y", { created: "1979-12-31T23:59:59.999Z", pushed: "2025-06-01T00:00:00Z" }),
      t("r:z", { created: "1990-01-01T00:00:00Z" }),
    ],
    selected: ["r:y", "r:z"],
  },
  {
    name: "LATEST: createdAt before 1980 and no pushedAt is dateless",
    rules: latest(1),
    tags: [t("r:zz", { created: "1970-01-01T00:00:00Z" }), t("r:a", { pushed: "2001-01-01T00:00:00Z" })],
    selected: ["r:a"],
    reasons: { "r:zz": "(no creation or push date: ranked last)" },
  },

  // Step 3: CREATED_WITHIN
  {
    name: "CREATED_WITHIN days: exactly now − period is in, one ms earlier is out",
    rules: within(60, "DAYS"),
    now: "2026-03-31T12:00:00.000Z",
    tags: [
      t("r:edge", { created: "2026-01-30T12:00:00.000Z" }),
      t("r:before", { created: "2026-01-30T11:59:59.999Z" }),
      t("r:new", { created: "2026-03-31T11:00:00Z" }),
    ],
    selected: ["r:edge", "r:new"],
    reasons: {
      "r:edge": "created within the last 60 days (since 2026-01-30 12:00:00 UTC)",
      "r:before": "created before 2026-01-30 12:00:00 UTC, outside the last 60 days",
    },
  },
  {
    name: "CREATED_WITHIN: a date after now is within",
    rules: within(1, "DAYS"),
    tags: [t("r:future", { created: "2026-04-02T00:00:00Z" })],
    selected: ["r:future"],
    reasons: { "r:future": "created within the last 1 day" },
  },
  {
    name: "CREATED_WITHIN months clamps to month end (Mar 31 − 1 month = Feb 28, same wall time, Berlin)",
    rules: within(1, "MONTHS", { timezone: "Europe/Berlin" }),
    now: "2026-03-31T10:00:00.000Z", // 12:00 CEST
    tags: [
      t("r:edge", { created: "2026-02-28T11:00:00.000Z" }), // 12:00 CET
      t("r:before", { created: "2026-02-28T10:59:59.999Z" }),
    ],
    selected: ["r:edge"],
    reasons: {
      "r:edge": "since 2026-02-28 12:00:00 Europe/Berlin",
      "r:before": "created before 2026-02-28 12:00:00 Europe/Berlin, outside the last 1 month",
    },
  },
  {
    name: "CREATED_WITHIN months in a leap year: Mar 31 − 1 month = Feb 29",
    rules: within(1, "MONTHS"),
    now: "2028-03-31T08:00:00.000Z",
    tags: [
      t("r:edge", { created: "2028-02-29T08:00:00.000Z" }),
      t("r:before", { created: "2028-02-29T07:59:59.999Z" }),
    ],
    selected: ["r:edge"],
  },
  {
    name: "CREATED_WITHIN months: May 31 − 3 months = Feb 28",
    rules: within(3, "MONTHS"),
    now: "2026-05-31T00:00:00.000Z",
    tags: [t("r:edge", { created: "2026-02-28T00:00:00.000Z" }), t("r:before", { created: "2026-02-27T23:59:59.999Z" })],
    selected: ["r:edge"],
    reasons: { "r:before": "outside the last 3 months" },
  },
  {
    name: "CREATED_WITHIN years: Feb 29 − 1 year = Feb 28",
    rules: within(1, "YEARS"),
    now: "2028-02-29T06:00:00.000Z",
    tags: [t("r:edge", { created: "2027-02-28T06:00:00.000Z" }), t("r:before", { created: "2027-02-28T05:59:59.999Z" })],
    selected: ["r:edge"],
    reasons: { "r:edge": "within the last 1 year" },
  },
  {
    name: "CREATED_WITHIN years across a DST change keeps the wall time (Berlin)",
    rules: within(2, "YEARS", { timezone: "Europe/Berlin" }),
    now: "2026-07-01T10:00:00.000Z", // 12:00 CEST
    tags: [t("r:edge", { created: "2024-07-01T10:00:00.000Z" }), t("r:before", { created: "2024-07-01T09:59:59.999Z" })],
    selected: ["r:edge"],
    reasons: { "r:before": "outside the last 2 years" },
  },
  {
    name: "CREATED_WITHIN days are calendar days in the zone: 2 days over spring-forward are 47 h (Berlin)",
    rules: within(2, "DAYS", { timezone: "Europe/Berlin" }),
    now: "2026-03-30T10:00:00.000Z", // 12:00 CEST; start 2026-03-28 12:00 CET = 11:00Z
    tags: [t("r:in", { created: "2026-03-28T11:00:00.000Z" }), t("r:47.5h", { created: "2026-03-28T10:30:00.000Z" })],
    selected: ["r:in"],
    reasons: { "r:47.5h": "created before 2026-03-28 12:00:00 Europe/Berlin" },
  },
  {
    name: "CREATED_WITHIN time zone: month end in UTC (start Feb 28 12:00Z)",
    rules: within(1, "MONTHS", { timezone: "UTC" }),
    now: "2026-03-30T12:00:00.000Z",
    tags: [t("r:feb28", { created: "2026-02-28T00:00:00.000Z" })],
    selected: [],
  },
  {
    name: "CREATED_WITHIN time zone: same instant is Mar 31 in Kiritimati (start Feb 28 02:00 +14 = Feb 27 12:00Z)",
    rules: within(1, "MONTHS", { timezone: "Pacific/Kiritimati" }),
    now: "2026-03-30T12:00:00.000Z",
    tags: [t("r:feb28", { created: "2026-02-28T00:00:00.000Z" }), t("r:feb27", { created: "2026-02-27T11:59:59.999Z" })],
    selected: ["r:feb28"],
    reasons: { "r:feb28": "since 2026-02-28 02:00:00 Pacific/Kiritimati" },
  },
  {
    name: "CREATED_WITHIN excludes dateless tags",
    rules: within(60, "DAYS"),
    tags: [t("r:nodate"), t("r:dated", { created: "2026-03-01T00:00:00Z" })],
    selected: ["r:dated"],
    reasons: { "r:nodate": "no creation or push date, so not within the last 60 days" },
  },
  {
    name: "CREATED_WITHIN: an unparsable push date counts as none",
    rules: within(60, "DAYS"),
    tags: [t("r:bad", { pushed: "not a date" })],
    selected: [],
    reasons: { "r:bad": "no creation or push date" },
  },
  {
    name: "CREATED_WITHIN: createdAt before 1980 falls back to pushedAt (inside)",
    rules: within(60, "DAYS"),
    tags: [t("r:repro", { created: "1970-01-01T00:00:00Z", pushed: "2026-03-01T00:00:00Z" })],
    selected: ["r:repro"],
    reasons: { "r:repro": "pushed within the last 60 days" },
  },
  {
    name: "CREATED_WITHIN: createdAt before 1980 falls back to pushedAt (outside)",
    rules: within(60, "DAYS"),
    tags: [t("r:repro", { created: "1970-01-01T00:00:00Z", pushed: "2025-01-01T00:00:00Z" })],
    selected: [],
    reasons: { "r:repro": "pushed before 2026-01-30 12:00:00 UTC, outside the last 60 days" },
  },
  {
    name: "CREATED_WITHIN: createdAt before 1980 and no pushedAt is dateless",
    rules: within(60, "DAYS"),
    tags: [t("r:repro", { created: "1979-12-31T23:59:59.999Z" })],
    selected: [],
    reasons: { "r:repro": "no creation or push date" },
  },
  {
    name: "CREATED_WITHIN: a recent createdAt wins over an old pushedAt",
    rules: within(60, "DAYS"),
    tags: [t("r:a", { created: "2026-03-01T00:00:00Z", pushed: "2020-01-01T00:00:00Z" })],
    selected: ["r:a"],
    reasons: { "r:a": "created within" },
  },
  {
    name: "CREATED_WITHIN with criteria names both rules",
    rules: within(60, "DAYS", { criteriaEnabled: true, criteria: ["a/*"] }),
    tags: [t("a/x:1", { created: "2026-03-01T00:00:00Z" }), t("b/x:1", { created: "2026-03-01T00:00:00Z" })],
    selected: ["a/x:1"],
    reasons: { "a/x:1": 'criterion "a/*" matched, created within the last 60 days', "b/x:1": "matches no criterion" },
  },
  {
    name: "CREATED_WITHIN then never-pull",
    rules: within(60, "DAYS", { neverPull: ["r:old-*"] }),
    tags: [t("r:old-1", { created: "2026-03-01T00:00:00Z" }), t("r:new-1", { created: "2026-03-01T00:00:00Z" })],
    selected: ["r:new-1"],
    reasons: { "r:old-1": 'never-pull pattern "r:old-*" matched' },
  },
];

describe("evaluatePolicy", () => {
  it.each(CASES.map((c) => [c.name, c] as const))("%s", (_, c) => {
    const decisions = evaluatePolicy(c.tags, { ...BASE_RULES, ...c.rules }, new Date(c.now ?? NOW));

    expect(decisions.map((d) => `${d.repository}:${d.tag}`)).toEqual(c.tags.map((tag) => `${tag.repository}:${tag.tag}`));
    const selected = decisions.filter((d) => d.selected).map((d) => `${d.repository}:${d.tag}`);
    expect(selected.sort()).toEqual([...c.selected].sort());
    for (const [reference, part] of Object.entries(c.reasons ?? {})) {
      const decision = decisions.find((d) => `${d.repository}:${d.tag}` === reference);
      expect(decision?.reason).toContain(part);
    }
  });

  it("keeps the tag's record fields on its decision", () => {
    const tag = t("r:1", { created: "2026-03-01T00:00:00Z", pushed: "2026-03-02T00:00:00Z", digest: "sha256:ab" });
    expect(evaluatePolicy([tag], BASE_RULES, new Date(NOW))).toEqual([
      { ...tag, selected: true, reason: "criteria off and condition NONE: every tag qualifies" },
    ]);
  });

  it("a compiled policy gives the same answers on every evaluation", () => {
    const policy = compilePolicy({ ...BASE_RULES, ...latest(1) });
    const tags = [t("r:a", { created: "2026-01-01T00:00:00Z" }), t("r:b", { created: "2026-02-01T00:00:00Z" })];
    const first = policy.evaluate(tags, new Date(NOW));
    expect(policy.evaluate(tags, new Date(NOW))).toEqual(first);
    expect(first.map((d) => d.selected)).toEqual([false, true]);
  });
});

describe("LATEST with never- and always-pull against a brute-force reference", () => {
  /** Deterministic pseudo-random numbers (LCG), so a failure reproduces. */
  function lcg(seed: number): (below: number) => number {
    let state = seed;
    return (below) => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      return state % below;
    };
  }

  /** Straight from DESIGN §3: rank = number of candidates of the repository that sort before the tag. */
  function reference(tags: TagRecord[], rules: PolicyRules): boolean[] {
    const [criteria, never, always] = [rules.criteria, rules.neverPull, rules.alwaysPull].map(compilePatternList);
    const time = (tag: TagRecord) =>
      tag.createdAt && tag.createdAt.getTime() >= Date.UTC(1980, 0, 1) ? tag.createdAt.getTime() : (tag.pushedAt?.getTime() ?? null);
    const before = (a: TagRecord, b: TagRecord) => {
      const [ta, tb] = [time(a), time(b)];
      if (ta !== tb) return tb === null || (ta !== null && ta > tb);
      return a.tag > b.tag;
    };
    const isCandidate = (tag: TagRecord) => criteria.matches(tag.repository, tag.tag) !== null;
    return tags.map((tag) => {
      const rank = tags.filter((other) => other.repository === tag.repository && isCandidate(other) && before(other, tag)).length;
      const passed = isCandidate(tag) && rank < (rules.latestTags as number);
      return always.matches(tag.repository, tag.tag) !== null || (passed && never.matches(tag.repository, tag.tag) === null);
    });
  }

  it.each([1, 2, 3, 4, 5, 6, 7, 8])("seed %i", (seed) => {
    const random = lcg(seed);
    const dates = ["2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z", "2026-02-01T00:00:00Z", "1970-01-01T00:00:00Z"];
    const optionalDate = () => (random(3) === 0 ? undefined : dates[random(dates.length)]);
    const tags = Array.from({ length: 120 }, (_, i) =>
      t(`team-${random(2)}/app-${random(3)}:${["v1", "v2", "latest", "rc-1", "sha-a"][random(5)]}.${i}`, {
        created: optionalDate(),
        pushed: optionalDate(),
      }),
    );
    const rules: PolicyRules = {
      ...BASE_RULES,
      ...latest(1 + random(4)),
      criteriaEnabled: true,
      criteria: ["team-0/*", ":v*", "*/app-2:*"].filter(() => random(2) === 0),
      neverPull: [":rc-*", "team-1/app-1"].filter(() => random(2) === 0),
      alwaysPull: [":latest.1*", "team-1/*:sha-*"].filter(() => random(2) === 0),
    };
    expect(evaluatePolicy(tags, rules, new Date(NOW)).map((d) => d.selected)).toEqual(reference(tags, rules));
  });
});

describe("policy rule validation", () => {
  it.each<[name: string, rules: Partial<PolicyRules>, errors: { field: string; message: string }[]]>([
    ["valid defaults", {}, []],
    [
      "unknown time zone",
      { timezone: "Mars/Olympus" },
      [{ field: "timezone", message: expect.stringContaining('unknown time zone "Mars/Olympus"') }],
    ],
    ["LATEST without n", { condition: "LATEST" }, [{ field: "latestTags", message: expect.stringContaining("required") }]],
    ["LATEST 0", { condition: "LATEST", latestTags: 0 }, [{ field: "latestTags", message: expect.any(String) }]],
    ["LATEST 2.5", { condition: "LATEST", latestTags: 2.5 }, [{ field: "latestTags", message: expect.any(String) }]],
    ["latestTags unused without LATEST", { latestTags: null }, []],
    [
      "CREATED_WITHIN 0 days",
      within(0, "DAYS"),
      [{ field: "createdWithin.amount", message: expect.stringContaining("at least 1") }],
    ],
    [
      "bad patterns name their field and index",
      { criteria: ["ok", "Bad"], neverPull: [":"], alwaysPull: Array.from({ length: 101 }, () => "x") },
      [
        { field: "criteria[1]", message: expect.stringContaining('"Bad": invalid character "B"') },
        { field: "neverPull[0]", message: expect.stringContaining("empty name and tag") },
        { field: "alwaysPull", message: "101 patterns; at most 100 are allowed" },
      ],
    ],
  ])("%s", (_, rules, errors) => {
    expect(validatePolicyRules({ ...BASE_RULES, ...rules })).toEqual(errors);
  });

  it("compilePolicy refuses invalid rules with a typed error", () => {
    expect(() => compilePolicy({ ...BASE_RULES, condition: "LATEST" })).toThrow(InvalidPolicyError);
    expect(() => evaluatePolicy([], { ...BASE_RULES, timezone: "nowhere" }, new Date(NOW))).toThrow(
      /timezone: unknown time zone "nowhere"/,
    );
  });
});
