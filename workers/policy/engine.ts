/**
 * The pull-policy selection engine: DESIGN §3 steps 2–5 with the date rules of §2.
 * Pure: the caller lists the tags and passes the clock.
 */
import { Condition, conditionFor, Verdict } from "./conditions";
import {
  CompiledPatternList,
  compilePatternList,
  describePatternError,
  RepositoryPatternList,
  validatePatternList,
} from "./patterns";
import { isValidTimezone, unknownTimezoneReason } from "./timezone";
import type { PolicyRules, TagDecision, TagRecord } from "./types";

export type { PeriodUnit, PolicyRules, PullCondition, TagDecision, TagRecord } from "./types";

/** `field` names the PullPolicyInput field, with the index for one pattern: `neverPull[2]`. */
export interface PolicyRuleError {
  field: string;
  message: string;
}

export class InvalidPolicyError extends Error {
  constructor(readonly errors: readonly PolicyRuleError[]) {
    super(`invalid pull policy: ${errors.map((e) => `${e.field}: ${e.message}`).join("; ")}`);
    this.name = "InvalidPolicyError";
  }
}

export interface CompiledPolicy {
  /** One decision per tag, in the order given. */
  evaluate(tags: readonly TagRecord[], now: Date): TagDecision[];
}

const PATTERN_FIELDS = ["criteria", "neverPull", "alwaysPull"] as const;

export function validatePolicyRules(rules: PolicyRules): PolicyRuleError[] {
  const errors: PolicyRuleError[] = [];
  for (const field of PATTERN_FIELDS) {
    for (const error of validatePatternList(rules[field])) {
      errors.push({ field: error.index < 0 ? field : `${field}[${error.index}]`, message: describePatternError(error) });
    }
  }
  if (!isValidTimezone(rules.timezone)) {
    errors.push({ field: "timezone", message: unknownTimezoneReason(rules.timezone) });
  }
  if (rules.condition === "CREATED_WITHIN" && !isPositiveInteger(rules.createdWithin.amount)) {
    errors.push({ field: "createdWithin.amount", message: "must be a whole number of at least 1" });
  }
  if (rules.condition === "LATEST" && !isPositiveInteger(rules.latestTags)) {
    errors.push({ field: "latestTags", message: "required with LATEST: a whole number of at least 1" });
  }
  return errors;
}

/** Validates and compiles the rules once, for evaluation against any number of listings. */
export function compilePolicy(rules: PolicyRules): CompiledPolicy {
  const errors = validatePolicyRules(rules);
  if (errors.length > 0) throw new InvalidPolicyError(errors);
  return new Policy(rules);
}

export function evaluatePolicy(tags: readonly TagRecord[], rules: PolicyRules, now: Date): TagDecision[] {
  return compilePolicy(rules).evaluate(tags, now);
}

function isPositiveInteger(value: number | null): value is number {
  return value !== null && Number.isSafeInteger(value) && value >= 1;
}

/** The pattern lists narrowed to one repository. */
interface RepositoryRules {
  repository: string;
  criteria: RepositoryPatternList | null;
  neverPull: RepositoryPatternList;
  alwaysPull: RepositoryPatternList;
}

class Policy implements CompiledPolicy {
  private readonly criteria: CompiledPatternList | null;
  private readonly neverPull: CompiledPatternList;
  private readonly alwaysPull: CompiledPatternList;
  private readonly noCriterion: Verdict;

  constructor(private readonly rules: PolicyRules) {
    this.criteria = rules.criteriaEnabled ? compilePatternList(rules.criteria) : null;
    this.neverPull = compilePatternList(rules.neverPull);
    this.alwaysPull = compilePatternList(rules.alwaysPull);
    this.noCriterion = {
      passed: false,
      reason: rules.criteria.length === 0 ? "matches no criterion (the criteria list is empty)" : "matches no criterion",
    };
  }

  /** Per repository: LATEST ranks within one, and each repository's name is matched once. */
  evaluate(tags: readonly TagRecord[], now: Date): TagDecision[] {
    const condition = conditionFor(this.rules, now);
    const decisions = new Array<TagDecision>(tags.length);
    for (const [repository, indices] of indicesByRepository(tags)) {
      const group = indices.map((index) => tags[index]);
      this.evaluateRepository(this.narrow(repository), group, condition).forEach((decision, i) => {
        decisions[indices[i]] = decision;
      });
    }
    return decisions;
  }

  private narrow(repository: string): RepositoryRules {
    return {
      repository,
      criteria: this.criteria?.forRepository(repository) ?? null,
      neverPull: this.neverPull.forRepository(repository),
      alwaysPull: this.alwaysPull.forRepository(repository),
    };
  }

  private evaluateRepository(rules: RepositoryRules, tags: readonly TagRecord[], condition: Condition): TagDecision[] {
    // Step 2: null = no candidate; else why it is one ("" with criteria off).
    const candidacies = tags.map((tag) => {
      if (rules.criteria === null) return "";
      const criterion = rules.criteria.matches(tag.tag);
      return criterion === null ? null : `criterion "${criterion}" matched`;
    });
    const candidates = tags.filter((_, i) => candidacies[i] !== null);
    const verdicts = condition.judge(rules.repository, candidates);

    let candidate = 0;
    return tags.map((tag, i) => {
      const candidacy = candidacies[i];
      const verdict = candidacy === null ? this.noCriterion : withCandidacy(candidacy, verdicts[candidate++]);
      return this.decide(rules, tag, verdict);
    });
  }

  /** Steps 4 and 5. */
  private decide(rules: RepositoryRules, tag: TagRecord, verdict: Verdict): TagDecision {
    const always = rules.alwaysPull.matches(tag.tag);
    if (always !== null) {
      const never = rules.neverPull.matches(tag.tag);
      const override = never === null ? "" : ` (overrides never-pull pattern "${never}")`;
      return decision(tag, true, `always-pull pattern "${always}" matched${override}`);
    }
    if (!verdict.passed) return decision(tag, false, verdict.reason);
    const never = rules.neverPull.matches(tag.tag);
    if (never === null) return decision(tag, true, verdict.reason);
    const slotNote =
      this.rules.condition === "LATEST"
        ? ` (it still counts as one of the ${this.rules.latestTags} latest of ${rules.repository})`
        : "";
    return decision(tag, false, `never-pull pattern "${never}" matched${slotNote}`);
  }
}

const EVERY_TAG_QUALIFIES: Verdict = { passed: true, reason: "criteria off and condition NONE: every tag qualifies" };

/** A passing candidate's reason names both steps; a failing one only the condition. */
function withCandidacy(candidacy: string, verdict: Verdict): Verdict {
  if (!verdict.passed) return verdict;
  if (candidacy === "") return verdict.reason === "" ? EVERY_TAG_QUALIFIES : verdict;
  return { passed: true, reason: verdict.reason === "" ? candidacy : `${candidacy}, ${verdict.reason}` };
}

function decision(tag: TagRecord, selected: boolean, reason: string): TagDecision {
  const { repository, digest, createdAt, pushedAt } = tag;
  return { repository, tag: tag.tag, digest, createdAt, pushedAt, selected, reason };
}

function indicesByRepository(tags: readonly TagRecord[]): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  tags.forEach((tag, index) => {
    const group = groups.get(tag.repository);
    if (group === undefined) groups.set(tag.repository, [index]);
    else group.push(index);
  });
  return groups;
}
