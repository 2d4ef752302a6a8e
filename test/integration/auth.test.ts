import { randomUUID } from "node:crypto";
import type { GraphQLSchema } from "graphql";
import { request } from "undici";
import type { DataSource } from "typeorm";
import type { Image } from "../../db/entities";
import { ScanJobStatus } from "../../db/enums";
import { openMysql } from "../../db/mysql";
import { buildDrydockSchema } from "../../server/graphql/schema";
import { seedImage, seedImportRun, seedScanJob } from "../helpers/scan-rows";
import { errorCode, type GraphQLAnswer, startTestServer, type TestServer } from "../helpers/server";
import { firstAnswer } from "../helpers/subscriptions";

type Role = "ADMIN" | "OPERATOR" | "VIEWER";
type Caller = Role | "none";

/**
 * DESIGN §5: the least role each operation of the live schema needs. Every
 * operation of the schema must be listed, and nothing else: a new operation
 * fails this test until it is added here (with a request in REQUESTS below).
 */
const LEAST_ROLE: Record<string, Role> = {
  // queries
  registries: "VIEWER",
  registry: "VIEWER",
  registryTypes: "VIEWER",
  apiTokens: "ADMIN",
  // mutations
  addRegistry: "ADMIN",
  editRegistry: "ADMIN",
  deleteRegistries: "ADMIN",
  rotateWebhookSecret: "ADMIN",
  editPullPolicy: "ADMIN",
  createApiToken: "ADMIN",
  revokeApiToken: "ADMIN",
  syncRegistry: "OPERATOR",
  syncRuns: "VIEWER",
  testRegistryConnection: "OPERATOR",
  previewPullPolicy: "VIEWER",
  addScanJobs: "OPERATOR",
  images: "VIEWER",
  image: "VIEWER",
  imageByReference: "VIEWER",
  scanJobs: "VIEWER",
  scanJob: "VIEWER",
  deleteScanJobs: "OPERATOR",
  retryScanJob: "OPERATOR",
  importVulnerabilities: "ADMIN",
  importRun: "VIEWER",
  importRuns: "VIEWER",
  // subscriptions (over WebSocket)
  scanJobUpdated: "VIEWER",
  syncRunUpdated: "VIEWER",
};

const RANK: Record<Role, number> = { VIEWER: 1, OPERATOR: 2, ADMIN: 3 };
const CALLERS: Caller[] = ["none", "VIEWER", "OPERATOR", "ADMIN"];

interface Probe {
  query: string;
  variables?: Record<string, unknown>;
  /** True when the answer shows the resolver ran (its result, or an error only it raises). */
  reached(answer: GraphQLAnswer<any>): boolean;
  /** Sent over WebSocket (graphql-ws) as a subscription of this field, not POSTed. */
  subscription?: string;
}

let server: TestServer;
let registryId: string;
let db: DataSource;
let image: Image;
let counter = 0;
const unique = (prefix: string) => `${prefix}-${++counter}-${randomUUID().slice(0, 8)}`;

async function adminGql(query: string, variables?: Record<string, unknown>) {
  const answer = await server.gql(query, variables);
  if (answer.errors) throw new Error(`setup request failed: ${JSON.stringify(answer.errors)}`);
  return answer.data as Record<string, any>;
}

async function addRegistry(name: string): Promise<string> {
  const data = await adminGql(
    `mutation($input: AddRegistryInput!) { addRegistry(input: $input) { id } }`,
    // A closed loopback port: probes that reach a registry fail fast, without DNS.
    { input: { name, type: "DOCKER_REGISTRY", url: "http://127.0.0.1:9", insecure: true, authMethod: "NONE" } },
  );
  return data.addRegistry.id;
}

/**
 * One request per operation, built afresh for each caller. Each would change
 * state if it ran, so a refused call can be checked to have stored nothing.
 */
const REQUESTS: Record<string, () => Promise<Probe>> = {
  async registries() {
    return {
      query: `{ registries(first: 500) { totalCount nodes { id } } }`,
      reached: (a) => a.data?.registries?.nodes?.some((n: { id: string }) => n.id === registryId) === true,
    };
  },
  async registry() {
    return {
      query: `query($id: ID!) { registry(id: $id) { id } }`,
      variables: { id: registryId },
      reached: (a) => a.data?.registry?.id === registryId,
    };
  },
  async testRegistryConnection() {
    return {
      query: `mutation($id: ID!) { testRegistryConnection(id: $id) { ok checks { name ok } } }`,
      variables: { id: registryId },
      reached: (a) => Array.isArray(a.data?.testRegistryConnection?.checks),
    };
  },
  async addScanJobs() {
    return {
      query: `mutation($id: ID!) { addScanJobs(registryId: $id, references: ["not a reference"]) { status } }`,
      variables: { id: registryId },
      reached: (a) => a.data?.addScanJobs?.[0]?.status === "INVALID",
    };
  },
  async previewPullPolicy() {
    return {
      query: `query($id: ID!) { previewPullPolicy(registryId: $id, policy: { mode: MANUAL }) { totalCount } }`,
      variables: { id: registryId },
      // No stored listing: the resolver lists afresh and meets the closed port.
      reached: (a) => a.errors?.[0]?.extensions?.code === "REGISTRY_UNREACHABLE",
    };
  },
  async scanJobUpdated() {
    return unknownRegistrySubscription("scanJobUpdated");
  },
  async syncRunUpdated() {
    return unknownRegistrySubscription("syncRunUpdated");
  },
  async syncRuns() {
    return {
      query: `query($id: ID!) { syncRuns(registryId: $id) { totalCount } }`,
      variables: { id: registryId },
      reached: (a) => typeof a.data?.syncRuns?.totalCount === "number",
    };
  },
  async syncRegistry() {
    return {
      query: `mutation($id: ID!) { syncRegistry(id: $id) { id } }`,
      variables: { id: registryId },
      reached: (a) => a.data?.syncRegistry?.id === registryId,
    };
  },
  async images() {
    return {
      query: `{ images(first: 500) { nodes { id } } }`,
      reached: (a) => a.data?.images?.nodes?.some((n: { id: string }) => n.id === image.id) === true,
    };
  },
  async image() {
    return {
      query: `query($id: ID!) { image(id: $id) { id } }`,
      variables: { id: image.id },
      reached: (a) => a.data?.image?.id === image.id,
    };
  },
  async imageByReference() {
    return {
      query: `query($id: ID!, $reference: String!) { imageByReference(registryId: $id, reference: $reference) { id } }`,
      variables: { id: registryId, reference: `${image.repository}:${image.tag}` },
      reached: (a) => a.data?.imageByReference?.[0]?.id === image.id,
    };
  },
  async scanJobs() {
    const job = await seedScanJob(db, image);
    return {
      query: `{ scanJobs(first: 500) { nodes { id } } }`,
      reached: (a) => a.data?.scanJobs?.nodes?.some((n: { id: string }) => n.id === job.id) === true,
    };
  },
  async scanJob() {
    const job = await seedScanJob(db, image);
    return {
      query: `query($id: ID!) { scanJob(id: $id) { id } }`,
      variables: { id: job.id },
      reached: (a) => a.data?.scanJob?.id === job.id,
    };
  },
  async deleteScanJobs() {
    const job = await seedScanJob(db, image);
    return {
      query: `mutation($ids: [ID!]!) { deleteScanJobs(ids: $ids) { id status } }`,
      variables: { ids: [job.id] },
      reached: (a) => a.data?.deleteScanJobs?.[0]?.status === "CANCELLED",
    };
  },
  async retryScanJob() {
    // An image of its own: a retry is refused while the image has another scan queued.
    const job = await seedScanJob(db, await seedImage(db, registryId, { repository: unique("retry") }), { status: ScanJobStatus.FAILED });
    return {
      query: `mutation($id: ID!) { retryScanJob(id: $id) { id status } }`,
      variables: { id: job.id },
      reached: (a) => a.data?.retryScanJob?.status === "QUEUED",
    };
  },
  async importVulnerabilities() {
    // A URL is checked, not fetched: the host need not exist.
    const source = `https://osv.invalid/${unique("import")}.zip`;
    return {
      query: `mutation($source: String!) { importVulnerabilities(source: $source) { id source } }`,
      variables: { source },
      reached: (a) => a.data?.importVulnerabilities?.source === source,
    };
  },
  async importRun() {
    const run = await seedImportRun(db);
    return {
      query: `query($id: ID!) { importRun(id: $id) { id } }`,
      variables: { id: run.id },
      reached: (a) => a.data?.importRun?.id === run.id,
    };
  },
  async importRuns() {
    const run = await seedImportRun(db);
    return {
      query: `{ importRuns(first: 500) { nodes { id } } }`,
      reached: (a) => a.data?.importRuns?.nodes?.some((n: { id: string }) => n.id === run.id) === true,
    };
  },
  async registryTypes() {
    return {
      query: `{ registryTypes { type } }`,
      reached: (a) => Array.isArray(a.data?.registryTypes) && a.data.registryTypes.length > 0,
    };
  },
  async apiTokens() {
    return {
      query: `{ apiTokens { id name } }`,
      reached: (a) => a.data?.apiTokens?.some((t: { name: string }) => t.name === "first admin") === true,
    };
  },
  async addRegistry() {
    const name = unique("added");
    return {
      query: `mutation($input: AddRegistryInput!) { addRegistry(input: $input) { id name } }`,
      variables: { input: { name, type: "DOCKER_REGISTRY", url: "https://registry.example.com", authMethod: "NONE" } },
      reached: (a) => a.data?.addRegistry?.name === name,
    };
  },
  async editRegistry() {
    const description = unique("description");
    return {
      query: `mutation($id: ID!, $input: EditRegistryInput!) { editRegistry(id: $id, input: $input) { id description } }`,
      variables: { id: registryId, input: { description } },
      reached: (a) => a.data?.editRegistry?.description === description,
    };
  },
  async deleteRegistries() {
    const victim = await addRegistry(unique("victim"));
    return {
      query: `mutation($ids: [ID!]!) { deleteRegistries(ids: $ids) }`,
      variables: { ids: [victim] },
      reached: (a) => JSON.stringify(a.data?.deleteRegistries) === JSON.stringify([victim]),
    };
  },
  async rotateWebhookSecret() {
    return {
      query: `mutation($id: ID!) { rotateWebhookSecret(id: $id) { id } }`,
      variables: { id: registryId },
      reached: (a) => a.data?.rotateWebhookSecret?.id === registryId,
    };
  },
  async editPullPolicy() {
    const pattern = unique("app");
    return {
      query: `mutation($id: ID!, $input: PullPolicyInput!) { editPullPolicy(registryId: $id, input: $input) { registryId criteria } }`,
      variables: { id: registryId, input: { mode: "MANUAL", criteria: [pattern] } },
      reached: (a) => a.data?.editPullPolicy?.criteria?.[0] === pattern,
    };
  },
  async createApiToken() {
    const name = unique("created");
    return {
      query: `mutation($name: String!) { createApiToken(name: $name, role: VIEWER) { token apiToken { name } } }`,
      variables: { name },
      reached: (a) => a.data?.createApiToken?.apiToken?.name === name && /^ddk_/.test(a.data.createApiToken.token),
    };
  },
  async revokeApiToken() {
    const data = await adminGql(`mutation($name: String!) { createApiToken(name: $name, role: VIEWER) { apiToken { id } } }`, {
      name: unique("to-revoke"),
    });
    const id = data.createApiToken.apiToken.id;
    return {
      query: `mutation($id: ID!) { revokeApiToken(id: $id) { id } }`,
      variables: { id },
      reached: (a) => a.data?.revokeApiToken?.id === id,
    };
  },
};

/** Everything the operations above could change, read with the first ADMIN token. */
async function snapshot(): Promise<string> {
  const data = await adminGql(`{
    registries(first: 500) { nodes { id name description updatedAt pullPolicy { criteria updatedAt } } }
    apiTokens { id name role }
    scanJobs(first: 500) { nodes { id status attemptCount finishedAt } }
    importRuns(first: 500) { nodes { id status } }
  }`);
  return JSON.stringify(data);
}

/** A subscription to a registry that does not exist: only its resolver answers NOT_FOUND. */
function unknownRegistrySubscription(field: string): Probe {
  return {
    query: `subscription($id: ID!) { ${field}(registryId: $id) { id } }`,
    variables: { id: randomUUID() },
    reached: (a) => errorCode(a) === "NOT_FOUND",
    subscription: field,
  };
}

function operationsOf(schema: GraphQLSchema): string[] {
  return [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]
    .flatMap((type) => (type ? Object.keys(type.getFields()) : []))
    .sort();
}

function expectedOutcome(caller: Caller, least: Role): string {
  if (caller === "none") return "UNAUTHENTICATED 401";
  return RANK[caller] >= RANK[least] ? "allowed" : "FORBIDDEN";
}

const tokens: Partial<Record<Role, string>> = {};

beforeAll(async () => {
  server = await startTestServer();
  registryId = await addRegistry("fixture");
  db = await openMysql(server.config.mysqlUrl, 2);
  image = await seedImage(db, registryId);
  for (const role of ["ADMIN", "OPERATOR", "VIEWER"] as Role[]) {
    const data = await adminGql(`mutation($name: String!, $role: Role!) { createApiToken(name: $name, role: $role) { token } }`, {
      name: `${role.toLowerCase()} caller`,
      role,
    });
    tokens[role] = data.createApiToken.token;
  }
});
afterAll(async () => {
  await db?.destroy();
  await server?.stop();
});

test("every operation answers every role as the DESIGN §5 table says", async () => {
  const schemaOperations = operationsOf(await buildDrydockSchema());
  expect({ missingFromTable: schemaOperations.filter((op) => !(op in LEAST_ROLE)) }).toEqual({ missingFromTable: [] });
  expect({ notInSchema: Object.keys(LEAST_ROLE).filter((op) => !schemaOperations.includes(op)) }).toEqual({ notInSchema: [] });
  expect(Object.keys(REQUESTS).sort()).toEqual(Object.keys(LEAST_ROLE).sort());

  const expected: Record<string, Record<Caller, string>> = {};
  const actual: Record<string, Record<Caller, string>> = {};
  for (const [operation, least] of Object.entries(LEAST_ROLE)) {
    expected[operation] = {} as Record<Caller, string>;
    actual[operation] = {} as Record<Caller, string>;
    for (const caller of CALLERS) {
      expected[operation][caller] = expectedOutcome(caller, least);
      const probe = await REQUESTS[operation]();
      const before = await snapshot();
      const token = caller === "none" ? null : tokens[caller]!;
      const answer = probe.subscription
        ? await firstAnswer(server.url, token, probe.query, probe.variables ?? {}, probe.subscription)
        : await server.gql(probe.query, probe.variables, token);
      const code = errorCode(answer);
      let outcome: string;
      if (code === "UNAUTHENTICATED") {
        outcome = `UNAUTHENTICATED ${answer.status}`;
      } else if (code === "FORBIDDEN") {
        outcome = answer.data?.[operation] == null ? "FORBIDDEN" : "FORBIDDEN but answered data";
      } else if (probe.reached(answer)) {
        outcome = "allowed";
      } else {
        outcome = `did not reach the resolver: ${JSON.stringify(answer.errors ?? answer.data)}`;
      }
      if (outcome !== "allowed" && (await snapshot()) !== before) outcome += " but changed state";
      actual[operation][caller] = outcome;
    }
  }
  expect(actual).toEqual(expected);
});

describe("tokens that do not authenticate", () => {
  const query = `{ registryTypes { type } }`;
  const post = (authorization: string | undefined) =>
    request(`${server.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(authorization === undefined ? {} : { authorization }) },
      body: JSON.stringify({ query }),
    }).then(async (r) => ({ status: r.statusCode, ...((await r.body.json()) as Omit<GraphQLAnswer, "status">) }));

  test.each([
    ["no header", undefined],
    ["an empty header", ""],
    ["Bearer without a token", "Bearer "],
    ["garbage", "Bearer garbage"],
    ["a ddk_ token that was never issued", `Bearer ddk_${"A".repeat(43)}`],
    ["a Basic header", `Basic ${Buffer.from("admin:admin").toString("base64")}`],
  ])("%s → UNAUTHENTICATED, HTTP 401", async (_label, authorization) => {
    const answer = await post(authorization);
    expect(answer.status).toBe(401);
    expect(errorCode(answer)).toBe("UNAUTHENTICATED");
    expect(answer.data ?? null).toBeNull();
  });

  test("a revoked token → UNAUTHENTICATED, HTTP 401", async () => {
    const created = await adminGql(`mutation { createApiToken(name: "short-lived", role: ADMIN) { token apiToken { id } } }`);
    const { token, apiToken } = created.createApiToken;
    const before = await server.gql(query, {}, token);
    expect(before.errors).toBeUndefined();
    expect(before.status).toBe(200);

    await adminGql(`mutation($id: ID!) { revokeApiToken(id: $id) { id } }`, { id: apiToken.id });
    const after = await server.gql(query, {}, token);
    expect(after.status).toBe(401);
    expect(errorCode(after)).toBe("UNAUTHENTICATED");
    expect(after.data ?? null).toBeNull();
  });
});

describe("routes that need no token", () => {
  const get = (path: string) => request(`${server.url}${path}`, { method: "GET" });

  test("/graphiql serves the explorer and its assets", async () => {
    const page = await get("/graphiql");
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-type"]).toMatch(/text\/html/);
    expect(await page.body.text()).toContain("graphiql");
    const script = await get("/graphiql/assets/start.js");
    expect(script.statusCode).toBe(200);
    await script.body.dump();
  });

  test("/healthz answers ok", async () => {
    const answer = await get("/healthz");
    expect(answer.statusCode).toBe(200);
    expect(await answer.body.json()).toEqual({ status: "ok" });
  });

  test("/readyz answers ready", async () => {
    const answer = await get("/readyz");
    expect(answer.statusCode).toBe(200);
    expect(await answer.body.json()).toEqual({ status: "ready" });
  });
});
