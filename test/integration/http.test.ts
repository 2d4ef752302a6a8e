import { request } from "undici";
import { MAX_QUERY_COMPLEXITY, MAX_QUERY_DEPTH } from "../../server/graphql/limits";
import { errorCode, startTestServer, type TestServer } from "../helpers/server";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

async function get(path: string, headers: Record<string, string> = {}) {
  const answer = await request(server.url + path, { headers });
  return { status: answer.statusCode, headers: answer.headers, body: await answer.body.text() };
}

async function postGraphql(body: unknown, headers: Record<string, string> = {}) {
  const answer = await request(`${server.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: answer.statusCode, body: (await answer.body.json()) as any };
}

/** Every src= and href= of the page's script and link elements. */
function assetReferences(html: string): { scripts: string[]; styles: string[]; all: string[] } {
  const attribute = (tag: string, name: string) => new RegExp(`\\b${name}\\s*=\\s*["']([^"']*)["']`, "i").exec(tag)?.[1];
  const scripts = [...html.matchAll(/<script\b[^>]*>/gi)].map((m) => attribute(m[0], "src")).filter((s): s is string => !!s);
  const styles = [...html.matchAll(/<link\b[^>]*>/gi)]
    .filter((m) => /\brel\s*=\s*["']?stylesheet/i.test(m[0]))
    .map((m) => attribute(m[0], "href"))
    .filter((s): s is string => !!s);
  const all = [...html.matchAll(/\b(?:src|href)\s*=\s*["']([^"']*)["']/gi)].map((m) => m[1]);
  return { scripts, styles, all };
}

describe("/graphiql", () => {
  test("serves its page without a token, with every script and style from /graphiql/assets/", async () => {
    const page = await get("/graphiql");
    expect(page.status).toBe(200);
    expect(page.headers["content-type"]).toMatch(/^text\/html/);
    const { scripts, styles, all } = assetReferences(page.body);
    expect(scripts.length).toBeGreaterThanOrEqual(4); // react, react-dom, graphiql, the start script
    expect(styles.length).toBeGreaterThanOrEqual(1);
    for (const reference of all) {
      expect(reference).not.toMatch(/^(https?:)?\/\//i); // no CDN, no other host
      const resolved = new URL(reference, `${server.url}/graphiql`);
      expect(resolved.origin).toBe(new URL(server.url).origin);
      expect(resolved.pathname).toMatch(/^\/graphiql\/assets\/[\w.-]+$/);
    }
    // No inline code either: the page is markup plus local files.
    expect(page.body).not.toMatch(/<script\b[^>]*>[^<]+<\/script>/i);
  });

  test("each asset answers 200 with a JavaScript or CSS type and a real body", async () => {
    const { scripts, styles } = assetReferences((await get("/graphiql")).body);
    const paths = [...scripts, ...styles].map((reference) => new URL(reference, `${server.url}/graphiql`).pathname);
    expect(paths).toEqual(
      expect.arrayContaining([
        "/graphiql/assets/react.js",
        "/graphiql/assets/react-dom.js",
        "/graphiql/assets/graphiql.js",
        "/graphiql/assets/graphiql.css",
        "/graphiql/assets/start.js",
      ]),
    );
    for (const path of paths) {
      const asset = await get(path);
      expect({ path, status: asset.status }).toEqual({ path, status: 200 });
      if (path.endsWith(".css")) {
        expect(asset.headers["content-type"]).toMatch(/^text\/css/);
      } else {
        expect(asset.headers["content-type"]).toMatch(/^(text|application)\/javascript/);
      }
      // The vendor bundles are tens of kilobytes at least; the start script is small but real.
      expect(asset.body.length).toBeGreaterThan(path.endsWith("start.js") ? 200 : 10_000);
    }
    const start = await get("/graphiql/assets/start.js");
    expect(start.body).toContain("GraphiQL.createFetcher");
  });

  test("an unknown asset is 404 and no file outside the list is served", async () => {
    expect((await get("/graphiql/assets/nothing.js")).status).toBe(404);
    expect((await get("/graphiql/assets/..%2Fpackage.json")).status).toBe(404);
  });

  test("/graphiql/ sends the browser to /graphiql, where the page's relative URLs resolve", async () => {
    const answer = await get("/graphiql/");
    expect(answer.status).toBe(301);
    expect(new URL(String(answer.headers.location), `${server.url}/graphiql/`).pathname).toBe("/graphiql");
  });
});

describe("health", () => {
  test("/healthz answers 200 without a token", async () => {
    const answer = await get("/healthz");
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ status: "ok" });
  });

  test("/readyz answers 200 without a token while both databases are up", async () => {
    const answer = await get("/readyz");
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ status: "ready" });
  });
});

describe("/graphql", () => {
  test("without a token: 401 UNAUTHENTICATED, and nothing is run", async () => {
    const answer = await postGraphql({ query: "{ registries { totalCount } }" });
    expect(answer.status).toBe(401);
    expect(answer.body.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect(answer.body.data).toBeUndefined();
  });

  test("with an unknown or malformed token: 401 UNAUTHENTICATED", async () => {
    for (const authorization of ["Bearer ddk_not-a-real-token", "Basic dXNlcjpwYXNz", "Bearer"]) {
      const answer = await postGraphql({ query: "{ registries { totalCount } }" }, { authorization });
      expect({ authorization, status: answer.status }).toEqual({ authorization, status: 401 });
      expect(answer.body.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    }
  });

  /** `__type { fields { type { ofType { … name } } } }`, `depth` fields deep (no cycle in drydock's own types is this deep). */
  function queryOfDepth(depth: number): string {
    let selection = "name";
    for (let level = 5; level <= depth; level++) selection = `ofType { ${selection} }`;
    return `{ __type(name: "Registry") { fields { type { ${selection} } } } }`;
  }

  test(`a query ${MAX_QUERY_DEPTH} levels deep runs; one level more is refused with QUERY_TOO_COMPLEX`, async () => {
    const atLimit = await server.gql(queryOfDepth(MAX_QUERY_DEPTH));
    expect(atLimit.errors).toBeUndefined();
    expect(atLimit.data?.__type?.fields?.length).toBeGreaterThan(0);

    const tooDeep = await server.gql(queryOfDepth(MAX_QUERY_DEPTH + 1));
    expect(errorCode(tooDeep)).toBe("QUERY_TOO_COMPLEX");
    expect(tooDeep.status).toBe(400);
    expect(tooDeep.data ?? undefined).toBeUndefined();
  });

  test("fragments count toward the depth too", async () => {
    const inner = queryOfDepth(MAX_QUERY_DEPTH + 1).replace(/^\{ __type\(name: "Registry"\) \{ (.*) \} \}$/, "$1");
    const query = `query { __type(name: "Registry") { ...Deep } } fragment Deep on __Type { ${inner} }`;
    const answer = await server.gql(query);
    expect(errorCode(answer)).toBe("QUERY_TOO_COMPLEX");
  });

  test(`an operation costing more than ${MAX_QUERY_COMPLEXITY} is refused: pages cost \`first\` times their items`, async () => {
    const page = `registries(first: 500) { nodes { id name description type url apiUrl insecure authMethod username hasSecret scanTimeoutMinutes createdAt updatedAt } }`;
    const cheap = await server.gql(`{ ${page} }`);
    expect(cheap.errors).toBeUndefined();
    const costly = await server.gql(`{ ${Array.from({ length: 20 }, (_, i) => `r${i}: ${page}`).join(" ")} }`);
    expect(errorCode(costly)).toBe("QUERY_TOO_COMPLEX");
    expect(costly.errors![0].message).toMatch(/^query costs \d+; at most/);
  });

  test("an SBOM is priced like a large page: one page of SBOMs is refused, a few are allowed", async () => {
    expect(errorCode(await server.gql(`{ images(first: 500) { nodes { sbom } } }`))).toBe("QUERY_TOO_COMPLEX");
    expect((await server.gql(`{ images(first: 20) { nodes { sbom } } }`)).errors).toBeUndefined();
  });
});
