import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { VendorApiClient } from "./api-client";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

interface Recorded {
  method: string;
  path: string;
  authorization: string | undefined;
}

async function listen(handler: Handler): Promise<{ url: string; server: Server; requests: Recorded[] }> {
  const requests: Recorded[] = [];
  const server = createServer((req, res) => {
    requests.push({ method: req.method!, path: req.url!, authorization: req.headers.authorization });
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, requests };
}

const servers: Server[] = [];
const clients: VendorApiClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

async function apiOn(handler: Handler, options: { maxJsonBytes?: number; secret?: string } = {}) {
  const listening = await listen(handler);
  servers.push(listening.server);
  const client = new VendorApiClient({
    baseUrl: `${listening.url}/api`,
    label: "the test API",
    insecure: true,
    caCertificate: null,
    authorization: () => "Bearer api-secret",
    secrets: () => (options.secret ? [options.secret] : []),
    retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    maxJsonBytes: options.maxJsonBytes,
  });
  clients.push(client);
  return { client, ...listening };
}

test("an answer over the JSON bound is refused as RESPONSE_TOO_LARGE, also when it comes chunked without a length", async () => {
  const { client } = await apiOn((_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    for (let i = 0; i < 64; i++) res.write(`"${"x".repeat(1022)}",`);
    res.end();
  }, { maxJsonBytes: 16 * 1024 });
  await expect(client.getJson("items")).rejects.toMatchObject({ code: "RESPONSE_TOO_LARGE" });
});

test("invalid JSON is REGISTRY_PROTOCOL, naming the API", async () => {
  const { client } = await apiOn((_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end("{ not json");
  });
  await expect(client.getJson("items")).rejects.toMatchObject({ code: "REGISTRY_PROTOCOL", message: expect.stringContaining("the test API answered with invalid JSON") });
});

test("pagination that loops back to a page already read is refused, not followed forever", async () => {
  const { client } = await apiOn((req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ page: req.url }));
  });
  const pages: unknown[] = [];
  const walk = async () => {
    for await (const answer of client.pages<{ page: string }>(client.url("items", { page: 1 }), (a) => client.url("items", { page: a.body.page.endsWith("1") ? 2 : 1 }))) {
      pages.push(answer.body);
    }
  };
  await expect(walk()).rejects.toMatchObject({ code: "REGISTRY_PROTOCOL", message: expect.stringContaining("pagination loops back") });
  expect(pages).toHaveLength(2);
});

test("a POST is never redirected: its body (a login's password) goes nowhere else", async () => {
  const { client, requests } = await apiOn((req, res) => {
    if (req.url === "/api/login") res.writeHead(307, { location: "/api/elsewhere" }).end();
    else res.writeHead(200).end("{}");
  });
  await expect(client.postJson("login", { password: "p4ss" })).rejects.toMatchObject({ code: "REGISTRY_PROTOCOL" });
  expect(requests.map((r) => r.path)).toEqual(["/api/login"]);
});

test("the Authorization header goes to the API's own origin only", async () => {
  const other = await listen((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end("{}"));
  servers.push(other.server);
  const { client, requests } = await apiOn((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end("{}"));
  await client.getJson("items");
  await client.getJson(`${other.url}/login`);
  expect(requests.map((r) => r.authorization)).toEqual(["Bearer api-secret"]);
  expect(other.requests.map((r) => r.authorization)).toEqual([undefined]);
});

test("an error answer is mapped by status, and what the API said is quoted without the secret", async () => {
  const { client } = await apiOn((req, res) => {
    const status = Number(req.url!.split("/").pop());
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify({ message: "token t0p-s3cret is not valid here" }));
  }, { secret: "t0p-s3cret" });
  const codes: Record<number, string> = { 401: "REGISTRY_UNAUTHORIZED", 403: "REGISTRY_FORBIDDEN", 404: "REGISTRY_PROTOCOL", 429: "RATE_LIMITED", 503: "REGISTRY_UNREACHABLE" };
  for (const [status, code] of Object.entries(codes)) {
    const error = await client.getJson(`status/${status}`).then(() => null, (e: Error & { code: string }) => e);
    expect(error).toMatchObject({ code, message: expect.stringContaining("token [HIDDEN] is not valid here") });
    expect(error!.message).not.toContain("t0p-s3cret");
  }
});
