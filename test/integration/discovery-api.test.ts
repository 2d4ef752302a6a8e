import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { tableCounts } from "../helpers/mysql";
import { errorCode, startTestServer, type TestServer } from "../helpers/server";
import { buildLayer, file } from "../registry/image-builder";
import { pushImage } from "../registry/push";
import { type RunningRegistry, startRegistry } from "../registry/registry-server";
import { openWorkerSide } from "../helpers/discovery";

const TEST = `mutation($id: ID, $input: AddRegistryInput) { testRegistryConnection(id: $id, input: $input) { ok checks { name ok message } } }`;
const PREVIEW = `query($id: ID!, $policy: PullPolicyInput, $refresh: Boolean, $first: Int, $after: String) {
  previewPullPolicy(registryId: $id, policy: $policy, refresh: $refresh, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } nodes { repository tag digest selected reason }
  }
}`;
const DAY = 24 * 3600_000;

let server: TestServer;
let open: RunningRegistry;
let locked: RunningRegistry;
const extras: (http.Server | https.Server)[] = [];
let tmp: string;

const input = (url: string, extra: Record<string, unknown> = {}) => ({
  name: "probe",
  type: "DOCKER_REGISTRY",
  url,
  insecure: url.startsWith("http:"),
  authMethod: "NONE",
  ...extra,
});

async function listen(app: http.Server | https.Server): Promise<number> {
  extras.push(app);
  await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
  return (app.address() as AddressInfo).port;
}

async function checks(variables: Record<string, unknown>) {
  const answer = await server.gql(TEST, variables);
  expect(answer.errors).toBeUndefined();
  return answer.data!.testRegistryConnection as { ok: boolean; checks: { name: string; ok: boolean; message: string }[] };
}

beforeAll(async () => {
  server = await startTestServer();
  open = await startRegistry();
  locked = await startRegistry({ auth: { username: "scanner", password: "right-password" } });
  tmp = mkdtempSync(path.join(os.tmpdir(), "drydock-tls-"));
});

afterAll(async () => {
  for (const app of extras) await new Promise((resolve) => app.close(resolve));
  await open?.stop();
  await locked?.stop();
  await server?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe("testRegistryConnection", () => {
  test("a reachable registry passes every check, and nothing is stored", async () => {
    const before = await tableCounts(server.config.mysqlUrl);
    const result = await checks({ input: input(open.url) });
    expect(result.checks.map((c) => [c.name, c.ok])).toEqual([
      ["reachable", true],
      ["TLS", true],
      ["authenticated", true],
      ["can list", true],
    ]);
    expect(result.ok).toBe(true);
    expect(await tableCounts(server.config.mysqlUrl)).toEqual(before);
  });

  test("a wrong password fails 'authenticated' in words an operator acts on; the right one passes", async () => {
    const wrong = await checks({ input: input(locked.url, { authMethod: "ACCOUNT", username: "scanner", secret: "wrong" }) });
    expect(wrong.ok).toBe(false);
    expect(wrong.checks.find((c) => c.name === "authenticated")).toMatchObject({ ok: false, message: expect.stringContaining("check the username and secret") });
    expect(JSON.stringify(wrong)).not.toContain("wrong\"");
    const right = await checks({ input: input(locked.url, { authMethod: "ACCOUNT", username: "scanner", secret: "right-password" }) });
    expect(right.ok).toBe(true);
  });

  test("a saved registry is tested by id", async () => {
    const added = await server.gql(`mutation($input: AddRegistryInput!) { addRegistry(input: $input) { id } }`, { input: input(open.url, { name: "saved" }) });
    expect((await checks({ id: added.data!.addRegistry.id })).ok).toBe(true);
  });

  test("nothing listening: not reachable", async () => {
    const probe = http.createServer();
    const port = await listen(probe);
    await new Promise((resolve) => probe.close(resolve));
    extras.splice(extras.indexOf(probe), 1);
    const result = await checks({ input: input(`http://127.0.0.1:${port}`) });
    expect(result.checks[0]).toMatchObject({ name: "reachable", ok: false });
    expect(result.checks.slice(1).every((c) => !c.ok && c.message.startsWith("not checked"))).toBe(true);
  });

  test("a web server that is not a registry is reported as such", async () => {
    const port = await listen(http.createServer((_req, res) => res.writeHead(404, { "content-type": "text/html" }).end("<h1>nope</h1>")));
    const result = await checks({ input: input(`http://127.0.0.1:${port}`) });
    expect(result.checks[0]).toMatchObject({ name: "reachable", ok: false, message: expect.stringContaining("does not answer like a container registry") });
  });

  test("an untrusted certificate fails TLS", async () => {
    execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", path.join(tmp, "key.pem"),
      "-out", path.join(tmp, "cert.pem"), "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-days", "2"], { stdio: "ignore" });
    const tls = https.createServer({ key: readFileSync(path.join(tmp, "key.pem")), cert: readFileSync(path.join(tmp, "cert.pem")) }, (_req, res) =>
      res.writeHead(200, { "docker-distribution-api-version": "registry/2.0" }).end("{}"),
    );
    const port = await listen(tls);
    const result = await checks({ input: input(`https://127.0.0.1:${port}`) });
    expect(result.checks.find((c) => c.name === "TLS")).toMatchObject({ ok: false, message: expect.stringContaining("not trusted") });
    const trusted = await checks({ input: input(`https://127.0.0.1:${port}`, { caCertificate: readFileSync(path.join(tmp, "cert.pem"), "utf8") }) });
    expect(trusted.checks.find((c) => c.name === "TLS")).toMatchObject({ ok: true });
  });

  test("a registry that refuses the catalog fails 'can list'", async () => {
    const port = await listen(
      http.createServer((req, res) => {
        if (req.url === "/v2/") return res.writeHead(200, { "docker-distribution-api-version": "registry/2.0", "content-type": "application/json" }).end("{}");
        res.writeHead(403, { "content-type": "application/json" }).end(JSON.stringify({ errors: [{ code: "DENIED", message: "no" }] }));
      }),
    );
    const result = await checks({ input: input(`http://127.0.0.1:${port}`) });
    expect(result.checks.find((c) => c.name === "can list")).toMatchObject({ ok: false, message: expect.stringContaining("catalog") });
    expect(result.checks.find((c) => c.name === "authenticated")!.ok).toBe(true);
  });

  test("id and input together are refused", async () => {
    const answer = await server.gql(TEST, { id: "x", input: input(open.url) });
    expect(errorCode(answer)).toBe("BAD_USER_INPUT");
  });
});

describe("previewPullPolicy", () => {
  let registryId: string;
  beforeAll(async () => {
    for (const [tag, age] of [["1.0", 40], ["1.1", 20], ["1.2", 1]] as const) {
      await pushImage(open, "preview/app", tag, { layers: [buildLayer([file("v", tag)])], config: { created: new Date(Date.now() - age * DAY) } });
    }
    const added = await server.gql(`mutation($input: AddRegistryInput!) { addRegistry(input: $input) { id } }`, { input: input(open.url, { name: "preview" }) });
    registryId = added.data!.addRegistry.id;
  });

  test("without a stored listing it lists afresh; a policy not yet saved is evaluated tag by tag with reasons", async () => {
    const answer = await server.gql(PREVIEW, { id: registryId, policy: { mode: "AUTOMATIC", schedule: "0 3 * * *", criteriaEnabled: true, criteria: ["preview/*"], condition: "LATEST", latestTags: 2 } });
    expect(answer.errors).toBeUndefined();
    const nodes = answer.data!.previewPullPolicy.nodes.filter((n: any) => n.repository === "preview/app");
    expect(nodes.map((n: any) => [n.tag, n.selected])).toEqual([["1.0", false], ["1.1", true], ["1.2", true]]);
    expect(nodes[0].reason).toContain("not among the 2 latest");
    expect(nodes[2].digest).toMatch(/^sha256:/);
  });

  test("after a sync it uses the stored listing; pages with cursors; stores nothing", async () => {
    const worker = await openWorkerSide(server);
    try {
      await worker.sync(registryId);
    } finally {
      await worker.close();
    }
    // A tag pushed after the sync is not in the stored listing, unless refresh is asked.
    await pushImage(open, "preview/app", "1.3", { layers: [buildLayer([file("v", "1.3")])], config: { created: new Date() } });
    const before = await tableCounts(server.config.mysqlUrl);
    const first = await server.gql(PREVIEW, { id: registryId, first: 2 });
    expect(first.data!.previewPullPolicy.totalCount).toBe(3);
    expect(first.data!.previewPullPolicy.pageInfo.hasNextPage).toBe(true);
    const rest = await server.gql(PREVIEW, { id: registryId, first: 2, after: first.data!.previewPullPolicy.pageInfo.endCursor });
    expect(rest.data!.previewPullPolicy.nodes.map((n: any) => n.tag)).toEqual(["1.2"]);
    const fresh = await server.gql(PREVIEW, { id: registryId, refresh: true });
    expect(fresh.data!.previewPullPolicy.totalCount).toBe(4);
    expect(await tableCounts(server.config.mysqlUrl)).toEqual(before);
  });
});
