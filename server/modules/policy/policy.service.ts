import type { DataSource } from "typeorm";
import { PullPolicy, Registry } from "../../../db/entities";
import { PullCondition, PullMode } from "../../../db/enums";
import { BadUserInputError, NotFoundError } from "../../../lib/errors";
import { nextRunAfter } from "../../../workers/policy/schedule";
import type { PullPolicyInput } from "./policy.inputs";
import { defaultPolicy, DEFAULT_CREATED_WITHIN } from "./policy-defaults";
import { checkPolicyInput } from "./policy-rules";

export class PolicyService {
  constructor(
    private readonly db: DataSource,
    private readonly defaultTimezone: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async forRegistry(registryId: string): Promise<PullPolicy> {
    const policy = await this.db.getRepository(PullPolicy).findOneBy({ registryId });
    if (!policy) throw new NotFoundError(`registry ${registryId} does not exist`, { ids: [registryId] });
    return policy;
  }

  /** Replaces the whole policy: every omitted field takes its default. */
  async replace(registryId: string, input: PullPolicyInput): Promise<PullPolicy> {
    const timezone = input.timezone ?? this.defaultTimezone;
    const errors = checkPolicyInput(input, timezone);
    if (errors.length > 0) throw new BadUserInputError(errors);

    const mode = input.mode ?? PullMode.MANUAL;
    const condition = input.condition ?? PullCondition.CREATED_WITHIN;
    const schedule = input.schedule ?? null;
    const period = input.createdWithin ?? DEFAULT_CREATED_WITHIN;
    const policy: Omit<PullPolicy, "updatedAt" | "createdWithin"> = {
      ...defaultPolicy(registryId, timezone),
      mode,
      schedule,
      rescan: input.rescan ?? false,
      criteriaEnabled: input.criteriaEnabled ?? false,
      criteria: input.criteria ?? [],
      condition,
      createdWithinAmount: period.amount,
      createdWithinUnit: period.unit,
      latestTags: condition === PullCondition.LATEST ? (input.latestTags ?? null) : null,
      neverPull: input.neverPull ?? [],
      alwaysPull: input.alwaysPull ?? [],
      platforms: input.platforms ?? defaultPolicy(registryId, timezone).platforms,
      nextRunAt: mode === PullMode.AUTOMATIC && schedule ? nextRunAfter(schedule, timezone, this.now()) : null,
    };
    return this.db.transaction(async (tx) => {
      const registry = await tx.findOne(Registry, { where: { id: registryId }, lock: { mode: "pessimistic_write" } });
      if (!registry) throw new NotFoundError(`registry ${registryId} does not exist`, { ids: [registryId] });
      await tx.update(PullPolicy, { registryId }, policy);
      return tx.findOneByOrFail(PullPolicy, { registryId });
    });
  }
}
