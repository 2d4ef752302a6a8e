import { generateKeyPairSync } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { closeAll, sendJson, startServer, type TestServer } from "../../distribution/test-support/servers";
import { failure } from "../../distribution/test-support/results";
import { VendorApiClient } from "../../vendor-api/api-client";
import { IamTokens } from "./iam-token";

const OAUTH = "y0_Sup3r-OAuth-Token";
const clients: VendorApiClient[] = [];
const bodies: unknown[] = [];

function readJson(req: IncomingMessage): Promise<any> {
  return new Promise((resolve) => {
    let text = "";
    req.on("data", (chunk) => (text += chunk));
    req.on("end", () => resolve(JSON.parse(text || "{}")));
  });
}

/** An IAM service answering token n for the n-th exchange, with `expiresAt` = clock + lifetime when given. */
async function iamService(clock: { now: number }, lifetimeMs?: number): Promise<TestServer> {
  let issued = 0;
  return startServer(async (req, res) => {
    const body = await readJson(req);
    bodies.push(body);
    if (body.yandexPassportOauthToken !== undefined && body.yandexPassportOauthToken !== OAUTH) {
      return sendJson(res, 401, { code: 16, message: `The token ${body.yandexPassportOauthToken} is invalid`, details: [] });
    }
    issued++;
    sendJson(res, 200, { iamToken: `t1.iam-${issued}`, ...(lifetimeMs ? { expiresAt: new Date(clock.now + lifetimeMs).toISOString() } : {}) });
  });
}

function tokens(kind: "oauth" | "json_key" | "iam", secret: string, server: TestServer | null, clock: { now: number }) {
  const iamUrl = server ? `${server.url}/iam/v1/tokens` : "";
  const client = server && new VendorApiClient({ baseUrl: iamUrl, label: "the Yandex IAM service", insecure: true, caCertificate: null, retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
  if (client) clients.push(client);
  return new IamTokens(kind, secret, client && { client, iamUrl }, () => clock.now);
}

afterEach(async () => {
  bodies.splice(0);
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await closeAll();
});

test("oauth: exchanged once, shared by concurrent callers, renewed after half its lifetime (at most an hour)", async () => {
  const clock = { now: Date.UTC(2024, 0, 1) };
  const server = await iamService(clock, 12 * 3600_000);
  const iam = tokens("oauth", OAUTH, server, clock);
  expect(await Promise.all([iam.token(), iam.token(), iam.token()])).toEqual(["t1.iam-1", "t1.iam-1", "t1.iam-1"]);
  expect(bodies).toEqual([{ yandexPassportOauthToken: OAUTH }]);
  expect(server.requests[0]).toMatchObject({ method: "POST", url: "/iam/v1/tokens" });
  expect(server.requests[0].headers.authorization).toBeUndefined();
  clock.now += 3600_000 - 1;
  expect(await iam.token()).toBe("t1.iam-1");
  clock.now += 1;
  expect(await iam.token()).toBe("t1.iam-2");
  expect(iam.secrets()).toEqual(expect.arrayContaining([OAUTH, "t1.iam-1", "t1.iam-2"]));
});

test("a short lifetime is renewed at its half; without expiresAt half an hour is assumed", async () => {
  const clock = { now: Date.UTC(2024, 0, 1) };
  const short = tokens("oauth", OAUTH, await iamService(clock, 10 * 60_000), clock);
  await short.token();
  clock.now += 5 * 60_000;
  expect(await short.token()).toBe("t1.iam-2");
  const unknown = tokens("oauth", OAUTH, await iamService(clock), clock);
  await unknown.token();
  clock.now += 30 * 60_000 - 1;
  expect(await unknown.token()).toBe("t1.iam-1");
  clock.now += 1;
  expect(await unknown.token()).toBe("t1.iam-2");
});

test("json_key: a signed JWT is exchanged, the private key never leaves", async () => {
  const clock = { now: Date.now() };
  const server = await iamService(clock, 3600_000);
  const pem = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const iam = tokens("json_key", JSON.stringify({ id: "k1", service_account_id: "sa1", private_key: pem }), server, clock);
  expect(await iam.token()).toBe("t1.iam-1");
  expect(Object.keys(bodies[0] as object)).toEqual(["jwt"]);
  expect(JSON.stringify(server.requests) + JSON.stringify(bodies)).not.toContain("PRIVATE KEY");
});

test("iam: used as is, no exchange", async () => {
  const iam = tokens("iam", "t1.given", null, { now: 0 });
  expect(await iam.token()).toBe("t1.given");
});

test("a refused OAuth token: REGISTRY_UNAUTHORIZED, the token not repeated even when the service echoes it", async () => {
  const clock = { now: Date.now() };
  const iam = tokens("oauth", "y0_Wrong-Token", await iamService(clock), clock);
  const error = await failure(iam.token());
  expect(error.code).toBe("REGISTRY_UNAUTHORIZED");
  expect(error.message).toMatch(/exchange the OAuth token for an IAM token/);
  expect(error.message).not.toContain("y0_Wrong-Token");
});
