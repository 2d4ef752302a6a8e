import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { Client } from "pg";
import { request } from "undici";
import { MIGRATIONS } from "../../db/migrations";
import { runCli } from "../helpers/cli";
import { dropDatabases, newDatabaseUrls } from "../helpers/databases";
import { tableCounts } from "../helpers/mysql";
import { serverUrls, withDatabase } from "../helpers/services";

const { mysqlUrl, databaseUrl, name } = newDatabaseUrls();
const dataDir = mkdtempSync(path.join(os.tmpdir(), "drydock-startup-"));
const env = { MYSQL_URL: mysqlUrl, DATABASE_URL: databaseUrl, PORT: "0", HOST: "127.0.0.1", DRYDOCK_DATA_DIR: dataDir };

afterAll(async () => {
  await dropDatabases(name);
  rmSync(dataDir, { recursive: true, force: true });
});

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function query(url: string, body: string, token: string) {
  const answer = await request(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body,
  });
  return (await answer.body.json()) as { data?: any; errors?: any[] };
}

test("three servers started at once on empty databases end with one schema and one ADMIN token", async () => {
  const servers = [runCli(["server"], env), runCli(["server"], env), runCli(["server"], env)];
  try {
    const urls = await Promise.all(servers.map((s) => s.waitFor(/GraphQL API: /)));
    await Promise.all(servers.map((s) => s.waitFor(/GraphiQL: +http:\/\/127\.0\.0\.1:\d+\/graphiql/)));
    const tokenLines = servers.flatMap((s) => s.stdout().split("\n").filter((l) => l.startsWith("First ADMIN API token")));
    expect(tokenLines).toHaveLength(1);
    const token = tokenLines[0].split(": ").pop()!;

    const counts = await tableCounts(mysqlUrl);
    expect(counts).toMatchObject({ api_token: 1, registry: 0, system_state: 1 });
    expect(counts.migrations).toBe(MIGRATIONS.length);
    const pg = new Client({ connectionString: databaseUrl });
    await pg.connect();
    const migrations = await pg.query("SELECT count(*)::int AS n FROM graphile_worker.migrations");
    await pg.end();
    expect(migrations.rows[0].n).toBeGreaterThan(0);

    // The token works on every one of them.
    for (const line of urls) {
      const url = line.split(": ").pop()!.trim();
      expect(await query(url, JSON.stringify({ query: "{ registries { totalCount } }" }), token)).toEqual({
        data: { registries: { totalCount: 0 } },
      });
    }
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
  // Each stopped cleanly on SIGTERM rather than by the stop deadline.
  for (const s of servers) expect(await s.exited).toEqual({ code: 0, signal: null });
});

test("a later start prints no token; `token` creates one from the command line", async () => {
  const server = runCli(["server"], env);
  try {
    const url = (await server.waitFor(/GraphQL API: /)).split(": ").pop()!.trim();
    await server.waitFor(/GraphiQL: /);
    expect(server.stdout()).not.toContain("First ADMIN API token");

    const cli = runCli(["token", "--role", "VIEWER", "--name", "ci job"], env);
    expect(await cli.exited).toEqual({ code: 0, signal: null });
    const token = cli.stdout().trim().split("\n").pop()!;
    expect(cli.stdout()).toContain('Created VIEWER token "ci job"');
    expect(token).toMatch(/^ddk_/);
    const viewer = await query(url, JSON.stringify({ query: "{ registries { totalCount } }" }), token);
    expect(viewer.data).toEqual({ registries: { totalCount: 0 } });
    const admin = await query(url, JSON.stringify({ query: "{ apiTokens { name } }" }), token);
    expect(admin.errors?.[0].extensions.code).toBe("FORBIDDEN");

    const bad = runCli(["token", "--role", "ROOT", "--name", "x"], env);
    expect((await bad.exited).code).toBe(1);
    expect(bad.stderr()).toContain("--role ADMIN|OPERATOR|VIEWER");
  } finally {
    await server.stop();
  }
});

test("under NODE_ENV=production, as the Dockerfile runs it, introspection (GraphiQL's schema) is answered to a token and only to one", async () => {
  const server = runCli(["server"], { ...env, NODE_ENV: "production", DRYDOCK_SECRET_KEY: randomBytes(32).toString("base64") });
  try {
    const url = (await server.waitFor(/GraphQL API: /)).split(": ").pop()!.trim();
    const cli = runCli(["token", "--role", "VIEWER", "--name", "explorer"], env);
    expect(await cli.exited).toEqual({ code: 0, signal: null });
    const token = cli.stdout().trim().split("\n").pop()!;
    const introspection = JSON.stringify({ query: "{ __schema { queryType { name } } }" });
    expect(await query(url, introspection, token)).toEqual({ data: { __schema: { queryType: { name: "Query" } } } });
    expect((await query(url, introspection, "ddk_unknown")).errors?.[0].extensions.code).toBe("UNAUTHENTICATED");
  } finally {
    await server.stop();
  }
});

test("`start` runs the API server and a worker process, and stops both on SIGTERM", async () => {
  const all = runCli(["start"], { ...env, LOG_LEVEL: "info" });
  await all.waitFor(/GraphiQL: /);
  await all.waitFor(/"msg":"worker started"/);
  const workerPid = JSON.parse(all.stdout().split("\n").find((l) => l.includes('"msg":"worker started"'))!).pid as number;
  expect(workerPid).not.toBe(all.child.pid);
  all.child.kill("SIGTERM");
  expect(await all.exited).toEqual({ code: 0, signal: null });
  const deadline = Date.now() + 10_000;
  const alive = () => {
    try {
      process.kill(workerPid, 0);
      return true;
    } catch {
      return false;
    }
  };
  while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  expect(alive()).toBe(false);
});

describe("start-up failures are one line, exit code 1, no stack trace", () => {
  const expectOneLine = (stderr: string) => {
    const lines = stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(stderr).not.toMatch(/^\s+at /m);
  };

  test("unreachable MySQL names the URL (password masked) and what to start", async () => {
    const port = await closedPort();
    const url = `mysql://drydock:Sup3rSecretPw@127.0.0.1:${port}/drydock`;
    const cli = runCli(["server"], { ...env, MYSQL_URL: url });
    expect((await cli.exited).code).toBe(1);
    expectOneLine(cli.stderr());
    expect(cli.stderr()).toContain(`mysql://drydock:***@127.0.0.1:${port}/drydock`);
    expect(cli.stderr()).toContain("start MySQL or MariaDB");
    expect(cli.stderr() + cli.stdout()).not.toContain("Sup3rSecretPw");
  });

  test("unreachable PostgreSQL names the URL and what to start", async () => {
    const port = await closedPort();
    const url = `postgres://postgres:An0therPw@127.0.0.1:${port}/drydock`;
    const cli = runCli(["server"], { ...env, DATABASE_URL: url });
    expect((await cli.exited).code).toBe(1);
    expectOneLine(cli.stderr());
    expect(cli.stderr()).toContain(`postgres://postgres:***@127.0.0.1:${port}/drydock`);
    expect(cli.stderr()).toContain("start PostgreSQL");
    expect(cli.stderr() + cli.stdout()).not.toContain("An0therPw");
  });

  test("production without DRYDOCK_SECRET_KEY refuses to start", async () => {
    const cli = runCli(["server"], { ...env, NODE_ENV: "production" });
    expect((await cli.exited).code).toBe(1);
    expectOneLine(cli.stderr());
    expect(cli.stderr()).toContain("NODE_ENV=production needs DRYDOCK_SECRET_KEY");
  });

  test("a database server that answers but refuses the login is reported too", async () => {
    const refused = new URL(withDatabase(serverUrls().mysql, "drydock"));
    refused.username = "nobody_here";
    refused.password = "wrongpw123";
    const cli = runCli(["server"], { ...env, MYSQL_URL: refused.toString() });
    expect((await cli.exited).code).toBe(1);
    expectOneLine(cli.stderr());
    expect(cli.stderr()).toContain("nobody_here:***@");
    expect(cli.stderr()).not.toContain("wrongpw123");
  });
});
