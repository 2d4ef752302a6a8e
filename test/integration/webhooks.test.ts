import { createHmac } from "node:crypto";
import { request } from "undici";
import { startWorker, type RunningWorker } from "../../workers/main";
import { WEBHOOK_BODY_LIMIT } from "../../server/webhooks/webhook.route";
import { dockerHubPush, harborPush, nexusComponentPush } from "../../server/webhooks/parsers/test-support/payloads";
import { buildLayer, file } from "../registry/image-builder";
import { pushImage } from "../registry/push";
import { type RunningRegistry, startRegistry } from "../registry/registry-server";
import { capturingLogger } from "../helpers/logs";
import { withMysql } from "../helpers/mysql";
import { addPlainRegistry } from "../helpers/scanning";
import { startTestServer, type TestServer } from "../helpers/server";

const DAY = 24 * 3600_000;
const daysAgo = (n: number) => new Date(Date.now() - n * DAY);

let server: TestServer;
let registry: RunningRegistry;
let worker: RunningWorker;
const tokens: Record<"OPERATOR" | "VIEWER", string> = { OPERATOR: "", VIEWER: "" };
let counter = 0;

async function admin(query: string, variables: Record<string, unknown> = {}) {
  const answer = await server.gql(query, variables);
  if (answer.errors) throw new Error(JSON.stringify(answer.errors));
  return answer.data!;
}

/** A DOCKER_REGISTRY integration of the real registry (it accepts every vendor's payload shape), with its policy. */
async function integration(policy: Record<string, unknown>, fields: Record<string, unknown> = {}): Promise<{ id: string; url: string }> {
  const id = await addPlainRegistry(server, { name: `hooked ${++counter}`, url: registry.url });
  if (Object.keys(fields).length > 0) await admin(`mutation($id: ID!, $input: EditRegistryInput!) { editRegistry(id: $id, input: $input) { id } }`, { id, input: fields });
  await admin(`mutation($id: ID!, $input: PullPolicyInput!) { editPullPolicy(registryId: $id, input: $input) { mode } }`, { id, input: policy });
  return { id, url: await webhookUrl(id) };
}

const AUTOMATIC = { mode: "AUTOMATIC", schedule: "0 3 * * *", condition: "NONE" };

async function webhookUrl(id: string): Promise<string> {
  return (await admin(`query($id: ID!) { registry(id: $id) { webhookUrl } }`, { id })).registry.webhookUrl;
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const raw = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === "string" ? body : JSON.stringify(body));
  const answer = await request(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: raw });
  return { status: answer.statusCode, body: (await answer.body.json()) as Record<string, any> };
}

const nexusSignature = (key: string, body: string) => createHmac("sha1", key).update(body).digest("hex");

const rows = (sql: string, params: unknown[]) => withMysql(server.config.mysqlUrl, async (my) => (await my.query<any[]>(sql, params))[0]);

const imagesOf = (registryId: string) =>
  rows("SELECT repository, tag, addedBy FROM image WHERE registryId = ? ORDER BY repository, tag", [registryId]);
const scannedOf = (registryId: string) =>
  rows("SELECT i.repository, i.tag FROM scan_job s JOIN image i ON i.id = s.imageId WHERE s.registryId = ? ORDER BY i.repository, i.tag", [registryId]);
const syncRunsOf = (registryId: string) => rows("SELECT `trigger`, status, finishedAt FROM sync_run WHERE registryId = ?", [registryId]);

/** Waits until every webhook run of the registry has finished (at least `count`), then answers them. */
async function webhookRunsDone(registryId: string, count: number): Promise<any[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const runs = await syncRunsOf(registryId);
    if (runs.length >= count && runs.every((run) => run.finishedAt !== null)) return runs;
    if (Date.now() > deadline) throw new Error(`webhook runs of ${registryId}: ${JSON.stringify(runs)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  registry = await startRegistry();
  const layer = (name: string) => [buildLayer([file(`app/${name}`, `${name}\n`)])];
  await pushImage(registry, "team/api", "1.0", { layers: layer("api-1.0"), config: { created: daysAgo(90) } });
  await pushImage(registry, "team/api", "1.1", { layers: layer("api-1.1"), config: { created: daysAgo(2) } });
  await pushImage(registry, "team/web", "2.0", { layers: layer("web-2.0"), config: { created: daysAgo(3) } });
  await pushImage(registry, "team/web", "2.1", { layers: layer("web-2.1"), config: { created: daysAgo(1) } });
  await pushImage(registry, "docker-hosted/tools/cli", "5", { layers: layer("cli-5"), config: { created: daysAgo(1) } });
  server = await startTestServer();
  worker = await startWorker(server.config, capturingLogger("silent").logger);
  for (const role of ["OPERATOR", "VIEWER"] as const) {
    const data = await admin(`mutation($name: String!, $role: Role!) { createApiToken(name: $name, role: $role) { token } }`, { name: role, role });
    tokens[role] = data.createApiToken.token;
  }
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await server?.stop();
  await registry?.stop();
});

test("webhookUrl is shown to ADMIN tokens only: others read null, without an error", async () => {
  const { id } = await integration({ mode: "MANUAL" });
  const query = `query($id: ID!) { registry(id: $id) { webhookUrl } registries(first: 100) { nodes { id webhookUrl } } }`;
  const asAdmin = await server.gql(query, { id });
  expect(asAdmin.data!.registry.webhookUrl).toMatch(new RegExp(`^${server.url}/webhooks/registries/${id}/[A-Za-z0-9_-]{43}$`));
  expect(asAdmin.data!.registries.nodes.find((n: { id: string }) => n.id === id).webhookUrl).toBe(asAdmin.data!.registry.webhookUrl);
  for (const role of ["OPERATOR", "VIEWER"] as const) {
    const answer = await server.gql(query, { id }, tokens[role]);
    expect({ role, errors: answer.errors, url: answer.data!.registry.webhookUrl }).toEqual({ role, errors: undefined, url: null });
    expect(answer.data!.registries.nodes.every((n: { webhookUrl: string | null }) => n.webhookUrl === null)).toBe(true);
  }
});

test("DRYDOCK_PUBLIC_URL is the base of webhook URLs, for registries that reach drydock at another address", async () => {
  const proxied = await startTestServer({ DRYDOCK_PUBLIC_URL: "https://drydock.example.test/" });
  try {
    const id = await addPlainRegistry(proxied, { name: "behind a proxy", url: registry.url });
    const answer = await proxied.gql(`query($id: ID!) { registry(id: $id) { webhookUrl } }`, { id });
    expect(answer.data!.registry.webhookUrl).toMatch(new RegExp(`^https://drydock\\.example\\.test/webhooks/registries/${id}/[A-Za-z0-9_-]{43}$`));
  } finally {
    await proxied.stop();
  }
});

test("a Harbor-shaped and a Docker Hub-shaped push to an AUTOMATIC integration queue exactly the pushed images, added by WEBHOOK", async () => {
  // Condition NONE: a full sync would select all four tags.
  const { id, url } = await integration(AUTOMATIC);

  const harbor = await post(url, harborPush("team", "api", ["1.1"]));
  expect(harbor).toEqual({ status: 202, body: { status: "queued", vendor: "Harbor", pushes: [{ repository: "team/api", tag: "1.1" }] } });
  await webhookRunsDone(id, 1);
  const hub = await post(url, dockerHubPush("team", "web", "2.0"));
  expect(hub).toEqual({ status: 202, body: { status: "queued", vendor: "Docker Hub", pushes: [{ repository: "team/web", tag: "2.0" }] } });

  const runs = await webhookRunsDone(id, 2);
  expect(runs.map((run) => [run.trigger, run.status])).toEqual([
    ["WEBHOOK", "SUCCEEDED"],
    ["WEBHOOK", "SUCCEEDED"],
  ]);
  expect(await imagesOf(id)).toEqual([
    { repository: "team/api", tag: "1.1", addedBy: "WEBHOOK" },
    { repository: "team/web", tag: "2.0", addedBy: "WEBHOOK" },
  ]);
  expect(await scannedOf(id)).toEqual([
    { repository: "team/api", tag: "1.1" },
    { repository: "team/web", tag: "2.0" },
  ]);
  expect(server.output.join("\n")).not.toContain(url.split("/").pop());
});

test("the pushed tag goes through the policy: a tag it does not select is not queued", async () => {
  const { id, url } = await integration({ ...AUTOMATIC, condition: "CREATED_WITHIN", createdWithin: { amount: 30, unit: "DAYS" } });
  expect((await post(url, harborPush("team", "api", ["1.0"]))).status).toBe(202);
  await webhookRunsDone(id, 1);
  expect(await imagesOf(id)).toEqual([]);
  expect(await scannedOf(id)).toEqual([]);
});

test("under LATEST a push re-evaluates its whole repository", async () => {
  const { id, url } = await integration({ ...AUTOMATIC, condition: "LATEST", latestTags: 1 });
  // 1.0 is pushed, but 1.1 is the repository's newest tag: LATEST 1 keeps 1.1 only.
  expect((await post(url, harborPush("team", "api", ["1.0"]))).status).toBe(202);
  await webhookRunsDone(id, 1);
  expect(await imagesOf(id)).toEqual([{ repository: "team/api", tag: "1.1", addedBy: "WEBHOOK" }]);
  expect(await scannedOf(id)).toEqual([{ repository: "team/api", tag: "1.1" }]);
});

test("a MANUAL integration answers 202 and ignores the push, logged", async () => {
  const { id, url } = await integration({ mode: "MANUAL" });
  const answer = await post(url, harborPush("team", "api", ["1.1"]));
  expect(answer).toEqual({ status: 202, body: { status: "ignored", reason: "the integration's pull policy is MANUAL" } });
  await new Promise((resolve) => setTimeout(resolve, 1000));
  expect(await syncRunsOf(id)).toEqual([]);
  expect(await imagesOf(id)).toEqual([]);
  expect(server.output.some((line) => line.includes(id) && line.includes("webhook ignored: the pull policy is MANUAL"))).toBe(true);
});

test("an AUTOMATIC integration answers 202 to an event that pushed no tag (a Harbor pull) and runs nothing", async () => {
  const { id, url } = await integration(AUTOMATIC);
  const pulled = { ...harborPush("team", "api", ["1.1"]), type: "PULL_ARTIFACT" };
  expect(await post(url, pulled)).toEqual({ status: 202, body: { status: "ignored", reason: "this Harbor event pushed no tag" } });
  await new Promise((resolve) => setTimeout(resolve, 1000));
  expect(await syncRunsOf(id)).toEqual([]);
  expect(await imagesOf(id)).toEqual([]);
});

describe("refused deliveries", () => {
  let id: string;
  let url: string;
  beforeAll(async () => ({ id, url } = await integration(AUTOMATIC)));

  test("a wrong token, an unknown registry and a malformed id get the same 404, logged without the token", async () => {
    const base = url.slice(0, url.lastIndexOf("/"));
    const wrongToken = "W".repeat(43);
    const answers = await Promise.all([
      post(`${base}/${wrongToken}`, harborPush("team", "api", ["1.1"])),
      post(`${server.url}/webhooks/registries/00000000-0000-4000-8000-000000000000/${url.split("/").pop()}`, harborPush("team", "api", ["1.1"])),
      post(`${server.url}/webhooks/registries/not-an-id/${wrongToken}`, harborPush("team", "api", ["1.1"])),
    ]);
    for (const answer of answers) expect(answer).toEqual({ status: 404, body: { error: "no such webhook" } });
    expect(server.output.some((line) => line.includes(id) && line.includes("webhook refused: unknown registry or wrong token"))).toBe(true);
    expect(server.output.join("\n")).not.toContain(wrongToken);
    expect(await syncRunsOf(id)).toEqual([]);
  });

  test("a body that is not JSON → 400; a shape of no known vendor → 400; over 1 MiB → 413", async () => {
    expect(await post(url, "{ not json")).toEqual({ status: 400, body: { error: "the body is not JSON" } });
    expect((await post(url, { hello: "world" })).status).toBe(400);
    const large = await post(url, JSON.stringify({ padding: "x".repeat(WEBHOOK_BODY_LIMIT) }));
    expect(large.status).toBe(413);
    expect(await syncRunsOf(id)).toEqual([]);
  });
});

test("rotateWebhookSecret makes the old URL stop working and the new one work", async () => {
  const { id, url: before } = await integration(AUTOMATIC);
  const rotated = await admin(`mutation($id: ID!) { rotateWebhookSecret(id: $id) { id webhookUrl } }`, { id });
  const after = rotated.rotateWebhookSecret.webhookUrl as string;
  expect(after).not.toBe(before);
  expect(after.slice(0, after.lastIndexOf("/"))).toBe(before.slice(0, before.lastIndexOf("/")));
  expect((await post(before, dockerHubPush("team", "web", "2.1"))).status).toBe(404);
  expect((await post(after, dockerHubPush("team", "web", "2.1"))).status).toBe(202);
  await webhookRunsDone(id, 1);
  expect(await imagesOf(id)).toEqual([{ repository: "team/web", tag: "2.1", addedBy: "WEBHOOK" }]);
});

test("with a signing key, only deliveries carrying Nexus's HMAC-SHA1 signature of the body are accepted", async () => {
  const key = "nexus-capability-secret-key";
  const { id, url } = await integration(AUTOMATIC, { webhookSigningKey: key });
  expect((await admin(`query($id: ID!) { registry(id: $id) { hasWebhookSigningKey } }`, { id })).registry.hasWebhookSigningKey).toBe(true);
  const body = JSON.stringify(nexusComponentPush("docker-hosted", "tools/cli", "5"));
  const signature = nexusSignature(key, body);

  const refused = { status: 401, body: { error: "X-Nexus-Webhook-Signature is missing or does not match the body" } };
  expect(await post(url, body)).toEqual(refused);
  expect(await post(url, body, { "x-nexus-webhook-signature": nexusSignature("another key", body) })).toEqual(refused);
  expect(await post(url, body.replace('"5"', '"6"'), { "x-nexus-webhook-signature": signature })).toEqual(refused);
  expect(await syncRunsOf(id)).toEqual([]);

  const accepted = await post(url, body, { "x-nexus-webhook-signature": signature });
  expect(accepted).toEqual({ status: 202, body: { status: "queued", vendor: "Nexus", pushes: [{ repository: "docker-hosted/tools/cli", tag: "5" }] } });
  await webhookRunsDone(id, 1);
  expect(await imagesOf(id)).toEqual([{ repository: "docker-hosted/tools/cli", tag: "5", addedBy: "WEBHOOK" }]);
  expect(server.output.join("\n")).not.toContain(key);

  // Removing the key accepts unsigned deliveries again.
  await admin(`mutation($id: ID!) { editRegistry(id: $id, input: { webhookSigningKey: null }) { id } }`, { id });
  expect((await post(url, body)).status).toBe(202);
});
