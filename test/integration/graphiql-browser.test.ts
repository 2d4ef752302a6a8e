import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { type Browser, type BrowserContext, chromium, type Page, type Request } from "playwright-core";
import { buildClientSchema, printSchema } from "graphql";
import { EXPLORER_INTROSPECTION_QUERY, TOKEN_STORAGE_KEY } from "../../server/graphiql/explorer-script";
import { schemaText } from "../../server/graphql/schema";
import { addPlainRegistry } from "../helpers/scanning";
import { startTestServer, type TestServer } from "../helpers/server";

/**
 * The explorer at /graphiql driven in Debian's Chromium (headless): the token field, a
 * typed `registries` query and its result, every request the page makes staying on this
 * server, and a screenshot for people to look at in test-output/.
 */

const CHROMIUM = "/usr/bin/chromium";
const OUTPUT_DIR = path.resolve(__dirname, "..", "..", "test-output");
const REGISTRY_NAMES = ["harbor-production", "mirror-europe"];
const QUERY = "query Names {\n  registries(first: 10) {\n    totalCount\n    nodes { name }\n  }\n}";

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  server = await startTestServer();
  for (const name of REGISTRY_NAMES) await addPlainRegistry(server, { name, url: "http://127.0.0.1:9" });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

interface Explorer {
  context: BrowserContext;
  page: Page;
  requests: Request[];
  pageErrors: string[];
}

/** A fresh browser profile (empty storage) on /graphiql, recording every request the page makes. */
async function openExplorer(): Promise<Explorer> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const requests: Request[] = [];
  const pageErrors: string[] = [];
  page.on("request", (request) => requests.push(request));
  page.on("pageerror", (error) => pageErrors.push(error.message));
  await page.goto(`${server.url}/graphiql`);
  await page.locator(".graphiql-container").waitFor();
  return { context, page, requests, pageErrors };
}

/** Types `query` into the query editor in place of what it holds, runs it, and answers the result pane's JSON. */
async function runQuery(page: Page, query: string): Promise<any> {
  await page.locator(".graphiql-query-editor .CodeMirror").click();
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Delete");
  // insertText, not type(): key by key, the editor's bracket closing and hints would change the text.
  await page.keyboard.insertText(query);
  // GraphiQL takes an edit in 100 ms (debounced): stored, it picks its operation name from it.
  // Run before that, it would send the previous operation name.
  // (Page code is passed as text: this project type-checks without the DOM library.)
  await page.waitForFunction(`localStorage.getItem("graphiql:query") === ${JSON.stringify(query)}`);
  const answered = page.waitForResponse((response) => isRunOf(response.request(), query));
  await page.locator("button.graphiql-execute-button").click();
  await answered;
  // The whole result, from the result pane's editor (its DOM holds only the lines in view).
  const handle = await page.waitForFunction(`document.querySelector(".result-window .CodeMirror")?.CodeMirror?.getValue() || null`);
  return JSON.parse((await handle.jsonValue()) as string);
}

/** Whether `request` is the page's POST to /graphql running `query`. */
function isRunOf(request: Request, query: string): boolean {
  if (!request.url().endsWith("/graphql") || !request.postData()) return false;
  return (JSON.parse(request.postData()!) as { query?: string }).query === query;
}

/** What the result pane shows on screen. */
const shownResult = (page: Page) => page.locator(".result-window").innerText();

function leftThisHost(requests: Request[]): string[] {
  return requests
    .map((request) => new URL(request.url()))
    .filter((url) => !["data:", "blob:"].includes(url.protocol) && !["127.0.0.1", "localhost"].includes(url.hostname))
    .map((url) => url.href);
}

test("with the token entered, a typed registries query shows the registries, and nothing leaves the server", async () => {
  const { context, page, requests, pageErrors } = await openExplorer();
  try {
    // The schema is loaded again with the token as soon as it is entered (the docs and hints need it).
    const schemaLoaded = page.waitForResponse(
      (response) => !!response.request().postData()?.includes("IntrospectionQuery") && response.status() === 200,
    );
    await page.locator("#drydock-token").fill(server.adminToken);
    await schemaLoaded;
    const result = await runQuery(page, QUERY);

    expect(result.errors).toBeUndefined();
    expect(result.data.registries.totalCount).toBe(REGISTRY_NAMES.length);
    expect(result.data.registries.nodes.map((node: { name: string }) => node.name).sort()).toEqual(REGISTRY_NAMES);
    const shown = await shownResult(page);
    for (const name of REGISTRY_NAMES) expect(shown).toContain(name);

    const queryRequest = requests.find((request) => isRunOf(request, QUERY));
    expect((await queryRequest!.allHeaders()).authorization).toBe(`Bearer ${server.adminToken}`);

    // The page, its assets, the schema and the query: all from this server, no CDN.
    const paths = requests.map((request) => new URL(request.url()).pathname);
    expect(paths).toEqual(expect.arrayContaining(["/graphiql", "/graphiql/assets/graphiql.js", "/graphiql/assets/graphiql.css", "/graphql"]));
    expect(leftThisHost(requests)).toEqual([]);
    expect(pageErrors).toEqual([]);

    mkdirSync(OUTPUT_DIR, { recursive: true });
    const screenshot = path.join(OUTPUT_DIR, "graphiql.png");
    await page.screenshot({ path: screenshot });
    expect(readFileSync(screenshot).subarray(1, 4).toString()).toBe("PNG");
  } finally {
    await context.close();
  }
});

test("the token is kept in sessionStorage for the tab, never in the URL or localStorage", async () => {
  const { context, page } = await openExplorer();
  try {
    await page.locator("#drydock-token").fill(server.adminToken);
    await runQuery(page, QUERY);

    expect(await page.evaluate(`sessionStorage.getItem(${JSON.stringify(TOKEN_STORAGE_KEY)})`)).toBe(server.adminToken);
    expect(page.url()).not.toContain(server.adminToken);
    const local = await page.evaluate<string>("JSON.stringify({ ...localStorage })");
    expect(local).not.toContain(server.adminToken);

    await page.reload();
    await page.locator(".graphiql-container").waitFor();
    expect(await page.locator("#drydock-token").inputValue()).toBe(server.adminToken);
    expect((await runQuery(page, QUERY)).data.registries.totalCount).toBe(REGISTRY_NAMES.length);
  } finally {
    await context.close();
  }
});

test("without a token the result pane shows UNAUTHENTICATED", async () => {
  const { context, page, requests } = await openExplorer();
  try {
    expect(await page.locator("#drydock-token").inputValue()).toBe("");
    const result = await runQuery(page, QUERY);

    expect(result.data).toBeUndefined();
    expect(result.errors[0].extensions.code).toBe("UNAUTHENTICATED");
    expect(await shownResult(page)).toContain("UNAUTHENTICATED");
    const queryRequest = requests.find((request) => isRunOf(request, QUERY));
    expect((await queryRequest!.allHeaders()).authorization).toBeUndefined();
    expect(leftThisHost(requests)).toEqual([]);
  } finally {
    await context.close();
  }
});

test("the explorer's introspection query passes the depth limit and rebuilds the whole schema", async () => {
  const answer = await server.gql(EXPLORER_INTROSPECTION_QUERY);
  expect(answer.errors).toBeUndefined();
  expect(printSchema(buildClientSchema(answer.data as any)) + "\n").toBe(await schemaText());
});
