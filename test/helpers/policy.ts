/** Every PullPolicy field, for queries. */
export const POLICY_FIELDS = `registryId mode schedule timezone rescan criteriaEnabled criteria condition createdWithin { amount unit }
  latestTags neverPull alwaysPull platforms nextRunAt`;

/** The API's answer for a policy that is all defaults (DESIGN §3), as tests run with TZ=UTC. */
export function defaultPolicyAnswer(registryId: string, overrides: Record<string, unknown> = {}) {
  return {
    registryId,
    mode: "MANUAL",
    schedule: null,
    timezone: "UTC",
    rescan: false,
    criteriaEnabled: false,
    criteria: [],
    condition: "CREATED_WITHIN",
    createdWithin: { amount: 60, unit: "DAYS" },
    latestTags: null,
    neverPull: [],
    alwaysPull: [],
    platforms: ["linux/amd64"],
    nextRunAt: null,
    ...overrides,
  };
}
