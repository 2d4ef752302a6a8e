/**
 * TLS against a local https server whose certificate is made here with
 * openssl: a test CA signs a certificate for 127.0.0.1.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { DistributionClient } from "./client";
import type { RegistryEndpoint } from "./endpoint";
import { FakeRegistry } from "./test-support/fake-registry";
import { closeAll, startServer, type TestServer } from "./test-support/servers";
import { failure } from "./test-support/results";

const OPENSSL = "/usr/bin/openssl";
let dir: string;
let ca: string;
let otherCa: string;
let tls: { key: string; cert: string };
let server: TestServer;
const clients: DistributionClient[] = [];

function openssl(...args: string[]): void {
  execFileSync(OPENSSL, args, { cwd: dir, stdio: "pipe" });
}

function makeCa(name: string): void {
  openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.pem`,
    "-days", "2", "-subj", `/CN=drydock test ${name}`, "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "drydock-tls-"));
  makeCa("ca");
  makeCa("other-ca");
  openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1");
  writeFileSync(path.join(dir, "server.ext"), "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n");
  openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem", "-days", "2",
    "-extfile", "server.ext");
  ca = readFileSync(path.join(dir, "ca.pem"), "utf8");
  otherCa = readFileSync(path.join(dir, "other-ca.pem"), "utf8");
  tls = { key: readFileSync(path.join(dir, "server.key"), "utf8"), cert: readFileSync(path.join(dir, "server.pem"), "utf8") };
  const fake = new FakeRegistry();
  fake.putImage("team/api", ["1.0"]);
  server = await startServer(fake.handler, tls);
}, 30_000);

afterAll(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await closeAll();
  rmSync(dir, { recursive: true, force: true });
});

function client(extra: Partial<RegistryEndpoint>, url = server.url): DistributionClient {
  const c = new DistributionClient(
    { url, insecure: false, caCertificate: null, credentials: { username: "u", secret: "p" }, ...extra },
    { retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 } },
  );
  clients.push(c);
  return c;
}

test("an untrusted certificate is REGISTRY_TLS saying so, not retried", async () => {
  const before = server.requests.length;
  const error = await failure(client({}).ping());
  expect(error).toMatchObject({ code: "REGISTRY_TLS", retryable: false });
  expect(error.message).toMatch(/certificate of 127\.0\.0\.1:\d+ is not trusted/);
  expect(error.message).toMatch(/add its CA certificate to the integration, or mark it insecure/);
  expect(server.requests.length).toBe(before); // nothing got through
});

test("the integration's CA bundle makes it trusted, for that endpoint only", async () => {
  const trusted = client({ caCertificate: ca });
  expect(await trusted.ping()).toEqual({ status: 200, auth: "none" });
  expect((await trusted.getManifest("team/api", "1.0")).kind).toBe("image");
  // another endpoint without the bundle still refuses the same server
  expect((await failure(client({}).ping())).code).toBe("REGISTRY_TLS");
  // a bundle with an unrelated CA does not help
  expect((await failure(client({ caCertificate: otherCa }).ping())).code).toBe("REGISTRY_TLS");
  // a bundle of several certificates works
  expect(await client({ caCertificate: `${otherCa}\n${ca}` }).ping()).toMatchObject({ status: 200 });
});

test("insecure accepts the certificate unverified", async () => {
  expect(await client({ insecure: true }).ping()).toEqual({ status: 200, auth: "none" });
});

test("a certificate for another host name is REGISTRY_TLS", async () => {
  const error = await failure(client({ caCertificate: ca }, server.url.replace("127.0.0.1", "localhost")).ping());
  expect(error.code).toBe("REGISTRY_TLS");
  expect(error.message).toMatch(/not trusted: it is not issued for this host name/);
});

test("https to a plain-http port is REGISTRY_TLS", async () => {
  const plain = await startServer(new FakeRegistry().handler);
  const error = await failure(client({}, plain.url.replace("http:", "https:")).ping());
  expect(error.code).toBe("REGISTRY_TLS");
});

test("a redirect from https to http is refused unless insecure", async () => {
  const fake = new FakeRegistry();
  const digest = fake.putBlob("{}");
  const storage = await startServer((_req, res) => void res.writeHead(200).end("{}"));
  fake.blobRedirect = () => `${storage.url}/blob`;
  const secure = await startServer(fake.handler, tls);
  const error = await failure(client({ caCertificate: ca }, secure.url).getJsonBlob("a", digest));
  expect(error).toMatchObject({ code: "REGISTRY_PROTOCOL", message: expect.stringMatching(/refused a redirect to http:\/\/127\.0\.0\.1/) });
  expect(storage.requests).toHaveLength(0);
  expect(await client({ insecure: true }, secure.url).getJsonBlob("a", digest)).toEqual({});
});
