import { withMysql } from "../helpers/mysql";
import { defaultPolicyAnswer, POLICY_FIELDS } from "../helpers/policy";
import { errorCode, startTestServer, type TestServer } from "../helpers/server";

const EDIT_POLICY = `mutation($registryId: ID!, $input: PullPolicyInput!) {
  editPullPolicy(registryId: $registryId, input: $input) { ${POLICY_FIELDS} }
}`;

let server: TestServer;
let registryId: string;

const policyRow = () =>
  withMysql(server.config.mysqlUrl, async (db) => {
    const [rows] = await db.query<any[]>("SELECT * FROM pull_policy WHERE registryId = ?", [registryId]);
    return rows[0];
  });

beforeAll(async () => {
  server = await startTestServer();
  const added = await server.gql(
    `mutation { addRegistry(input: { name: "policy target", type: DOCKER_REGISTRY, url: "https://r.example.com", authMethod: NONE }) { id } }`,
  );
  registryId = added.data!.addRegistry.id;
});
afterAll(() => server.stop());

test("an AUTOMATIC policy is stored whole, with its next run in the policy's time zone", async () => {
  const before = Date.now();
  const input = {
    mode: "AUTOMATIC",
    schedule: "30 2 * * *",
    timezone: "Asia/Tokyo",
    rescan: true,
    criteriaEnabled: true,
    criteria: ["team/*", ":release-*"],
    condition: "LATEST",
    latestTags: 3,
    neverPull: ["*:*-debug"],
    alwaysPull: ["base/*:stable"],
    platforms: ["linux/amd64", "linux/arm64/v8"],
  };
  const answer = await server.gql(EDIT_POLICY, { registryId, input });
  expect(answer.errors).toBeUndefined();
  const policy = answer.data!.editPullPolicy;
  expect(policy).toEqual({ ...input, registryId, createdWithin: { amount: 60, unit: "DAYS" }, nextRunAt: expect.any(String) });
  // 02:30 in Tokyo (UTC+9) is 17:30 UTC, within the next 24 hours.
  const next = new Date(policy.nextRunAt);
  expect(next.getUTCHours()).toBe(17);
  expect(next.getUTCMinutes()).toBe(30);
  expect(next.getTime()).toBeGreaterThan(before);
  expect(next.getTime() - before).toBeLessThanOrEqual(24 * 3600_000);
});

test("editPullPolicy replaces the whole policy: omitted fields return to their defaults", async () => {
  const answer = await server.gql(EDIT_POLICY, { registryId, input: { criteria: ["only/this"] } });
  expect(answer.data!.editPullPolicy).toEqual(defaultPolicyAnswer(registryId, { criteria: ["only/this"] }));
});

test.each([
  ["AUTOMATIC without schedule", { mode: "AUTOMATIC" }, ["schedule: is required for AUTOMATIC mode"]],
  ["a schedule firing every minute", { mode: "AUTOMATIC", schedule: "* * * * *" }, ["schedule: "]],
  ["a 6-field schedule", { mode: "AUTOMATIC", schedule: "0 */5 * * * *" }, ["schedule: "]],
  ["an unknown time zone", { timezone: "Mars/Olympus" }, ['timezone: unknown time zone "Mars/Olympus"']],
  ["LATEST without latestTags", { condition: "LATEST" }, ["latestTags: "]],
  ["latestTags 0", { condition: "LATEST", latestTags: 0 }, ["latestTags: must not be less than 1"]],
  ["createdWithin amount 0", { createdWithin: { amount: 0, unit: "MONTHS" } }, ["createdWithin.amount: must not be less than 1"]],
  ["a bad never-pull pattern", { neverPull: ["ok/*", "Bad/Name"] }, ['neverPull[1]: "Bad/Name"']],
  ["a pattern with two colons", { criteria: ["a:b:c"] }, ['criteria[0]: "a:b:c"']],
  ["101 always-pull patterns", { alwaysPull: Array.from({ length: 101 }, (_, i) => `r${i}`) }, ["alwaysPull: 101 patterns; at most 100"]],
  ["a malformed platform", { platforms: ["amd64"] }, ["platforms: each platform must look like os/arch"]],
  ["a repeated platform", { platforms: ["linux/arm64", "linux/arm64"] }, ["platforms: lists linux/arm64 twice"]],
])("refuses %s, naming the field, and leaves the policy as it was", async (_name, input, expected) => {
  const before = await policyRow();
  const answer = await server.gql(EDIT_POLICY, { registryId, input });
  expect(errorCode(answer)).toBe("BAD_USER_INPUT");
  const fields = (answer.errors![0].extensions!.fields as { field: string; message: string }[]).map((f) => `${f.field}: ${f.message}`);
  expect(fields).toHaveLength(expected.length);
  expected.forEach((part, i) => expect(fields[i]).toContain(part));
  expect(await policyRow()).toEqual(before);
});

test("an unknown registry is NOT_FOUND", async () => {
  const answer = await server.gql(EDIT_POLICY, { registryId: "00000000-0000-4000-8000-000000000000", input: {} });
  expect(errorCode(answer)).toBe("NOT_FOUND");
});
