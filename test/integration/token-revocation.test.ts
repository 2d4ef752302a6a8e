/**
 * Servers keep the principals of tokens they have read (one statement less
 * per request), and a revocation still takes effect at once everywhere: it
 * travels through PostgreSQL NOTIFY, and while a server cannot hear it that
 * server keeps nothing.
 */
import { Client as PgClient } from "pg";
import { LISTENER_APPLICATION_NAME } from "../../server/live/update-listener";
import { PRINCIPAL_TTL_MS } from "../../server/modules/token/principal-cache";
import { withMysql } from "../helpers/mysql";
import { addPlainRegistry } from "../helpers/scanning";
import { errorCode, startTestServer, type TestServer } from "../helpers/server";
import { sqlDuring } from "../helpers/sql-during";
import { record, subscriptionClient } from "../helpers/subscriptions";

let first: TestServer;
let second: TestServer;
let pg: PgClient;
let registryId: string;
const clients: Array<{ dispose(): void | Promise<void> }> = [];

beforeAll(async () => {
  first = await startTestServer();
  second = await startTestServer({ MYSQL_URL: first.config.mysqlUrl, DATABASE_URL: first.config.databaseUrl });
  registryId = await addPlainRegistry(first, { name: "revocations", url: "http://127.0.0.1:9" });
  pg = new PgClient({ connectionString: first.config.databaseUrl });
  await pg.connect();
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await pg?.end();
  await second?.stop();
  await first?.stop();
});

/** A new VIEWER token, made on the first server. */
async function viewer(name: string): Promise<{ id: string; token: string }> {
  const answer = await first.gql(`mutation($name: String!) { createApiToken(name: $name, role: VIEWER) { token apiToken { id } } }`, { name });
  return { id: answer.data!.createApiToken.apiToken.id, token: answer.data!.createApiToken.token };
}

const registriesWith = (server: TestServer, token: string) => server.gql(`{ registries(first: 1) { totalCount } }`, {}, token);

/** The statements reading api_token (its lastUsedAt update aside) while `server` answers one request with `token`. */
async function tokenReads(server: TestServer, token: string): Promise<string[]> {
  const { result, statements } = await sqlDuring(server.config.mysqlUrl, () => registriesWith(server, token));
  expect(result.errors).toBeUndefined();
  return statements.filter((s) => /^SELECT .* FROM `api_token`/.test(s));
}

/** Polls until `check` holds, for at most `ms`: well under PRINCIPAL_TTL_MS, so that an expired entry cannot pass for a revocation heard. */
async function within(ms: number, check: () => Promise<boolean>): Promise<void> {
  expect(ms).toBeLessThan(PRINCIPAL_TTL_MS / 2);
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function loggedSince(server: TestServer, from: number, message: string): Promise<void> {
  await within(4_000, async () => server.output.slice(from).some((line) => line.includes(message)));
}

test("a server reads a token once, then answers from what it kept", async () => {
  const { token } = await viewer("cached");
  expect(await tokenReads(second, token)).toHaveLength(1);
  expect(await tokenReads(second, token)).toEqual([]);
});

test("a token revoked on one server is refused at once by another that had kept it, and its subscription there is closed", async () => {
  const { id, token } = await viewer("revoked elsewhere");
  expect((await registriesWith(second, token)).errors).toBeUndefined();
  expect(await tokenReads(second, token)).toEqual([]);
  const c = subscriptionClient(second.url, token);
  clients.push(c);
  const subscription = record(c, `subscription($id: ID!) { scanJobUpdated(registryId: $id) { id } }`, { id: registryId }, "scanJobUpdated");
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(subscription.closed).toBeNull();

  const revoked = await first.gql(`mutation($id: ID!) { revokeApiToken(id: $id) { id } }`, { id });
  expect(revoked.errors).toBeUndefined();
  await within(2_000, async () => errorCode(await registriesWith(second, token)) === "UNAUTHENTICATED");
  await within(2_000, async () => subscription.closed !== null);
  expect(subscription.closed).toEqual({ code: 4401, reason: "the API token was revoked" });
});

test("while a server cannot hear revocations it keeps no token: one deleted without a notice is refused at once, and keeping resumes after", async () => {
  const { id, token } = await viewer("deleted quietly");
  expect((await registriesWith(second, token)).errors).toBeUndefined();
  expect(await tokenReads(second, token)).toEqual([]);

  const before = second.output.length;
  const listeners = await pg.query<{ pid: number }>(
    "SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database() AND query LIKE 'LISTEN%'",
    [LISTENER_APPLICATION_NAME],
  );
  expect(listeners.rows).toHaveLength(2);
  await pg.query("SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid", [listeners.rows.map((row) => row.pid)]);
  await loggedSince(second, before, "the LISTEN connection to PostgreSQL was lost");
  await withMysql(first.config.mysqlUrl, (db) => db.query("DELETE FROM api_token WHERE id = ?", [id]));
  expect(errorCode(await registriesWith(second, token))).toBe("UNAUTHENTICATED");

  await loggedSince(second, before, "live updates: listening again");
  const { token: later } = await viewer("after the reconnect");
  expect(await tokenReads(second, later)).toHaveLength(1);
  expect(await tokenReads(second, later)).toEqual([]);
});
