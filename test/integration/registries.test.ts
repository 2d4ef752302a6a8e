import { execFileSync } from "node:child_process";
import { makeWorkerUtils, type WorkerUtils } from "graphile-worker";
import { tableCounts, withMysql } from "../helpers/mysql";
import { defaultPolicyAnswer, POLICY_FIELDS } from "../helpers/policy";
import { errorCode, startTestServer, type TestServer, type GraphQLAnswer } from "../helpers/server";

const REGISTRY_FIELDS = `id name description type url apiUrl repositoryPathMethod repositoryKey insecure caCertificate
  authMethod username hasSecret scanTimeoutMinutes createdAt updatedAt pullPolicy { ${POLICY_FIELDS} }`;
const ADD = `mutation($input: AddRegistryInput!) { addRegistry(input: $input) { ${REGISTRY_FIELDS} } }`;
const EDIT = `mutation($id: ID!, $input: EditRegistryInput!) { editRegistry(id: $id, input: $input) { ${REGISTRY_FIELDS} } }`;
const DELETE = `mutation($ids: [ID!]!) { deleteRegistries(ids: $ids) }`;
const LIST = `query($first: Int, $after: String, $filter: RegistryFilter) {
  registries(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id name type } } nodes { name }
  }
}`;

let server: TestServer;
let sequence = 0;

const dockerRegistry = (overrides: Record<string, unknown> = {}) => ({
  name: `registry-${++sequence}`,
  type: "DOCKER_REGISTRY",
  url: "https://registry.example.com",
  authMethod: "ACCOUNT",
  username: "scanner",
  secret: "hunter2-password",
  ...overrides,
});

async function add(overrides: Record<string, unknown> = {}) {
  const answer = await server.gql(ADD, { input: dockerRegistry(overrides) });
  expect(answer.errors).toBeUndefined();
  return answer.data!.addRegistry;
}

function fieldsOf(answer: GraphQLAnswer): string[] {
  expect(errorCode(answer)).toBe("BAD_USER_INPUT");
  return (answer.errors![0].extensions!.fields as { field: string; message: string }[]).map((f) => `${f.field}: ${f.message}`);
}

/** Runs a mutation that must be refused, and checks that no table changed. */
async function refused(query: string, variables: Record<string, unknown>): Promise<GraphQLAnswer> {
  const before = await tableCounts(server.config.mysqlUrl);
  const answer = await server.gql(query, variables);
  expect(answer.errors).toBeDefined();
  expect(answer.data?.addRegistry ?? answer.data?.editRegistry ?? answer.data?.deleteRegistries ?? null).toBeNull();
  expect(await tableCounts(server.config.mysqlUrl)).toEqual(before);
  return answer;
}

function selfSignedCertificate(): string {
  return execFileSync("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
    "-keyout", "/dev/null", "-subj", "/CN=drydock test CA", "-days", "2",
  ], { stdio: ["ignore", "pipe", "ignore"] }).toString();
}

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

describe("addRegistry", () => {
  test("stores the registry with defaults and a MANUAL pull policy", async () => {
    const registry = await add({ name: "  Primary Registry  ", description: "main one" });
    expect(registry).toMatchObject({
      name: "Primary Registry",
      description: "main one",
      type: "DOCKER_REGISTRY",
      url: "https://registry.example.com",
      apiUrl: null,
      insecure: false,
      caCertificate: null,
      authMethod: "ACCOUNT",
      username: "scanner",
      hasSecret: true,
      scanTimeoutMinutes: 60,
      pullPolicy: defaultPolicyAnswer(registry.id),
    });
    expect(JSON.stringify(registry)).not.toContain("hunter2");
  });

  test("Docker Hub takes its default addresses; anonymous DOCKER_REGISTRY over http with insecure", async () => {
    const hub = await add({ type: "DOCKER_HUB", url: null, authMethod: "API_KEY", username: "acme" });
    expect(hub).toMatchObject({ url: "https://registry-1.docker.io", apiUrl: "https://hub.docker.com" });
    const local = await add({ url: "http://127.0.0.1:5000/", insecure: true, authMethod: "NONE", username: null, secret: null });
    expect(local).toMatchObject({ url: "http://127.0.0.1:5000", authMethod: "NONE", username: null, hasSecret: false });
  });

  test("accepts a PEM CA bundle and refuses anything else", async () => {
    const pem = selfSignedCertificate();
    expect((await add({ caCertificate: pem })).caCertificate).toBe(pem);
    const bad = await refused(ADD, { input: dockerRegistry({ caCertificate: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----" }) });
    expect(fieldsOf(bad)).toEqual(["caCertificate: certificate 1 is not a valid X.509 certificate"]);
    const none = await refused(ADD, { input: dockerRegistry({ caCertificate: "hello" }) });
    expect(fieldsOf(none)[0]).toMatch(/^caCertificate: must hold at least one PEM certificate/);
  });

  test.each([
    ["blank name", { name: "   " }, ["name: must be 1 to 100 characters after trimming"]],
    ["long name", { name: "x".repeat(101) }, ["name: must be 1 to 100 characters after trimming"]],
    ["long description", { description: "d".repeat(1001) }, ["description: must be shorter than or equal to 1000 characters"]],
    ["timeout 0", { scanTimeoutMinutes: 0 }, ["scanTimeoutMinutes: must not be less than 1"]],
    ["timeout 1441", { scanTimeoutMinutes: 1441 }, ["scanTimeoutMinutes: must not be greater than 1440"]],
    ["http without insecure", { url: "http://registry.example.com" }, ["url: uses http://, which needs insecure: true"]],
    ["not a URL", { url: "registry.example.com" }, ["url: is not a valid URL"]],
    ["NONE with credentials", { authMethod: "NONE" }, ["username: must be empty with authMethod NONE", "secret: must be empty with authMethod NONE"]],
    ["NONE for Harbor", { type: "HARBOR", authMethod: "NONE", username: null, secret: null }, ["authMethod: NONE is not accepted for HARBOR; use ACCOUNT"]],
    ["Nexus with API_KEY", { type: "NEXUS", authMethod: "API_KEY" }, ["authMethod: API_KEY is not accepted for NEXUS; use ACCOUNT"]],
    ["GitLab without apiUrl", { type: "GITLAB" }, ["apiUrl: is required for GITLAB registries"]],
    ["Artifactory PORT without key", { type: "ARTIFACTORY", repositoryPathMethod: "PORT" }, ["repositoryKey: is required for ARTIFACTORY registries with repositoryPathMethod PORT"]],
    ["Yandex bad kind", { type: "YANDEX", url: "https://cr.yandex/crpabc", authMethod: "API_KEY", username: "token" }, ["username: must be one of oauth, iam, json_key: the kind of secret given"]],
    ["missing secret", { secret: null }, ["secret: is required with authMethod ACCOUNT"]],
  ])("refuses %s, naming the field and storing nothing", async (_name, overrides, expected) => {
    expect(fieldsOf(await refused(ADD, { input: dockerRegistry(overrides) }))).toEqual(expected);
  });

  test("an unknown enum value is BAD_USER_INPUT naming the field", async () => {
    const answer = await refused(ADD, { input: dockerRegistry({ type: "QUAY" }) });
    expect(fieldsOf(answer)[0]).toMatch(/^type: /);
  });

  test("a missing required field is BAD_USER_INPUT naming that field", async () => {
    const { name: _omitted, ...withoutName } = dockerRegistry();
    const answer = await refused(ADD, { input: withoutName });
    expect(fieldsOf(answer)[0]).toMatch(/^name: /);
  });

  test("names are unique ignoring case: CONFLICT, nothing stored", async () => {
    await add({ name: "Team Registry" });
    const answer = await refused(ADD, { input: dockerRegistry({ name: " team REGISTRY " }) });
    expect(errorCode(answer)).toBe("CONFLICT");
    expect(answer.errors![0].message).toContain("Team Registry");
  });
});

describe("editRegistry", () => {
  test("changes only the fields given and keeps the stored secret", async () => {
    const original = await add({ description: "before" });
    const answer = await server.gql(EDIT, { id: original.id, input: { description: "after", scanTimeoutMinutes: 5 } });
    expect(answer.errors).toBeUndefined();
    expect(answer.data!.editRegistry).toMatchObject({
      name: original.name,
      description: "after",
      scanTimeoutMinutes: 5,
      url: original.url,
      username: "scanner",
      hasSecret: true,
    });
    const cleared = await server.gql(EDIT, { id: original.id, input: { description: null } });
    expect(cleared.data!.editRegistry.description).toBeNull();
  });

  test("renaming: own name in another case is fine, another registry's name is a CONFLICT", async () => {
    const a = await add({ name: "Alpha" });
    await add({ name: "Beta" });
    expect((await server.gql(EDIT, { id: a.id, input: { name: "ALPHA" } })).data!.editRegistry.name).toBe("ALPHA");
    expect(errorCode(await refused(EDIT, { id: a.id, input: { name: "beta" } }))).toBe("CONFLICT");
  });

  test("the type is fixed and the merged result must satisfy the type's rules", async () => {
    const registry = await add();
    expect(fieldsOf(await refused(EDIT, { id: registry.id, input: { type: "HARBOR" } }))).toEqual([
      "type: cannot change from DOCKER_REGISTRY; add a new registry",
    ]);
    // http:// is another origin than https://, so the stored secret must be given again too.
    expect(fieldsOf(await refused(EDIT, { id: registry.id, input: { url: "http://registry.example.com" } }))).toEqual([
      "url: uses http://, which needs insecure: true",
      "secret: is required with authMethod ACCOUNT",
    ]);
    const ok = await server.gql(EDIT, { id: registry.id, input: { url: "http://registry.example.com", insecure: true, secret: "again" } });
    expect(ok.data!.editRegistry.url).toBe("http://registry.example.com");
  });

  test("a new kind of Yandex secret needs the secret again", async () => {
    const yandex = await add({ type: "YANDEX", url: "https://cr.yandex/crpabc", authMethod: "API_KEY", username: "oauth" });
    expect(fieldsOf(await refused(EDIT, { id: yandex.id, input: { username: "iam" } }))).toEqual([
      "secret: is required with authMethod API_KEY",
    ]);
    const ok = await server.gql(EDIT, { id: yandex.id, input: { username: "iam", secret: "t1.iam-token" } });
    expect(ok.data!.editRegistry).toMatchObject({ username: "iam", hasSecret: true });
  });

  test("unknown id is NOT_FOUND", async () => {
    const answer = await refused(EDIT, { id: "00000000-0000-4000-8000-000000000000", input: { description: "x" } });
    expect(errorCode(answer)).toBe("NOT_FOUND");
  });
});

describe("registry and registries", () => {
  test("registry(id) answers one, or NOT_FOUND", async () => {
    const registry = await add();
    const found = await server.gql(`query($id: ID!) { registry(id: $id) { id name } }`, { id: registry.id });
    expect(found.data!.registry).toEqual({ id: registry.id, name: registry.name });
    const missing = await server.gql(`query($id: ID!) { registry(id: $id) { id } }`, { id: "nope" });
    expect(errorCode(missing)).toBe("NOT_FOUND");
  });

  test("pages by name with cursors and counts the whole filtered set", async () => {
    for (const name of ["page-c", "Page-A", "page-b", "page-e", "page-d"]) await add({ name });
    const filter = { nameContains: "PAGE-" };
    const first = await server.gql(LIST, { first: 2, filter });
    expect(first.data!.registries).toMatchObject({ totalCount: 5, pageInfo: { hasNextPage: true }, nodes: [{ name: "Page-A" }, { name: "page-b" }] });
    const second = await server.gql(LIST, { first: 2, after: first.data!.registries.pageInfo.endCursor, filter });
    expect(second.data!.registries.nodes).toEqual([{ name: "page-c" }, { name: "page-d" }]);
    const third = await server.gql(LIST, { first: 2, after: second.data!.registries.pageInfo.endCursor, filter });
    expect(third.data!.registries).toMatchObject({ pageInfo: { hasNextPage: false }, nodes: [{ name: "page-e" }] });
    expect(fieldsOf(await server.gql(LIST, { first: 2, after: "garbage" }))).toEqual(["after: is not a cursor this API returned"]);
    expect(fieldsOf(await server.gql(LIST, { first: 0 }))[0]).toMatch(/^first: /);
  });

  test("filters by type, and nameContains treats % and _ literally", async () => {
    await add({ name: "odd%name_1" });
    await add({ name: "oddXname_1" });
    const literal = await server.gql(LIST, { filter: { nameContains: "odd%" } });
    expect(literal.data!.registries.nodes).toEqual([{ name: "odd%name_1" }]);
    await add({ type: "NEXUS", name: "nexus-only" });
    const nexus = await server.gql(LIST, { filter: { type: "NEXUS" } });
    expect(nexus.data!.registries).toMatchObject({ totalCount: 1, nodes: [{ name: "nexus-only" }] });
  });

  test("registryTypes describes every type with its auth methods and minimum rights", async () => {
    const answer = await server.gql(`{ registryTypes { type authMethods usernameValues minimumRights fields { name use default } } }`);
    const types = Object.fromEntries(answer.data!.registryTypes.map((t: any) => [t.type, t]));
    expect(Object.keys(types).sort()).toEqual(["ARTIFACTORY", "DOCKER_HUB", "DOCKER_REGISTRY", "GITLAB", "HARBOR", "NEXUS", "YANDEX"]);
    expect(types.DOCKER_REGISTRY.authMethods).toEqual(["ACCOUNT", "NONE"]);
    expect(types.NEXUS.authMethods).toEqual(["ACCOUNT"]);
    expect(types.YANDEX.usernameValues).toEqual(["oauth", "iam", "json_key"]);
    for (const words of ["Reporter", "read_api", "read_registry"]) expect(types.GITLAB.minimumRights).toContain(words);
    for (const words of ["Manage Reports", "Can Update Profile", "read"]) expect(types.ARTIFACTORY.minimumRights).toContain(words);
    for (const words of ["User", "Limited Guest", "not an administrator"]) expect(types.HARBOR.minimumRights).toContain(words);
    for (const words of ["nx-apikey-all", "nx-repository-view-docker-*-browse", "nx-repository-view-docker-*-read"]) {
      expect(types.NEXUS.minimumRights).toContain(words);
    }
    expect(types.DOCKER_HUB.minimumRights).toContain("personal namespace");
    expect(types.GITLAB.fields.find((f: any) => f.name === "apiUrl").use).toBe("REQUIRED");
    expect(types.DOCKER_HUB.fields.find((f: any) => f.name === "url").default).toBe("https://registry-1.docker.io");
  });
});

describe("deleteRegistries", () => {
  let utils: WorkerUtils;
  beforeAll(async () => {
    utils = await makeWorkerUtils({ connectionString: server.config.databaseUrl });
  });
  afterAll(() => utils.release());

  test("is all or nothing: an unknown id is NOT_FOUND naming it and nothing is deleted", async () => {
    const kept = await add();
    const unknown = "11111111-1111-4111-8111-111111111111";
    const answer = await refused(DELETE, { ids: [kept.id, unknown] });
    expect(errorCode(answer)).toBe("NOT_FOUND");
    expect(answer.errors![0].extensions!.ids).toEqual([unknown]);
    expect(answer.errors![0].message).toContain(unknown);
  });

  test("removes the registries, their policies and their queued sync jobs", async () => {
    const doomed = [await add(), await add()];
    const survivor = await add();
    for (const r of [...doomed, survivor]) await utils.addJob("registry_sync", { registryId: r.id }, { jobKey: `registry_sync:${r.id}`, runAt: new Date(Date.now() + 3600_000) });

    const answer = await server.gql(DELETE, { ids: doomed.map((r) => r.id) });
    expect(answer.data!.deleteRegistries.sort()).toEqual(doomed.map((r) => r.id).sort());

    const remaining = await withMysql(server.config.mysqlUrl, async (db) => {
      const [rows] = await db.query<any[]>("SELECT id FROM registry WHERE id IN (?)", [[...doomed, survivor].map((r) => r.id)]);
      const [policies] = await db.query<any[]>("SELECT registryId FROM pull_policy WHERE registryId IN (?)", [[...doomed, survivor].map((r) => r.id)]);
      return { registries: rows.map((r) => r.id), policies: policies.map((p) => p.registryId) };
    });
    expect(remaining).toEqual({ registries: [survivor.id], policies: [survivor.id] });

    const jobs = await utils.withPgClient((pg) => pg.query("SELECT key FROM graphile_worker.jobs WHERE task_identifier = 'registry_sync' ORDER BY key"));
    expect(jobs.rows.map((r: { key: string }) => r.key)).toEqual([`registry_sync:${survivor.id}`]);
  });
});
