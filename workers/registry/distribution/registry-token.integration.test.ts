/**
 * The client against the real distribution registry configured for token
 * auth (Bearer): a token service here signs JWTs (ES256, `kid` = the libtrust
 * key id the registry derives from its root certificate bundle) and grants
 * scopes per user, as Harbor's, GitLab's or Docker Hub's do. It shows, on a
 * real registry, that a wrong password (the token service's 401) and a
 * missing catalog right (the registry's `insufficient_scope`) stay apart.
 */
import { createHash, createPrivateKey, sign, X509Certificate } from "node:crypto";
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import os from "node:os";
import path from "node:path";
import { BASE_LAYER } from "../../../test/registry/image-builder";
import { pushImage, type PushedImage } from "../../../test/registry/push";
import { startRegistry, type RunningRegistry } from "../../../test/registry/registry-server";
import { DistributionClient } from "./client";
import type { RegistryEndpoint } from "./endpoint";
import { basic, closeAll, queryOf, sendJson, startServer, type TestServer } from "./test-support/servers";
import { collect, failure } from "./test-support/results";

const SERVICE = "drydock-test-registry";
const ISSUER = "drydock-test-issuer";
const USERS: Record<string, string> = { reader: "reader-secret", admin: "admin-secret" };

let dir: string;
let privateKey: ReturnType<typeof createPrivateKey>;
let keyId: string;
let tokenServer: TestServer;
let registry: RunningRegistry;
let pushed: PushedImage;
const clients: DistributionClient[] = [];

/** libtrust's key id: base32 of the first 30 bytes of sha256(DER SPKI), in groups of 4 joined by ':'. */
function libtrustKeyId(spki: Buffer): string {
  const bytes = createHash("sha256").update(spki).digest().subarray(0, 30);
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const byte of bytes) bits += byte.toString(2).padStart(8, "0");
  let encoded = "";
  for (let i = 0; i + 5 <= bits.length; i += 5) encoded += alphabet[parseInt(bits.slice(i, i + 5), 2)];
  return encoded.match(/.{4}/g)!.join(":");
}

interface Access {
  type: string;
  name: string;
  actions: string[];
}

function jwt(subject: string, access: Access[]): string {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const head = `${b64({ typ: "JWT", alg: "ES256", kid: keyId })}.${b64({ iss: ISSUER, sub: subject, aud: SERVICE, exp: now + 300, nbf: now - 10, iat: now, jti: `${now}-${Math.random()}`, access })}`;
  const signature = sign("sha256", Buffer.from(head), { key: privateKey, dsaEncoding: "ieee-p1363" });
  return `${head}.${signature.toString("base64url")}`;
}

/** What each account may do: readers pull, only admin lists the catalog, anonymous pulls public/*. */
function granted(user: string | null, scope: string): Access | null {
  const [type, name, actions] = [scope.split(":")[0], scope.split(":").slice(1, -1).join(":"), scope.split(":").at(-1) ?? ""];
  if (type === "registry" && name === "catalog") return user === "admin" ? { type, name, actions: ["*"] } : null;
  if (type !== "repository") return null;
  const allowed = actions.split(",").filter((action) => action === "pull" && (user !== null || name.startsWith("public/")));
  return allowed.length ? { type, name, actions: allowed } : null;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "drydock-token-registry-"));
  execFileSync("/usr/bin/openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "token.key", "-out", "token.pem", "-days", "2", "-subj", "/CN=drydock test token issuer"], { cwd: dir, stdio: "pipe" });
  const certificate = new X509Certificate(readFileSync(path.join(dir, "token.pem")));
  privateKey = createPrivateKey(readFileSync(path.join(dir, "token.key")));
  keyId = libtrustKeyId(certificate.publicKey.export({ type: "spki", format: "der" }));

  tokenServer = await startServer((req, res) => {
    let user: string | null = null;
    const header = req.headers.authorization;
    if (header) {
      const [name, ...rest] = Buffer.from(header.replace(/^Basic /, ""), "base64").toString().split(":");
      if (!header.startsWith("Basic ") || USERS[name] === undefined || USERS[name] !== rest.join(":")) {
        return sendJson(res, 401, { details: "incorrect username or password" });
      }
      user = name;
    }
    const query = queryOf(req);
    if (query.get("service") !== SERVICE) return sendJson(res, 400, { details: "unknown service" });
    const access = query.getAll("scope").map((scope) => granted(user, scope)).filter((a): a is Access => a !== null);
    sendJson(res, 200, { token: jwt(user ?? "", access), expires_in: 300, issued_at: new Date().toISOString() });
  });

  // The harness writes an htpasswd config; this wrapper swaps in token auth before starting the real binary.
  const tokenAuth = { token: { realm: `${tokenServer.url}/token`, service: SERVICE, issuer: ISSUER, rootcertbundle: path.join(dir, "token.pem") } };
  const wrapper = path.join(dir, "registry-with-token-auth");
  writeFileSync(
    wrapper,
    [
      "#!/bin/sh",
      `"${process.execPath}" -e 'const fs = require("fs"); const c = JSON.parse(fs.readFileSync(process.argv[1], "utf8")); c.auth = ${JSON.stringify(tokenAuth)}; fs.writeFileSync(process.argv[1] + ".token.json", JSON.stringify(c));' "$2"`,
      `exec "${process.env.DRYDOCK_REGISTRY_BIN ?? "/usr/bin/docker-registry"}" "$1" "$2.token.json"`,
      "",
    ].join("\n"),
  );
  chmodSync(wrapper, 0o755);
  registry = await startRegistry({ auth: { username: "unused", password: "unused" }, binary: wrapper });

  // Push through a proxy that adds a push token (the harness pushes with Basic only).
  const pushToken = jwt("pusher", [{ type: "repository", name: "private/app", actions: ["pull", "push"] }]);
  const registryPort = Number(new URL(registry.url).port);
  const proxy = await startServer(
    (req, res) =>
      new Promise<void>((resolve) => {
        const upstream = httpRequest(
          { host: "127.0.0.1", port: registryPort, method: req.method, path: req.url, headers: { ...req.headers, authorization: `Bearer ${pushToken}` } },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res).once("finish", resolve);
          },
        );
        req.pipe(upstream);
      }),
  );
  pushed = await pushImage({ url: proxy.url }, "private/app", "1.0", { format: "oci", layers: [BASE_LAYER], config: { created: "2024-03-04T05:06:07Z" } });
  await proxy.close();
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await registry?.stop();
  await closeAll();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function client(credentials: RegistryEndpoint["credentials"], trusted = true): DistributionClient {
  const c = new DistributionClient(
    { url: registry.url, insecure: true, caCertificate: null, credentials, trustedOrigins: trusted ? [tokenServer.url] : [] },
    { retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 20 } },
  );
  clients.push(c);
  return c;
}

const tokenCalls = () => tokenServer.requests.length;

test("a reader pulls with Bearer tokens fetched per scope and reused", async () => {
  const c = client({ username: "reader", secret: USERS.reader });
  expect(await c.ping()).toEqual({ status: 200, auth: "bearer" });
  const before = tokenCalls();
  expect((await c.getManifest("private/app", "1.0")).digest).toBe(pushed.manifestDigest);
  expect(await c.getJsonBlob("private/app", pushed.configDigest)).toMatchObject({ created: "2024-03-04T05:06:07Z" });
  expect(await collect(c.tags("private/app"))).toEqual(["1.0"]);
  expect(await c.headManifest("private/app", "1.0")).toMatchObject({ digest: pushed.manifestDigest });
  expect(tokenCalls() - before).toBe(1); // one pull token, reused
  expect(tokenServer.requests.at(-1)?.headers.authorization).toBe(basic("reader", USERS.reader));
});

test("wrong password → REGISTRY_UNAUTHORIZED; catalog not permitted → REGISTRY_FORBIDDEN", async () => {
  const wrong = await failure(client({ username: "reader", secret: "not-the-secret" }).ping());
  expect(wrong).toMatchObject({ code: "REGISTRY_UNAUTHORIZED", status: 401 });
  expect(wrong.message).toMatch(/rejected the user name or secret/);

  const reader = client({ username: "reader", secret: USERS.reader });
  await reader.ping();
  const denied = await failure(collect(reader.repositories()));
  expect(denied).toMatchObject({ code: "REGISTRY_FORBIDDEN", message: expect.stringMatching(/valid but not permitted to list the catalog/) });

  expect(await collect(client({ username: "admin", secret: USERS.admin }).repositories())).toEqual(["private/app"]);
});

test("anonymous: the registry wants credentials for a private repository", async () => {
  const anonymous = client(null);
  expect(await anonymous.ping()).toMatchObject({ auth: "bearer" });
  const error = await failure(anonymous.getManifest("private/app", "1.0"));
  expect(error).toMatchObject({ code: "REGISTRY_UNAUTHORIZED", message: expect.stringMatching(/requires credentials to pull private\/app/) });
});

test("a token service on an untrusted origin never sees the credentials", async () => {
  const before = tokenServer.requests.length;
  const error = await failure(client({ username: "reader", secret: USERS.reader }, false).getManifest("private/app", "1.0"));
  expect(error.code).toBe("REGISTRY_UNAUTHORIZED");
  expect(error.message).toMatch(/credentials were not sent to the token service/);
  expect(tokenServer.requests.slice(before).map((r) => r.headers.authorization)).toEqual(tokenServer.requests.slice(before).map(() => undefined));
});
