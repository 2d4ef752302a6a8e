import fc from "fast-check";
import mysql from "mysql2/promise";
import { Client } from "pg";
import { request } from "undici";
import { MAX_QUERY_DEPTH } from "../../server/graphql/limits";
import { addPlainRegistry } from "../helpers/scanning";
import { startTestServer, type TestServer } from "../helpers/server";

/**
 * Generated hostile input (fast-check, seeded): malformed or oversized GraphQL
 * requests against a running server. Every GraphQL-level answer is a list of
 * errors that each carry `extensions.code`; transport-level garbage (broken
 * JSON, wrong content type, oversized or batched bodies) is a 4xx whose JSON
 * body has the same shape. Never a 5xx, and MySQL is unchanged afterwards
 * (CHECKSUM TABLE; api_token without its lastUsedAt, which each request updates).
 *
 * Every generated request carries at least one defect that must make it
 * refused: a valid-looking base input plus one or more defects, so "refused"
 * is always the right answer. The one exception is addScanJobs, which by
 * design answers per reference: references that cannot be valid come back
 * INVALID with no scan job, which also stores nothing.
 */

const SEED = 20_070_611;
/** Runs per property; the total across the file is asserted to be at least 2,000. */
const RUNS = { graphql: 95, transport: 60 } as const;

let server: TestServer;
let registryId: string;
let sent = 0;
let before: string;

/** The admin token of `server`; a lastUsedAt-only change on api_token is not a change. */
async function databaseChecksum(): Promise<string> {
  const db = await mysql.createConnection(server.config.mysqlUrl);
  try {
    const [tables] = await db.query<mysql.RowDataPacket[]>(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' ORDER BY table_name",
    );
    const sums: string[] = [];
    for (const { name } of tables) {
      if (name === "api_token") {
        const [rows] = await db.query<mysql.RowDataPacket[]>("SELECT * FROM api_token ORDER BY id");
        sums.push(`api_token=${JSON.stringify(rows.map(({ lastUsedAt: _ignored, ...rest }) => rest))}`);
        continue;
      }
      const [[row]] = await db.query<mysql.RowDataPacket[]>(`CHECKSUM TABLE \`${name}\` EXTENDED`);
      sums.push(`${name}=${row.Checksum}`);
    }
    const pg = new Client({ connectionString: server.config.databaseUrl });
    await pg.connect();
    try {
      const jobs = await pg.query<{ n: string }>("SELECT count(*) AS n FROM graphile_worker._private_jobs");
      sums.push(`graphile_jobs=${jobs.rows[0].n}`);
    } finally {
      await pg.end();
    }
    return sums.join("\n");
  } finally {
    await db.end();
  }
}

beforeAll(async () => {
  server = await startTestServer();
  registryId = await addPlainRegistry(server, { name: "target", url: "http://127.0.0.1:9" });
  before = await databaseChecksum();
});

afterAll(async () => {
  await server?.stop();
});

// ------------------------------------------------------------------ sending

interface Answer {
  status: number;
  contentType: string;
  body: any;
  text: string;
}

async function post(body: string | Buffer, headers: Record<string, string>, method: "POST" | "GET" = "POST", path = "/graphql"): Promise<Answer> {
  sent++;
  const answer = await request(server.url + path, {
    method,
    headers: { authorization: `Bearer ${server.adminToken}`, ...headers },
    body: method === "GET" ? undefined : body,
  });
  const text = await answer.body.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: answer.statusCode, contentType: String(answer.headers["content-type"] ?? ""), body: parsed, text };
}

function sendGraphql({ query, variables, variablesJson }: Probe): Promise<Answer> {
  const body = variablesJson
    ? `{"query": ${JSON.stringify(query)}, "variables": ${variablesJson}}`
    : JSON.stringify(variables === undefined ? { query } : { query, variables });
  return post(body, { "content-type": "application/json" });
}

/** An answer that refuses: no 5xx, JSON, and every error with a code. */
function expectRefused(answer: Answer, context: unknown): void {
  const summary = { context, status: answer.status, body: answer.body ?? answer.text.slice(0, 300) };
  if (answer.status >= 500 || !answer.body || !Array.isArray(answer.body.errors) || answer.body.errors.length === 0) {
    throw new Error(`not refused with coded errors: ${JSON.stringify(summary).slice(0, 2000)}`);
  }
  expect(answer.contentType).toMatch(/^application\/(graphql-response\+)?json/);
  for (const error of answer.body.errors) {
    if (typeof error?.extensions?.code !== "string" || typeof error.message !== "string") {
      throw new Error(`an error without a code: ${JSON.stringify(summary).slice(0, 2000)}`);
    }
    expect(error.extensions.code).not.toBe("INTERNAL_SERVER_ERROR");
  }
  // A refused mutation answers no data for its field.
  const data = answer.body.data;
  if (data) for (const value of Object.values(data)) expect(value).toBeNull();
}

/** Transport-level garbage: a 4xx with a JSON body of coded errors. */
function expectTransportRefused(answer: Answer, context: unknown): void {
  expectRefused(answer, context);
  if (answer.status < 400 || answer.status >= 500) throw new Error(`expected a 4xx for ${JSON.stringify(context).slice(0, 300)}, got ${answer.status}`);
}

// ------------------------------------------------------------------ hostile values

const controlChar = fc.integer({ min: 0, max: 31 }).map((code) => String.fromCharCode(code)).filter((c) => c !== "\t" && c !== "\n" && c !== "\r");
const withControlChar = (base: string) => fc.tuple(fc.string({ maxLength: 20 }), controlChar, fc.string({ maxLength: 20 })).map(([a, c, b]) => `${base}${a}${c}${b}`);
const hugeString = fc.integer({ min: 20_000, max: 150_000 }).chain((n) => fc.constantFrom("x", "é", "😀", " ", "\u0000").map((c) => c.repeat(Math.ceil(n / c.length))));

/** Not a String: GraphQL's String input refuses all of these. */
const notAString = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.array(fc.string(), { minLength: 1, maxLength: 3 }),
  fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), fc.string(), { minKeys: 1, maxKeys: 3 }),
);
/** Not an Int (32-bit): floats, huge numbers, strings, booleans, objects. */
const notAnInt = fc.oneof(
  fc.constantFrom(2 ** 31, -(2 ** 31) - 1, 1e308, -1e308, Number.MAX_SAFE_INTEGER, 0.5, 1.5, -0.1, "1", "NaN", "Infinity", true, [1], { n: 1 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Number.isInteger(n)),
  fc.bigInt({ min: 2n ** 31n, max: 2n ** 80n }).map((n) => Number(n)),
);
const notAnEnum = (values: readonly string[]) =>
  fc.oneof(fc.string({ maxLength: 30 }).filter((s) => !values.includes(s)), fc.constantFrom("", "admin", "null", "__proto__", "constructor"), notAString);
/** Ids that name nothing (ids are UUIDs). */
const badId = fc.oneof(
  fc.constantFrom("", "0", "-1", "' OR 1=1 --", "00000000-0000-0000-0000-000000000000", "NaN", "../../etc/passwd", "\u0000", "1e400"),
  fc.string({ maxLength: 64 }),
  fc.uuid(),
  hugeString,
  fc.integer(),
);
/** An empty `after` means "from the start", like no cursor: not among the bad ones. */
const badCursor = fc.oneof(
  fc.constantFrom("x", "W10", "WyJhIl0", "eyJ9", "null", "WzEsMiwzXQ", "WyJ6enoiLHt9XQ"),
  fc.string({ minLength: 1, maxLength: 80 }),
  fc.base64String({ minLength: 4, maxLength: 120 }),
  hugeString,
  // Forged key lists no connection here accepts: 0 or 3 keys (they take 1 or 2), or a key that is neither string nor number.
  fc.oneof(
    fc.constantFrom(0, 3).chain((n) => fc.array(fc.oneof(fc.string(), fc.integer()), { minLength: n, maxLength: n })),
    fc.tuple(fc.oneof(fc.constant(null), fc.object(), fc.array(fc.integer())), fc.string()),
  ).map(encodeKeys),
);
function encodeKeys(keys: unknown[]): string {
  return Buffer.from(JSON.stringify(keys)).toString("base64url");
}
/** For connections ordered by a date: a first key that is no date. */
const badDateCursor = fc.oneof(badCursor, fc.tuple(fc.constantFrom("", "not a date", "NaN", 1e308, -1e308, 8.64e15 + 1), fc.uuid()).map(encodeKeys));
const badFirst = fc.oneof(fc.integer({ min: -(2 ** 31), max: 0 }), fc.integer({ min: 501, max: 2 ** 31 - 1 }), notAnInt);
const badUrl = fc.oneof(
  fc.constantFrom("not a url", "ftp://127.0.0.1/x", "file:///etc/passwd", "javascript:alert(1)", "http://127.0.0.1:5000", "https://user:pw@127.0.0.1", "https://127.0.0.1/?q=1", "https://127.0.0.1/#x", "https://", "//127.0.0.1", "https://[::1", "https://127.0.0.1:99999"),
  fc.string({ maxLength: 40 }).map((s) => `gopher://${s}`),
  withControlChar("https://127.0.0.1/"),
  hugeString.map((s) => `https://127.0.0.1/${s}`),
);
const unknownField = fc.string({ minLength: 1, maxLength: 20 }).filter((s) => /^[A-Za-z_]\w*$/.test(s));

type Input = Record<string, unknown>;
/** One defect applied to a valid input: the changed input. */
type Defect = fc.Arbitrary<(input: Input) => Input>;
const set = (field: string, value: fc.Arbitrary<unknown>): Defect => value.map((v) => (input: Input) => ({ ...input, [field]: v }));
const drop = (field: string): Defect => fc.constant((input: Input) => Object.fromEntries(Object.entries(input).filter(([key]) => key !== field)));
const extraField = (known: readonly string[]): Defect =>
  fc.tuple(unknownField.filter((f) => !known.includes(f)), fc.jsonValue()).map(([field, value]) => (input: Input) => ({ ...input, [field]: value }));
/** A valid base with one to three defects. */
const defective = (base: fc.Arbitrary<Input>, defects: Defect[]) =>
  fc.tuple(base, fc.array(fc.oneof(...defects), { minLength: 1, maxLength: 3 })).map(([input, changes]) => changes.reduce((acc, change) => change(acc), input));

// ------------------------------------------------------------------ operations

const REGISTRY_FIELDS = ["name", "description", "type", "url", "apiUrl", "repositoryPathMethod", "repositoryKey", "insecure", "caCertificate", "authMethod", "username", "secret", "scanTimeoutMinutes"];
const REGISTRY_TYPES = ["DOCKER_REGISTRY", "HARBOR", "GITLAB", "ARTIFACTORY", "NEXUS", "DOCKER_HUB", "YANDEX"];
const validRegistry: fc.Arbitrary<Input> = fc
  .record({ name: fc.stringMatching(/^[a-z][a-z0-9-]{0,30}$/), insecure: fc.boolean(), scanTimeoutMinutes: fc.integer({ min: 1, max: 1440 }) })
  .map((r) => ({ ...r, name: `fuzz-${r.name}`, type: "DOCKER_REGISTRY", url: "https://127.0.0.1:9", authMethod: "NONE" }));
const registryDefects: Defect[] = [
  set("name", fc.oneof(notAString, hugeString, withControlChar("n"), fc.constantFrom("", "   ", "\t\n", "x".repeat(101)))),
  set("type", notAnEnum(REGISTRY_TYPES)),
  set("authMethod", notAnEnum(["ACCOUNT", "API_KEY", "NONE"])),
  set("repositoryPathMethod", notAnEnum(["REPOSITORY_PATH", "SUBDOMAIN", "PORT"])),
  set("url", badUrl),
  set("apiUrl", fc.oneof(badUrl, notAString)),
  set("scanTimeoutMinutes", fc.oneof(notAnInt, fc.integer({ min: -1000, max: 0 }), fc.integer({ min: 1441, max: 2 ** 31 - 1 }))),
  set("insecure", fc.oneof(fc.string(), fc.integer(), fc.constant([true]))),
  set("description", fc.oneof(notAString, hugeString)),
  set("caCertificate", fc.oneof(fc.string({ maxLength: 200 }), fc.constant("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"), hugeString)),
  set("username", fc.oneof(hugeString, fc.constant(""), withControlChar("u"))),
  set("secret", fc.oneof(hugeString, fc.constant(""), notAString)),
  set("repositoryKey", fc.oneof(hugeString, fc.constant(""), withControlChar("k"))),
  extraField(REGISTRY_FIELDS),
];
const requiredRegistryDefects: Defect[] = [...registryDefects, drop("name"), drop("type"), drop("authMethod")];

const POLICY_FIELDS = ["mode", "schedule", "timezone", "rescan", "criteriaEnabled", "criteria", "condition", "createdWithin", "latestTags", "neverPull", "alwaysPull", "platforms"];
const pattern = fc.stringMatching(/^[a-z0-9*]{1,10}(:[a-z0-9*]{1,5})?$/);
const validPolicy: fc.Arbitrary<Input> = fc.record({
  mode: fc.constantFrom("MANUAL", "AUTOMATIC"),
  schedule: fc.constant("0 3 * * *"),
  timezone: fc.constantFrom("UTC", "Europe/Berlin"),
  criteria: fc.array(pattern, { maxLength: 3 }),
  condition: fc.constant("CREATED_WITHIN"),
  createdWithin: fc.record({ amount: fc.integer({ min: 1, max: 100 }), unit: fc.constantFrom("DAYS", "MONTHS", "YEARS") }),
  platforms: fc.constant(["linux/amd64"]),
});
const badPattern = fc.oneof(hugeString, fc.constantFrom("", "UPPER", "a b", "a::b", ":", "a:b:c", "name:tag/x", "é"), withControlChar("a"));
const policyDefects: Defect[] = [
  set("mode", notAnEnum(["MANUAL", "AUTOMATIC"])),
  fc.oneof(fc.constantFrom("* * * * *", "not cron", "", "61 * * * *", "0 0 31 2 *", "* * * * * * *", "*/1 * * * *"), withControlChar("0 3 * * *"), hugeString).map(
    (schedule) => (input: Input) => ({ ...input, mode: "AUTOMATIC", schedule }),
  ),
  set("timezone", fc.oneof(fc.constantFrom("Mars/Olympus", "UTC+99", "", "../../etc/localtime"), hugeString, withControlChar("UTC"), notAString)),
  set("condition", notAnEnum(["NONE", "CREATED_WITHIN", "LATEST"])),
  fc.oneof(notAnInt, fc.integer({ min: -1000, max: 0 }), fc.integer({ min: 10_001, max: 2 ** 31 - 1 })).map((latestTags) => (input: Input) => ({ ...input, condition: "LATEST", latestTags })),
  fc.constant((input: Input) => ({ ...input, condition: "LATEST", latestTags: null })),
  set("createdWithin", fc.oneof(
    fc.record({ amount: fc.oneof(notAnInt, fc.integer({ min: -100, max: 0 }), fc.integer({ min: 10_001, max: 2 ** 31 - 1 })), unit: fc.constant("DAYS") }),
    fc.record({ amount: fc.constant(1), unit: notAnEnum(["DAYS", "MONTHS", "YEARS"]) }),
    fc.constant({}),
    notAString,
  )),
  ...["criteria", "neverPull", "alwaysPull"].map((field) =>
    set(field, fc.oneof(
      fc.array(badPattern, { minLength: 1, maxLength: 3 }),
      fc.integer({ min: 101, max: 5000 }).map((n) => Array.from({ length: n }, (_, i) => `repo-${i}`)),
      fc.array(fc.integer(), { minLength: 1, maxLength: 3 }),
    )),
  ),
  set("platforms", fc.oneof(fc.array(fc.constantFrom("linux", "Linux/AMD64", "", "linux/amd64/v8/x", "../x/y"), { minLength: 1, maxLength: 3 }), fc.constant(Array(21).fill("linux/amd64")), fc.constant([]))),
  set("rescan", fc.oneof(fc.string(), fc.integer())),
  extraField(POLICY_FIELDS),
];

/** A reference that cannot be a valid repo:tag or repo@digest. */
const badReference = fc.oneof(
  fc.constantFrom("", " ", "repo", "repo:", ":tag", "re po:1", "repo@sha256:abc", "repo@md5:" + "a".repeat(32), "../../etc:passwd", "a//b:1", "-a:1"),
  withControlChar("repo:"),
  hugeString.map((s) => `repo:${s}`),
  hugeString,
);

interface Probe {
  name: string;
  query: string;
  variables?: unknown;
  /** Variables as JSON text, for values too deep to build and stringify here. */
  variablesJson?: string;
}
const probe = (name: string, query: string) => (variables: unknown): Probe => ({ name, query, variables });

const SEVERITIES = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN"];
const mutations: fc.Arbitrary<Probe>[] = [
  defective(validRegistry, requiredRegistryDefects).map((input) => probe("addRegistry", `mutation($input: AddRegistryInput!) { addRegistry(input: $input) { id } }`)({ input })),
  fc.oneof(
    defective(validRegistry, registryDefects).map((input) => ({ input, id: registryId })),
    fc.tuple(badId, validRegistry).map(([id, input]) => ({ id, input: { ...input, name: `edited-${input.name}` } })),
    fc.constant({ input: { type: "HARBOR" } }).map((v) => ({ ...v, id: registryId })),
  ).map(probe("editRegistry", `mutation($id: ID!, $input: EditRegistryInput!) { editRegistry(id: $id, input: $input) { id } }`)),
  fc.oneof(
    defective(validPolicy, policyDefects).map((input) => ({ input, registryId })),
    fc.tuple(badId, validPolicy).map(([id, input]) => ({ registryId: id, input })),
  ).map(probe("editPullPolicy", `mutation($registryId: ID!, $input: PullPolicyInput!) { editPullPolicy(registryId: $registryId, input: $input) { registryId } }`)),
  fc.oneof(
    fc.array(badReference, { minLength: 1, maxLength: 5 }).map((references) => ({ registryId, references })),
    fc.integer({ min: 101, max: 20_000 }).map((n) => ({ registryId, references: Array.from({ length: n }, (_, i) => `repo:${i}`) })),
    fc.constant([]).map((references) => ({ registryId, references })),
    fc.tuple(badId, fc.array(fc.constant("repo:1"), { minLength: 1, maxLength: 3 })).map(([id, references]) => ({ registryId: id, references })),
    fc.array(notAString, { minLength: 1, maxLength: 3 }).map((references) => ({ registryId, references })),
    fc.constant([null]).map((references) => ({ registryId, references })),
  ).map(probe("addScanJobs", `mutation($registryId: ID!, $references: [String!]!) { addScanJobs(registryId: $registryId, references: $references) { reference status scanJob { id } } }`)),
  fc.oneof(
    fc.constantFrom("/etc/passwd", "../../etc/passwd", "file:///etc/passwd", "ftp://127.0.0.1/x.zip", "", "   ", "C:\\osv", "\\\\server\\share", "/", "osv/../../../../etc", "gopher://x", "data:application/json,{}", "javascript:1"),
    withControlChar("/tmp/"),
    hugeString,
    notAString,
  ).map((source) => probe("importVulnerabilities", `mutation($source: String!) { importVulnerabilities(source: $source) { id } }`)({ source })),
  fc.oneof(
    fc.tuple(notAnEnum(["ADMIN", "OPERATOR", "VIEWER"]), fc.string({ minLength: 1, maxLength: 20 })).map(([role, name]) => ({ role, name: `fuzz ${name}` })),
    fc.oneof(hugeString, fc.constantFrom("", "   "), notAString).map((name) => ({ role: "VIEWER", name })),
  ).map(probe("createApiToken", `mutation($role: Role!, $name: String!) { createApiToken(role: $role, name: $name) { token } }`)),
  badId.map((id) => probe("revokeApiToken", `mutation($id: ID!) { revokeApiToken(id: $id) { id } }`)({ id })),
  fc.oneof(fc.array(badId, { minLength: 1, maxLength: 4 }), fc.tuple(badId).map(([id]) => [registryId, id]), fc.constant([])).map((ids) =>
    probe("deleteRegistries", `mutation($ids: [ID!]!) { deleteRegistries(ids: $ids) }`)({ ids }),
  ),
  fc.array(badId, { minLength: 1, maxLength: 4 }).map((ids) => probe("deleteScanJobs", `mutation($ids: [ID!]!) { deleteScanJobs(ids: $ids) { id } }`)({ ids })),
  badId.map((id) => probe("retryScanJob", `mutation($id: ID!) { retryScanJob(id: $id) { id } }`)({ id })),
  badId.map((id) => probe("syncRegistry", `mutation($id: ID!) { syncRegistry(id: $id) { id } }`)({ id })),
  fc.oneof(
    defective(validRegistry, requiredRegistryDefects).map((input) => ({ input })),
    badId.map((id) => ({ id })),
    fc.constant({}),
  ).map(probe("testRegistryConnection", `mutation($id: ID, $input: AddRegistryInput) { testRegistryConnection(id: $id, input: $input) { ok } }`)),
];

const IMAGE_FILTER_FIELDS = ["registryId", "repository", "tag", "digest", "removed", "current", "minSeverity"];
const pageDefects = (cursor = badCursor) =>
  fc.oneof(
    badFirst.map((first) => ({ first })),
    cursor.map((after) => ({ after })),
    notAString.map((after) => ({ after })),
  );
const queries: fc.Arbitrary<Probe>[] = [
  fc.oneof(
    pageDefects(badDateCursor),
    notAnEnum(SEVERITIES).map((minSeverity) => ({ filter: { minSeverity } })),
    fc.tuple(unknownField.filter((f) => !IMAGE_FILTER_FIELDS.includes(f)), fc.jsonValue()).map(([field, value]) => ({ filter: { [field]: value } })),
    fc.constantFrom("removed", "current").chain((field) => fc.oneof(fc.string(), fc.integer()).map((value) => ({ filter: { [field]: value } }))),
    notAString.map((repository) => ({ filter: { repository } })),
    notAString.map((filter) => ({ filter })),
  ).map(probe("images", `query($first: Int, $after: String, $filter: ImageFilter) { images(first: $first, after: $after, filter: $filter) { totalCount nodes { id vulnerabilitySummary { total } } } }`)),
  fc.oneof(
    pageDefects(),
    notAnEnum(REGISTRY_TYPES).map((type) => ({ filter: { type } })),
    fc.oneof(hugeString, fc.constant("x".repeat(101))).map((nameContains) => ({ filter: { nameContains } })),
  ).map(probe("registries", `query($first: Int, $after: String, $filter: RegistryFilter) { registries(first: $first, after: $after, filter: $filter) { totalCount } }`)),
  fc.oneof(pageDefects(badDateCursor), notAnEnum(["QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED"]).map((status) => ({ filter: { status } }))).map(
    probe("scanJobs", `query($first: Int, $after: String, $filter: ScanJobFilter) { scanJobs(first: $first, after: $after, filter: $filter) { totalCount } }`),
  ),
  fc.oneof(pageDefects(badDateCursor).map((v) => ({ ...v, registryId })), badId.map((registryId) => ({ registryId }))).map(
    probe("syncRuns", `query($registryId: ID!, $first: Int, $after: String) { syncRuns(registryId: $registryId, first: $first, after: $after) { totalCount } }`),
  ),
  pageDefects(badDateCursor).map(probe("importRuns", `query($first: Int, $after: String) { importRuns(first: $first, after: $after) { totalCount } }`)),
  fc.oneof(
    defective(validPolicy, policyDefects).map((policy) => ({ registryId, policy })),
    badId.map((id) => ({ registryId: id })),
    pageDefects().map((v) => ({ ...v, registryId })),
  ).map(probe("previewPullPolicy", `query($registryId: ID!, $policy: PullPolicyInput, $first: Int, $after: String) { previewPullPolicy(registryId: $registryId, policy: $policy, first: $first, after: $after) { totalCount } }`)),
  fc.tuple(fc.constantFrom("image", "registry", "scanJob", "importRun"), badId).map(([field, id]) => probe(field, `query($id: ID!) { ${field}(id: $id) { id } }`)({ id })),
  fc.oneof(
    badReference.map((reference) => ({ registryId, reference })),
    badId.map((id) => ({ registryId: id, reference: "repo:1" })),
  ).map(probe("imageByReference", `query($registryId: ID!, $reference: String!) { imageByReference(registryId: $registryId, reference: $reference) { id } }`)),
];

/** Documents that are not valid operations: syntax garbage, unknown fields, literals of the wrong kind, too deep. */
const documents: fc.Arbitrary<Probe> = fc.oneof(
  fc.string({ maxLength: 200 }).map((query) => ({ name: "garbage", query })),
  fc.constantFrom("{", "}", "query {", "{ registries { totalCount }", "mutation { }", "subscription { x }", "{ __schema { types { name } } } { x }", "query Q { registries { totalCount } } query Q { registries { totalCount } }").map((query) => ({ name: "syntax", query })),
  unknownField.map((field) => ({ name: "unknown field", query: `{ registries { nodes { ${field}Zz } } }` })),
  unknownField.map((field) => ({ name: "unknown root", query: `{ ${field}Zz }` })),
  fc.constantFrom("NaN", "Infinity", "-Infinity", "1e400", "99999999999999999999", "1.5", '"60"', "true", "0", "[1]", "{a: 1}").map((literal) => ({
    name: "literal",
    query: `mutation { addRegistry(input: { name: "lit", type: DOCKER_REGISTRY, url: "https://127.0.0.1:9", authMethod: NONE, scanTimeoutMinutes: ${literal} }) { id } }`,
  })),
  fc.constantFrom("NaN", "Infinity", "1e400", "-1", "0", "501", '"10"', "null").map((literal) => ({ name: "first literal", query: `{ images(first: ${literal}) { totalCount } }` })),
  fc.constantFrom("docker_registry", '"DOCKER_REGISTRY"', "NOPE", "1", "null").map((literal) => ({
    name: "enum literal",
    query: `mutation { addRegistry(input: { name: "lit", type: ${literal}, url: "https://127.0.0.1:9", authMethod: NONE }) { id } }`,
  })),
  fc.integer({ min: MAX_QUERY_DEPTH + 1, max: 3000 }).map((depth) => ({
    name: "deep selection",
    query: `{ images(first: 1) { nodes { ${"registry { pullPolicy { registryId } lastSync { id } } ".repeat(0)}${"scanJobs(first: 1) { nodes { image { ".repeat(Math.ceil(depth / 4))}id${" } } }".repeat(Math.ceil(depth / 4))} } } }`,
  })),
  fc.integer({ min: 50, max: 3000 }).map((depth) => ({ name: "deep braces", query: "{".repeat(depth) + "}".repeat(depth) })),
  fc.integer({ min: 50, max: 5000 }).map((depth) => ({
    name: "deep input literal",
    query: `mutation { editPullPolicy(registryId: "x", input: { criteria: ${"[".repeat(depth)}"a"${"]".repeat(depth)} }) { registryId } }`,
  })),
  fc.integer({ min: 50, max: 10_000 }).map((depth) => ({
    name: "deep variable",
    query: `mutation($references: [String!]!) { addScanJobs(registryId: "x", references: $references) { status } }`,
    variablesJson: `{"references": ${"[".repeat(depth)}"a"${"]".repeat(depth)}}`,
  })),
  fc.integer({ min: 200, max: 600 }).map((n) => ({ name: "many aliases", query: `{ ${Array.from({ length: n }, (_, i) => `a${i}: registries(first: 500) { nodes { id name url } }`).join(" ")} }` })),
  fc.integer({ min: 1, max: 3 }).map((n) => ({ name: "no operation", query: `fragment F${n} on Registry { id }` })),
);

/** Refused, or (addScanJobs only) every reference answered without a scan job. */
function expectNothingAccepted(probe: Probe, answer: Answer): void {
  if (probe.name === "addScanJobs" && Array.isArray(answer.body?.data?.addScanJobs)) {
    expect(answer.status).toBe(200);
    for (const result of answer.body.data.addScanJobs) {
      expect({ status: result.status, scanJob: result.scanJob }).toEqual({ status: expect.stringMatching(/^(INVALID|NOT_FOUND|REGISTRY_ERROR)$/), scanJob: null });
    }
    return;
  }
  expectRefused(answer, { name: probe.name, variables: JSON.stringify(probe.variables ?? null).slice(0, 300), query: probe.query.slice(0, 200) });
}

/** fast-check's own report prints whole counterexamples (megabytes here): this one keeps the error and a short sample. */
function compactReport<T>(details: fc.RunDetails<T>): void {
  if (!details.failed) return;
  let sample: string;
  try {
    sample = String(JSON.stringify(details.counterexample)).slice(0, 500);
  } catch (error) {
    sample = `(not printable: ${(error as Error).message})`;
  }
  const reason = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  throw new Error(`seed ${details.seed}, path ${details.counterexamplePath}: ${reason.slice(0, 1500)}\ncounterexample: ${sample}`);
}

const settings = <T>(numRuns: number): fc.Parameters<T> => ({ seed: SEED, endOnFailure: true, reporter: compactReport, numRuns });

async function check(arbitrary: fc.Arbitrary<Probe>, numRuns: number): Promise<void> {
  await fc.assert(
    fc.asyncProperty(arbitrary, async (probe) => {
      expectNothingAccepted(probe, await sendGraphql(probe));
    }),
    settings(numRuns),
  );
}

describe("malformed GraphQL inputs are refused with coded errors", () => {
  test.each(mutations.map((arbitrary, index) => [index, arbitrary] as const))("mutation group %i", async (_index, arbitrary) => {
    await check(arbitrary, RUNS.graphql);
  });

  test.each(queries.map((arbitrary, index) => [index, arbitrary] as const))("query group %i", async (_index, arbitrary) => {
    await check(arbitrary, RUNS.graphql);
  });

  test("documents that are not valid operations", async () => {
    await check(documents, RUNS.graphql * 2);
  });
});

// ------------------------------------------------------------------ transport

const VALID_BODY = JSON.stringify({ query: "{ registries { totalCount } }" });

interface RawRequest {
  name: string;
  body: string | Buffer;
  headers: Record<string, string>;
  method?: "POST" | "GET";
  path?: string;
}

const transport: fc.Arbitrary<RawRequest> = fc.oneof(
  // Broken JSON, including NaN/Infinity (not JSON) and truncations of a valid body.
  fc.oneof(
    fc.integer({ min: 1, max: VALID_BODY.length - 1 }).map((cut) => VALID_BODY.slice(0, cut)),
    fc.constantFrom('{"query": NaN}', '{"query":"{ images(first: 1) { totalCount } }","variables":{"x": Infinity}}', "{'query': 1}", "{,}", "[,]", '{"query":"x",}', "\u0000", "{\"query\":\"\\ud800\"", "undefined"),
    fc.string({ maxLength: 100 }).filter((s) => {
      try {
        JSON.parse(s);
        return false;
      } catch {
        return true;
      }
    }),
  ).map((body) => ({ name: "broken JSON", body, headers: { "content-type": "application/json" } })),
  // JSON that is not a GraphQL request.
  fc.oneof(fc.constantFrom("null", "1", '"x"', "true", "{}", '{"query": 1}', '{"query": null}', '{"query": ""}', '{"query": "{ registries { totalCount } }", "variables": "x"}', '{"query": "{ registries { totalCount } }", "variables": [1]}', '{"query": "{ registries { totalCount } }", "operationName": 7}', '{"query": "{ registries { totalCount } }", "extensions": "x"}'), fc.jsonValue().map((v) => JSON.stringify(v)).filter((s) => !s.startsWith("{") && !s.startsWith("[")))
    .map((body) => ({ name: "not a request", body, headers: { "content-type": "application/json" } })),
  // Batched arrays (batching is off).
  fc.array(fc.constant({ query: "{ registries { totalCount } }" }), { minLength: 0, maxLength: 50 }).map((batch) => ({ name: "batch", body: JSON.stringify(batch), headers: { "content-type": "application/json" } })),
  // Wrong or missing content types.
  fc.tuple(
    fc.constantFrom("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "application/graphql", "image/png", "", "application/json; charset=latin1", "application/json; charset=koi8-r", "*/*"),
    fc.constantFrom(VALID_BODY, "query=%7Bregistries%7BtotalCount%7D%7D", "<x/>", "{ registries { totalCount } }"),
  ).map(([contentType, body]) => ({ name: `content-type ${contentType}`, body, headers: contentType ? { "content-type": contentType } : ({} as Record<string, string>) })),
  // Bodies over the 1 MB limit, also with a declared encoding that is garbage.
  fc.integer({ min: 1_100_000, max: 3_000_000 }).map((size) => ({
    name: "oversized",
    body: JSON.stringify({ query: "{ registries { totalCount } }", variables: { pad: "x".repeat(size) } }),
    headers: { "content-type": "application/json" },
  })),
  fc.constantFrom("gzip", "deflate", "br", "x-unknown").map((encoding) => ({ name: `content-encoding ${encoding}`, body: Buffer.from("not compressed at all"), headers: { "content-type": "application/json", "content-encoding": encoding } })),
  // GET: a mutation, no query, garbage parameters.
  fc.constantFrom("", "?query=mutation%7BdeleteRegistries(ids:[])%7D", "?query=%7B", "?variables=%7B", "?query=%7Bregistries%7BtotalCount%7D%7D&variables=x").map((query) => ({
    name: "GET",
    body: "",
    headers: { "content-type": "application/json", "apollo-require-preflight": "1" },
    method: "GET" as const,
    path: `/graphql${query}`,
  })),
);

describe("transport-level garbage is a 4xx with a JSON body of coded errors", () => {
  test("broken JSON, wrong content types, oversized or batched bodies, bad encodings, bad GETs", async () => {
    await fc.assert(
      fc.asyncProperty(transport, async (raw) => {
        const answer = await post(raw.body, raw.headers, raw.method ?? "POST", raw.path);
        expectTransportRefused(answer, { name: raw.name, body: String(raw.body).slice(0, 200) });
      }),
      settings(RUNS.transport * 5),
    );
  });
});

test("at least 2,000 hostile requests were sent, and the database is unchanged", async () => {
  expect(sent).toBeGreaterThanOrEqual(2000);
  expect(await databaseChecksum()).toBe(before);
  // The server still answers normally.
  const answer = await server.gql(`{ registries { totalCount } }`);
  expect(answer.data?.registries.totalCount).toBe(1);
});
