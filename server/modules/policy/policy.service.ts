import type { DataSource } from "typeorm";
import { PullPolicy, Registry } from "../../../db/entities";
import { PullCondition, PullMode } from "../../../db/enums";
import { BadUserInputError, NotFoundError } from "../../../lib/errors";
import { nextRunAfter } from "../../../workers/policy/schedule";
import type { PullPolicyInput } from "./policy.inputs";
import { defaultPolicy } from "./policy-defaults";
import type { PolicyRow } from "../../../workers/policy/rules-of-policy";
import { checkPolicy } from "./policy-rules";

export class PolicyService {
  constructor(
    private readonly db: DataSource,
    private readonly defaultTimezone: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** A validated policy from an input (omitted fields take their defaults), not stored. */
  build(registryId: string, input: PullPolicyInput, now = this.now()): PolicyRow {
    const defaults = defaultPolicy(registryId, input.timezone ?? this.defaultTimezone);
    const condition = input.condition ?? defaults.condition;
    const policy: PolicyRow = {
      ...defaults,
      mode: input.mode ?? defaults.mode,
      schedule: input.schedule ?? null,
      rescan: input.rescan ?? defaults.rescan,
      criteriaEnabled: input.criteriaEnabled ?? defaults.criteriaEnabled,
      criteria: input.criteria ?? defaults.criteria,
      condition,
      createdWithinAmount: input.createdWithin?.amount ?? defaults.createdWithinAmount,
      createdWithinUnit: input.createdWithin?.unit ?? defaults.createdWithinUnit,
      latestTags: condition === PullCondition.LATEST ? (input.latestTags ?? null) : null,
      neverPull: input.neverPull ?? defaults.neverPull,
      alwaysPull: input.alwaysPull ?? defaults.alwaysPull,
      platforms: input.platforms ?? defaults.platforms,
    };
    const errors = checkPolicy(policy, now);
    if (errors.length > 0) throw new BadUserInputError(errors);
    if (policy.mode === PullMode.AUTOMATIC && policy.schedule) {
      policy.nextRunAt = nextRunAfter(policy.schedule, policy.timezone, now);
    }
    return policy;
  }

  /** Replaces the whole policy: every omitted field takes its default. */
  async replace(registryId: string, input: PullPolicyInput): Promise<PullPolicy> {
    const policy = this.build(registryId, input);
    return this.db.transaction(async (tx) => {
      const registry = await tx.findOne(Registry, { where: { id: registryId }, lock: { mode: "pessimistic_write" } });
      if (!registry) throw new NotFoundError(`registry ${registryId} does not exist`, { ids: [registryId] });
      await tx.update(PullPolicy, { registryId }, policy);
      return tx.findOneByOrFail(PullPolicy, { registryId });
    });
  }
}
