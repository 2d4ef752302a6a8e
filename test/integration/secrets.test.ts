import { createDecipheriv, createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { getNamedType, type GraphQLObjectType, isLeafType } from "graphql";
import mysql from "mysql2/promise";
import { openMysql } from "../../db/mysql";
import { loadConfig } from "../../lib/config";
import { StartupError } from "../../lib/errors";
import { buildDrydockSchema } from "../../server/graphql/schema";
import { startServer } from "../../server/main";
import { testDatabases } from "../helpers/databases";
import { capturingLogger } from "../helpers/logs";
import { errorCode, type GraphQLAnswer, startTestServer, type TestServer } from "../helpers/server";

const KEY = randomBytes(32);
const KEY_BASE64 = KEY.toString("base64");
/** DESIGN §7: each ciphertext records its key id; drydock's id is the first 12 hex digits of sha256(key). */
const KEY_ID = createHash("sha256").update(KEY).digest("hex").slice(0, 12);

let server: TestServer;
let db: mysql.Connection;
let registryFields = "";

/** Every secret this file sends, so the final checks can look for all of them. */
const sent: string[] = [];
/** A distinctive secret: its marker is searched for, so partial echoes count too. */
function secret(label: string): string {
  const value = `${label}-MARK${randomBytes(8).toString("hex")}-pw`;
  sent.push(value);
  return value;
}
const markerOf = (value: string) => /MARK[0-9a-f]{16}/.exec(value)![0];

/** What a text must not contain for a secret: the marker, or the whole secret in a common encoding. */
function leaks(text: string, value: string): string[] {
  const forms: Record<string, string> = {
    marker: markerOf(value),
    base64: Buffer.from(value).toString("base64").slice(0, 24),
    base64url: Buffer.from(value).toString("base64url").slice(0, 24),
    hex: Buffer.from(value).toString("hex").slice(0, 32),
  };
  return Object.entries(forms)
    .filter(([, form]) => text.includes(form))
    .map(([name]) => name);
}

function expectNoSecretIn(text: string, values: string[] = sent): void {
  const found = values.map((v) => ({ secret: v, leaks: leaks(text, v) })).filter((f) => f.leaks.length > 0);
  expect(found).toEqual([]);
}

/** Opens a v1 ciphertext with the test's own AES-256-GCM code, independent of lib/secret-box. */
function decrypt(sealed: string): string {
  const [format, keyId, iv, tag, body] = sealed.split(".");
  expect([format, keyId]).toEqual(["v1", KEY_ID]);
  const decipher = createDecipheriv("aes-256-gcm", KEY, Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
}

async function rowOf(id: string): Promise<Record<string, unknown>> {
  const [rows] = await db.query<mysql.RowDataPacket[]>("SELECT * FROM registry WHERE id = ?", [id]);
  expect(rows).toHaveLength(1);
  return { ...rows[0] };
}

/** Every row of every table of the server's database, as text. */
async function databaseText(): Promise<string> {
  const [tables] = await db.query<mysql.RowDataPacket[]>(
    "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()",
  );
  const parts: string[] = [];
  for (const { name } of tables) {
    const [rows] = await db.query<mysql.RowDataPacket[]>(`SELECT * FROM \`${name}\``);
    for (const row of rows) {
      for (const value of Object.values(row)) {
        parts.push(Buffer.isBuffer(value) ? value.toString("latin1") : value instanceof Date ? "" : String(value));
      }
    }
  }
  return parts.join("\n");
}

const ADD = `mutation($input: AddRegistryInput!) { addRegistry(input: $input) { id hasSecret } }`;
const EDIT = `mutation($id: ID!, $input: EditRegistryInput!) { editRegistry(id: $id, input: $input) { id hasSecret authMethod username url apiUrl } }`;

async function add(input: Record<string, unknown>): Promise<string> {
  const answer = await server.gql(ADD, { input });
  expect(answer.errors).toBeUndefined();
  expectNoSecretIn(JSON.stringify(answer));
  expect(answer.data!.addRegistry.hasSecret).toBe(Boolean(input.secret));
  return answer.data!.addRegistry.id;
}

async function edit(id: string, input: Record<string, unknown>): Promise<GraphQLAnswer<any>> {
  const answer = await server.gql(EDIT, { id, input });
  expectNoSecretIn(JSON.stringify(answer));
  return answer;
}

function expectBadSecret(answer: GraphQLAnswer): void {
  expect(errorCode(answer)).toBe("BAD_USER_INPUT");
  const fields = answer.errors![0].extensions!.fields as { field: string }[];
  expect(fields.map((f) => f.field)).toContain("secret");
}

beforeAll(async () => {
  server = await startTestServer({ DRYDOCK_SECRET_KEY: KEY_BASE64 });
  db = await mysql.createConnection(server.config.mysqlUrl);
  const schema = await buildDrydockSchema();
  const leaves = (name: string) =>
    Object.values((schema.getType(name) as GraphQLObjectType).getFields())
      .filter((f) => isLeafType(getNamedType(f.type)) && f.args.length === 0)
      .map((f) => f.name)
      .join(" ");
  registryFields = `${leaves("Registry")} pullPolicy { ${leaves("PullPolicy")} }`;
});
afterAll(async () => {
  await db?.end();
  await server.stop();
});

const JSON_KEY_MARK = `MARK${randomBytes(8).toString("hex")}`;
const yandexJsonKey = JSON.stringify({
  id: "ajeabcdefghijklmnopq",
  service_account_id: "ajeserviceaccount123",
  created_at: "2024-01-01T00:00:00Z",
  key_algorithm: "RSA_2048",
  public_key: "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkq\n-----END PUBLIC KEY-----\n",
  private_key: `-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg${JSON_KEY_MARK}kqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n`,
});
sent.push(yandexJsonKey);

const SAMPLES: [string, () => Record<string, unknown>][] = [
  ["DOCKER_REGISTRY ACCOUNT", () => ({ type: "DOCKER_REGISTRY", url: "https://registry.example.com", authMethod: "ACCOUNT", username: "u", secret: secret("docker") })],
  ["HARBOR robot", () => ({ type: "HARBOR", url: "https://harbor.example.com", authMethod: "ACCOUNT", username: "robot$scanner", secret: secret("harbor") })],
  ["GITLAB", () => ({ type: "GITLAB", url: "https://registry.gitlab.example.com", apiUrl: "https://gitlab.example.com/api/v4", authMethod: "ACCOUNT", username: "scanner", secret: `glpat-${secret("gitlab")}` })],
  ["ARTIFACTORY API_KEY", () => ({ type: "ARTIFACTORY", url: "https://acme.jfrog.io/artifactory", repositoryPathMethod: "REPOSITORY_PATH", authMethod: "API_KEY", secret: secret("artifactory") })],
  ["NEXUS", () => ({ type: "NEXUS", url: "https://nexus.example.com", authMethod: "ACCOUNT", username: "scanner", secret: secret("nexus") })],
  ["DOCKER_HUB API_KEY", () => ({ type: "DOCKER_HUB", authMethod: "API_KEY", username: "acme", secret: `dckr_pat_${secret("hub")}` })],
  ["YANDEX oauth", () => ({ type: "YANDEX", url: "https://cr.yandex/crpabc123", authMethod: "API_KEY", username: "oauth", secret: `y0_${secret("yandex")}` })],
  ["YANDEX json_key", () => ({ type: "YANDEX", url: "https://cr.yandex/crpdef456", authMethod: "API_KEY", username: "json_key", secret: yandexJsonKey })],
];

describe("secrets at rest and in answers", () => {
  test.each(SAMPLES)("%s: stored only as v1.<keyid> AES-256-GCM ciphertext, answered only as hasSecret", async (label, make) => {
    const input: Record<string, unknown> = { name: `secret ${label}`, ...make() };
    const value = input.secret as string;
    const id = await add(input);

    const row = await rowOf(id);
    expect(String(row.secretCiphertext)).toMatch(new RegExp(`^v1\\.${KEY_ID}\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$`));
    expect(decrypt(String(row.secretCiphertext))).toBe(value);
    expectNoSecretIn(JSON.stringify(Object.values(row).map(String)), [value]);

    const one = await server.gql(`query($id: ID!) { registry(id: $id) { ${registryFields} } }`, { id });
    expect(one.errors).toBeUndefined();
    expect(one.data!.registry.hasSecret).toBe(true);
    expectNoSecretIn(JSON.stringify(one), [value]);
  });

  test("the JSON key's private key is nowhere but in the ciphertext", async () => {
    expect(await databaseText()).not.toContain(JSON_KEY_MARK);
    const list = await server.gql(`{ registries(first: 500) { nodes { ${registryFields} } } }`);
    expect(list.errors).toBeUndefined();
    expect(JSON.stringify(list)).not.toContain(JSON_KEY_MARK);
  });

  test("the webhook signing key and path token are stored sealed: the key is never answered, the token only in ADMIN's webhookUrl", async () => {
    const signingKey = secret("signing");
    const id = await add({ name: "secret webhook", type: "NEXUS", url: "https://nexus-hooks.example.com", authMethod: "ACCOUNT", username: "u", secret: secret("nexus-hooks"), webhookSigningKey: signingKey });
    const row = await rowOf(id);
    expect(decrypt(String(row.webhookSigningKeyCiphertext))).toBe(signingKey);
    const token = decrypt(String(row.webhookSecretCiphertext));
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await databaseText()).not.toContain(token);
    expectNoSecretIn(await databaseText(), [signingKey]);

    const asAdmin = await server.gql(`query($id: ID!) { registry(id: $id) { ${registryFields} } }`, { id });
    expect(asAdmin.data!.registry).toMatchObject({ hasWebhookSigningKey: true, webhookUrl: expect.stringMatching(new RegExp(`/webhooks/registries/${id}/${token}$`)) });
    expectNoSecretIn(JSON.stringify(asAdmin), [signingKey]);
    expect(JSON.stringify({ ...asAdmin.data!.registry, webhookUrl: null })).not.toContain(token);
    await server.gql(`mutation($id: ID!) { deleteRegistries(ids: [$id]) }`, { id });
  });

  test("no table of the database holds any secret in the clear", async () => {
    const list = await server.gql(`{ registries(first: 500) { totalCount nodes { ${registryFields} } } }`);
    expect(list.errors).toBeUndefined();
    expect(list.data!.registries.totalCount).toBe(SAMPLES.length);
    expectNoSecretIn(JSON.stringify(list));
    expectNoSecretIn(await databaseText());
  });

  test("refused inputs do not echo the secret back", async () => {
    const base = { type: "DOCKER_REGISTRY", url: "https://refused.example.com", authMethod: "ACCOUNT", username: "u" };
    const attempts: Record<string, unknown>[] = [
      { ...base, secret: secret("no-name") }, // name missing: graphql-js coercion error
      { ...base, name: "refused 1", secret: secret("unknown-field"), colour: "blue" }, // a field the type lacks
      { ...base, name: "refused 2", type: "NOT_A_TYPE", secret: secret("bad-enum") },
      { ...base, name: "refused 3", authMethod: "NONE", username: null, secret: secret("none") },
      { ...base, name: "refused 4", url: "http://refused.example.com", secret: secret("insecure") },
      { ...base, name: "refused 5", secret: `${secret("too-long")}${"x".repeat(16384)}` },
      { type: "YANDEX", name: "refused 6", url: "https://cr.yandex/crpx", authMethod: "API_KEY", username: "json_key", secret: `{"private_key": "${secret("json")}"` },
    ];
    const count = (await server.gql(`{ registries { totalCount } }`)).data!.registries.totalCount;
    for (const input of attempts) {
      const answer = await server.gql(ADD, { input });
      expect(errorCode(answer)).toBe("BAD_USER_INPUT");
      expectNoSecretIn(JSON.stringify(answer), [input.secret as string]);
    }
    expect((await server.gql(`{ registries { totalCount } }`)).data!.registries.totalCount).toBe(count);
  });
});

describe("editRegistry and the stored secret", () => {
  let id: string;
  let firstSecret: string;
  const url = "https://edit.example.com";

  beforeAll(async () => {
    firstSecret = secret("edit-first");
    id = await add({ name: "edited", type: "DOCKER_REGISTRY", url, authMethod: "ACCOUNT", username: "u", secret: firstSecret });
  });

  test("no secret keeps the stored ciphertext unchanged, also when url stays on its origin", async () => {
    const before = String((await rowOf(id)).secretCiphertext);
    for (const input of [{ description: "changed" }, { url: `${url}/some/path` }, { url: "https://EDIT.example.com:443/" }, { username: "u2" }]) {
      const answer = await edit(id, input);
      expect(answer.errors).toBeUndefined();
      expect(answer.data!.editRegistry.hasSecret).toBe(true);
      expect(String((await rowOf(id)).secretCiphertext)).toBe(before);
    }
  });

  test("a new secret replaces the ciphertext", async () => {
    const before = String((await rowOf(id)).secretCiphertext);
    const next = secret("edit-second");
    const answer = await edit(id, { secret: next });
    expect(answer.errors).toBeUndefined();
    expect(answer.data!.editRegistry.hasSecret).toBe(true);
    const after = String((await rowOf(id)).secretCiphertext);
    expect(after).not.toBe(before);
    expect(after.startsWith(`v1.${KEY_ID}.`)).toBe(true);
    expect(decrypt(after)).toBe(next);
  });

  test("sealing the same secret again gives a different ciphertext", async () => {
    const same = secret("edit-same");
    await edit(id, { secret: same });
    const first = String((await rowOf(id)).secretCiphertext);
    await edit(id, { secret: same });
    const second = String((await rowOf(id)).secretCiphertext);
    expect(second).not.toBe(first);
    expect(decrypt(second)).toBe(same);
  });

  test.each([
    ["another host", { url: "https://elsewhere.example.com" }],
    ["another port", { url: "https://edit.example.com:5000" }],
    ["another scheme", { url: "http://edit.example.com", insecure: true }],
  ])("moving url to %s without a secret → BAD_USER_INPUT on secret, nothing stored", async (_label, input) => {
    const before = await rowOf(id);
    expectBadSecret(await edit(id, input));
    expect(await rowOf(id)).toEqual(before);
  });

  test("moving url to another origin with a secret is accepted", async () => {
    const moved = secret("edit-moved");
    const answer = await edit(id, { url: "https://moved.example.com", secret: moved });
    expect(answer.errors).toBeUndefined();
    expect(answer.data!.editRegistry).toMatchObject({ url: "https://moved.example.com", hasSecret: true });
    expect(decrypt(String((await rowOf(id)).secretCiphertext))).toBe(moved);
  });

  test("moving apiUrl to another origin without a secret → BAD_USER_INPUT on secret", async () => {
    const gitlab = await add({
      name: "gitlab edited",
      type: "GITLAB",
      url: "https://registry.gitlab.example.com",
      apiUrl: "https://gitlab.example.com/api/v4",
      authMethod: "ACCOUNT",
      username: "scanner",
      secret: secret("gitlab-edit"),
    });
    const before = await rowOf(gitlab);
    expectBadSecret(await edit(gitlab, { apiUrl: "https://gitlab.evil.example/api/v4" }));
    expect(await rowOf(gitlab)).toEqual(before);
    const same = await edit(gitlab, { apiUrl: "https://gitlab.example.com/api/v4/" });
    expect(same.errors).toBeUndefined();
    expect((await rowOf(gitlab)).secretCiphertext).toBe(before.secretCiphertext);
  });

  test("changing authMethod without a secret → BAD_USER_INPUT on secret; with one it is accepted", async () => {
    const hub = await add({ name: "hub edited", type: "DOCKER_HUB", authMethod: "ACCOUNT", username: "acme", secret: secret("hub-password") });
    const before = await rowOf(hub);
    expectBadSecret(await edit(hub, { authMethod: "API_KEY" }));
    expect(await rowOf(hub)).toEqual(before);

    const token = secret("hub-token");
    const answer = await edit(hub, { authMethod: "API_KEY", secret: token });
    expect(answer.errors).toBeUndefined();
    expect(answer.data!.editRegistry).toMatchObject({ authMethod: "API_KEY", hasSecret: true });
    expect(decrypt(String((await rowOf(hub)).secretCiphertext))).toBe(token);
  });

  test("authMethod NONE clears the secret, and it does not come back", async () => {
    const answer = await edit(id, { authMethod: "NONE", username: null });
    expect(answer.errors).toBeUndefined();
    expect(answer.data!.editRegistry).toMatchObject({ authMethod: "NONE", hasSecret: false, username: null });
    const row = await rowOf(id);
    expect(row.secretCiphertext).toBeNull();
    expect(row.username).toBeNull();

    expectBadSecret(await edit(id, { authMethod: "ACCOUNT", username: "u" }));
    expect((await rowOf(id)).secretCiphertext).toBeNull();
  });

  test("NONE refuses a secret", async () => {
    const anonymous = await add({ name: "anonymous", type: "DOCKER_REGISTRY", url: "https://anon.example.com", authMethod: "NONE" });
    expectBadSecret(await edit(anonymous, { secret: secret("none-edit") }));
    expect((await rowOf(anonymous)).secretCiphertext).toBeNull();
  });
});

describe("logs", () => {
  test("the server's output holds no secret and not the secret key", () => {
    const output = server.output.join("\n");
    expect(output.length).toBeGreaterThan(0);
    expect(sent.length).toBeGreaterThan(20);
    expectNoSecretIn(output);
    expect(output).not.toContain(JSON_KEY_MARK);
    expect(output).not.toContain(KEY_BASE64);
    expect(output).not.toContain(KEY.toString("hex"));
  });
});

describe("database URLs in start-up failures", () => {
  const PASSWORD = `Pw${randomBytes(6).toString("hex")}`;

  const sinkLogger = () => capturingLogger();

  async function failureOf(promise: Promise<unknown>): Promise<Error> {
    const error = await promise.then(
      () => {
        throw new Error("expected a failure");
      },
      (e: Error) => e,
    );
    return error;
  }

  test("an unreachable MySQL: the error names the URL with the password masked", async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "drydock-secrets-"));
    try {
      const { lines, logger } = sinkLogger();
      const config = loadConfig({
        MYSQL_URL: `mysql://drydock:${PASSWORD}@127.0.0.1:1/drydock_unreachable`,
        DATABASE_URL: "postgres://postgres@127.0.0.1:1/drydock_unreachable",
        PORT: "0",
        HOST: "127.0.0.1",
        DRYDOCK_DATA_DIR: dataDir,
      });
      const announced: string[] = [];
      const error = await failureOf(startServer(config, logger, (line) => announced.push(line)));
      expect(error).toBeInstanceOf(StartupError);
      expect(error.message).toContain("mysql://drydock:***@127.0.0.1:1/drydock_unreachable");
      expect(error.message).not.toContain(PASSWORD);
      expect(String(error.stack)).not.toContain(PASSWORD);
      expect([...lines, ...announced].join("\n")).not.toContain(PASSWORD);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test("openMysql masks a password with URL-encoded characters", async () => {
    const encoded = encodeURIComponent(`p@ss/w:rd${PASSWORD}`);
    const error = await failureOf(openMysql(`mysql://drydock:${encoded}@127.0.0.1:1/drydock_unreachable`));
    expect(error).toBeInstanceOf(StartupError);
    expect(error.message).toContain("***");
    expect(error.message).not.toContain(PASSWORD);
  });

  test("a MySQL URL without a usable database name is refused with the password masked", async () => {
    const error = await failureOf(openMysql(`mysql://drydock:${PASSWORD}@127.0.0.1:1/not-a-name!`));
    expect(error).toBeInstanceOf(StartupError);
    expect(error.message).toContain("***");
    expect(error.message).not.toContain(PASSWORD);
  });

  test("an unreachable PostgreSQL: the error names the URL with the password masked", async () => {
    const databases = testDatabases();
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "drydock-secrets-"));
    try {
      const { lines, logger } = sinkLogger();
      const config = loadConfig({
        MYSQL_URL: databases.mysqlUrl,
        DATABASE_URL: `postgres://postgres:${PASSWORD}@127.0.0.1:1/drydock_unreachable`,
        PORT: "0",
        HOST: "127.0.0.1",
        DRYDOCK_DATA_DIR: dataDir,
        DRYDOCK_SECRET_KEY: KEY_BASE64,
      });
      const announced: string[] = [];
      const error = await failureOf(startServer(config, logger, (line) => announced.push(line)));
      expect(error).toBeInstanceOf(StartupError);
      expect(error.message).toContain("postgres://postgres:***@127.0.0.1:1/drydock_unreachable");
      expect(error.message).not.toContain(PASSWORD);
      expect([...lines, ...announced].join("\n")).not.toContain(PASSWORD);
    } finally {
      await databases.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
