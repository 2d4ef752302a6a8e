import { createHash } from "node:crypto";
import { getNamedType, isLeafType, isObjectType, type GraphQLObjectType } from "graphql";
import mysql from "mysql2/promise";
import { buildDrydockSchema } from "../../server/graphql/schema";
import { errorCode, startTestServer, type TestServer } from "../helpers/server";

let server: TestServer;
let db: mysql.Connection;

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

const CREATE = `mutation($name: String!, $role: Role!) {
  createApiToken(name: $name, role: $role) { token apiToken { id name role createdAt lastUsedAt } }
}`;

async function create(name: string, role = "VIEWER") {
  const answer = await server.gql(CREATE, { name, role });
  expect(answer.errors).toBeUndefined();
  return answer.data!.createApiToken as {
    token: string;
    apiToken: { id: string; name: string; role: string; createdAt: string; lastUsedAt: string | null };
  };
}

async function listed() {
  const answer = await server.gql(`{ apiTokens { id name role createdAt lastUsedAt } }`);
  expect(answer.errors).toBeUndefined();
  return answer.data!.apiTokens as { id: string; name: string; role: string; createdAt: string; lastUsedAt: string | null }[];
}

async function rowCount(): Promise<number> {
  const [rows] = await db.query<mysql.RowDataPacket[]>("SELECT COUNT(*) AS n FROM api_token");
  return Number(rows[0].n);
}

async function rowOf(id: string): Promise<Record<string, unknown> | undefined> {
  const [rows] = await db.query<mysql.RowDataPacket[]>("SELECT * FROM api_token WHERE id = ?", [id]);
  return rows[0];
}

beforeAll(async () => {
  server = await startTestServer();
  db = await mysql.createConnection(server.config.mysqlUrl);
});
afterAll(async () => {
  await db?.end();
  await server.stop();
});

test("createApiToken answers the token once; the list never shows it", async () => {
  const before = Date.now();
  const created = await create("ci pipeline", "OPERATOR");
  expect(created.token).toMatch(/^ddk_[A-Za-z0-9_-]{40,}$/);
  expect(created.apiToken).toMatchObject({ name: "ci pipeline", role: "OPERATOR", lastUsedAt: null });
  expect(JSON.stringify(created.apiToken)).not.toContain(created.token);
  const createdAt = Date.parse(created.apiToken.createdAt);
  expect(createdAt).toBeGreaterThanOrEqual(before - 2000);
  expect(createdAt).toBeLessThanOrEqual(Date.now() + 2000);

  const tokens = await listed();
  const entry = tokens.find((t) => t.id === created.apiToken.id);
  expect(entry).toEqual({
    id: created.apiToken.id,
    name: "ci pipeline",
    role: "OPERATOR",
    createdAt: created.apiToken.createdAt,
    lastUsedAt: null,
  });
  expect(tokens.map((t) => t.name)).toContain("first admin");
  expect(JSON.stringify(tokens)).not.toContain(created.token);
  expect(JSON.stringify(tokens)).not.toContain(sha256(created.token));
});

test("the ApiToken type has no field that could expose the token or its hash", async () => {
  const schema = await buildDrydockSchema();
  const type = schema.getType("ApiToken") as GraphQLObjectType;
  expect(isObjectType(type)).toBe(true);
  const fields = Object.values(type.getFields());
  expect(fields.filter((f) => /token|hash|secret|key|plain|value/i.test(f.name)).map((f) => f.name)).toEqual([]);
  expect(fields.map((f) => f.name)).toEqual(expect.arrayContaining(["id", "name", "role", "createdAt", "lastUsedAt"]));

  // Whatever scalar fields exist, none of them carries the token or its hash.
  const created = await create("probe");
  const leaves = fields.filter((f) => isLeafType(getNamedType(f.type))).map((f) => f.name);
  const answer = await server.gql(`{ apiTokens { ${leaves.join(" ")} } }`);
  expect(answer.errors).toBeUndefined();
  const text = JSON.stringify(answer.data);
  expect(text).toContain(created.apiToken.id);
  expect(text).not.toContain(created.token);
  expect(text).not.toContain(sha256(created.token));
  expect(text).not.toContain(created.token.slice(4, 20));
});

test("MySQL holds the sha256 of the token, never the token", async () => {
  const created = await create("stored hashed");
  const row = await rowOf(created.apiToken.id);
  expect(row).toBeDefined();
  expect(row!.tokenHash).toBe(sha256(created.token));
  const everything = JSON.stringify(Object.values(row!).map((v) => (Buffer.isBuffer(v) ? v.toString("latin1") : String(v))));
  expect(everything).not.toContain(created.token);
  expect(everything).not.toContain(created.token.slice(4));

  // The first ADMIN token is stored the same way.
  const [first] = await db.query<mysql.RowDataPacket[]>("SELECT tokenHash FROM api_token WHERE name = 'first admin'");
  expect(first[0].tokenHash).toBe(sha256(server.adminToken));
  const [all] = await db.query<mysql.RowDataPacket[]>("SELECT tokenHash FROM api_token");
  for (const r of all) expect(r.tokenHash).toMatch(/^[0-9a-f]{64}$/);
});

test("lastUsedAt is set when the token is used", async () => {
  const created = await create("dashboard", "VIEWER");
  expect((await listed()).find((t) => t.id === created.apiToken.id)?.lastUsedAt).toBeNull();

  const before = Date.now();
  const used = await server.gql(`{ registryTypes { type } }`, {}, created.token);
  expect(used.errors).toBeUndefined();
  const after = Date.now();

  const lastUsedAt = (await listed()).find((t) => t.id === created.apiToken.id)?.lastUsedAt;
  expect(lastUsedAt).toEqual(expect.any(String));
  expect(Date.parse(lastUsedAt!)).toBeGreaterThanOrEqual(before - 1000);
  expect(Date.parse(lastUsedAt!)).toBeLessThanOrEqual(after + 1000);
  const row = await rowOf(created.apiToken.id);
  expect(row!.lastUsedAt).not.toBeNull();
});

test("revokeApiToken removes the token: it is refused and no longer listed", async () => {
  const created = await create("to revoke", "ADMIN");
  expect((await server.gql(`{ apiTokens { id } }`, {}, created.token)).errors).toBeUndefined();

  const revoked = await server.gql(`mutation($id: ID!) { revokeApiToken(id: $id) { id name role } }`, { id: created.apiToken.id });
  expect(revoked.errors).toBeUndefined();
  expect(revoked.data!.revokeApiToken).toEqual({ id: created.apiToken.id, name: "to revoke", role: "ADMIN" });

  const refused = await server.gql(`{ apiTokens { id } }`, {}, created.token);
  expect(refused.status).toBe(401);
  expect(errorCode(refused)).toBe("UNAUTHENTICATED");
  expect((await listed()).map((t) => t.id)).not.toContain(created.apiToken.id);
  expect(await rowOf(created.apiToken.id)).toBeUndefined();

  const again = await server.gql(`mutation($id: ID!) { revokeApiToken(id: $id) { id } }`, { id: created.apiToken.id });
  expect(errorCode(again)).toBe("NOT_FOUND");
});

test("revoking an unknown id answers NOT_FOUND and changes nothing", async () => {
  const count = await rowCount();
  const answer = await server.gql(`mutation($id: ID!) { revokeApiToken(id: $id) { id } }`, {
    id: "00000000-0000-4000-8000-000000000000",
  });
  expect(errorCode(answer)).toBe("NOT_FOUND");
  expect(answer.data ?? null).toBeNull();
  expect(await rowCount()).toBe(count);
  // The first admin token still works.
  expect((await server.gql(`{ apiTokens { id } }`)).errors).toBeUndefined();
});

describe("a bad name is refused and nothing is stored", () => {
  test.each([
    ["empty", ""],
    ["only spaces", "   "],
    ["101 characters", "x".repeat(101)],
    ["101 characters after trimming", ` ${"y".repeat(101)} `],
    ["a newline inside", "ci\nbot"],
    ["an escape sequence", "ci \u001b[31mbot"],
    ["DEL", "ci\u007fbot"],
  ])("%s → BAD_USER_INPUT on name", async (_label, name) => {
    const count = await rowCount();
    const answer = await server.gql(CREATE, { name, role: "VIEWER" });
    expect(errorCode(answer)).toBe("BAD_USER_INPUT");
    const fields = answer.errors![0].extensions!.fields as { field: string; message: string }[];
    expect(fields).toEqual(expect.arrayContaining([expect.objectContaining({ field: "name" })]));
    expect(answer.data ?? null).toBeNull();
    expect(await rowCount()).toBe(count);
  });

  test("100 characters after trimming is accepted, and stored trimmed", async () => {
    const name = "z".repeat(100);
    const created = await create(`  ${name}  `);
    expect(created.apiToken.name).toBe(name);
    expect((await rowOf(created.apiToken.id))!.name).toBe(name);
  });
});
