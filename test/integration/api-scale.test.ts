/**
 * The API at scale (issue 7, item 5) on a scaled-down seed (5 registries,
 * 2,000 images, 40,000 findings; the benchmark seeds 50 / 100,000 / 2,000,000):
 * a request's SQL statements do not grow with its page size (no N+1), lists
 * page by keyset on an index (no sort of the whole set, no OFFSET, a deep page
 * reads about a page of rows), and abusive queries are refused before they run.
 */
import type mysql from "mysql2/promise";
import { seedApiData } from "../../bench/seed-api-data";
import { withMysql } from "../helpers/mysql";
import { sqlDuring as sqlDuringOn } from "../helpers/sql-during";
import { errorCode, type GraphQLAnswer, startTestServer, type TestServer } from "../helpers/server";

let server: TestServer;
let registryId: string;
/** An image whose artifact has more than 100 findings. */
let manyFindingsImage: string;

beforeAll(async () => {
  server = await startTestServer();
  await seedApiData(server.config.mysqlUrl, { registries: 5, images: 2_000, findings: 40_000 });
  await withMysql(server.config.mysqlUrl, async (db) => {
    const [[busiest]] = await db.query<mysql.RowDataPacket[]>("SELECT registryId FROM image GROUP BY registryId ORDER BY COUNT(*) DESC LIMIT 1");
    registryId = busiest.registryId;
    const [[image]] = await db.query<mysql.RowDataPacket[]>(
      `SELECT i.id FROM image i JOIN finding f ON f.artifactDigest = i.digest
        GROUP BY i.id HAVING COUNT(*) > 150 ORDER BY i.id LIMIT 1`,
    );
    manyFindingsImage = image.id;
  });
}, 180_000);

afterAll(() => server?.stop());

/** The statements the test server sends to its database while `work` runs. */
const sqlDuring = <T>(work: () => Promise<T>) => sqlDuringOn(server.config.mysqlUrl, work);

/** The server's count of SQL statements for its latest GraphQL request (its debug log line "graphql request"). */
async function loggedStatementCount(linesBefore: number): Promise<number> {
  for (let waited = 0; waited < 2_000; waited += 10) {
    const line = server.output.slice(linesBefore).find((l) => l.includes('"msg":"graphql request"'));
    if (line) return JSON.parse(line).sqlStatements as number;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error("the server logged no statement count for the request");
}

/**
 * Runs the request twice and answers the smaller count: a token's lastUsedAt
 * is written at most once a minute, and a pool connection opens only once,
 * so one of two runs in a row shows the request's own statements.
 */
async function statementsOf(query: string, variables: Record<string, unknown> = {}): Promise<{ answer: GraphQLAnswer<any>; statements: number }> {
  const counts: number[] = [];
  let answer: GraphQLAnswer<any> | undefined;
  for (let run = 0; run < 2; run++) {
    const before = server.output.length;
    answer = await server.gql(query, variables);
    expect(answer.errors).toBeUndefined();
    counts.push(await loggedStatementCount(before));
  }
  return { answer: answer!, statements: Math.min(...counts) };
}

const IMAGES = `query($first: Int!, $after: String, $filter: ImageFilter) {
  images(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes {
      id repository tag digest
      registry { id name type }
      vulnerabilitySummary { critical high medium low unknown fixable total }
      lastScan { id status finishedAt registry { name } }
      os { id versionId }
    }
  }
}`;

const VULNERABILITIES = `query($id: ID!, $first: Int!, $after: String) {
  image(id: $id) {
    id repository
    vulnerabilities(first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor }
      nodes { advisoryId aliases packageName installedVersion fixedVersion severity cvssScore summary }
    }
  }
}`;

describe("no N+1: a request's statements do not grow with its page", () => {
  test("images(first: 10 | 50, filter) with registry, vulnerabilitySummary, lastScan and os", async () => {
    const filter = { registryId, removed: false };
    const small = await statementsOf(IMAGES, { first: 10, filter });
    const large = await statementsOf(IMAGES, { first: 50, filter });
    const nodes = large.answer.data!.images.nodes as Record<string, any>[];
    expect(nodes).toHaveLength(50);
    expect(nodes.every((n) => n.registry.id === registryId)).toBe(true);
    expect(nodes.filter((n) => n.vulnerabilitySummary !== null).length).toBeGreaterThan(25);
    expect(nodes.filter((n) => n.lastScan?.status === "SUCCEEDED").length).toBeGreaterThan(25);
    // Token, count, page, then one batch each for registries, summaries, last scans (and their registries: cached), artifacts.
    expect(large.statements).toBe(small.statements);
    expect(large.statements).toBeLessThanOrEqual(7);

    const next = await statementsOf(IMAGES, { first: 50, filter, after: large.answer.data!.images.pageInfo.endCursor });
    expect(next.statements).toBe(large.statements);
  });

  test("image(id) { vulnerabilities(first: 10 | 100) }", async () => {
    const small = await statementsOf(VULNERABILITIES, { id: manyFindingsImage, first: 10 });
    const large = await statementsOf(VULNERABILITIES, { id: manyFindingsImage, first: 100 });
    expect(large.answer.data!.image.vulnerabilities.nodes).toHaveLength(100);
    expect(large.answer.data!.image.vulnerabilities.totalCount).toBeGreaterThan(150);
    // Token, image, count, page.
    expect(large.statements).toBe(small.statements);
    expect(large.statements).toBeLessThanOrEqual(4);
  });

  test("scanJobs(first: 10 | 50) with registry and image", async () => {
    const query = `query($first: Int!) { scanJobs(first: $first) { nodes { id status registry { name } image { repository tag } } } }`;
    const small = await statementsOf(query, { first: 10 });
    const large = await statementsOf(query, { first: 50 });
    expect(large.answer.data!.scanJobs.nodes).toHaveLength(50);
    expect(large.statements).toBe(small.statements);
    expect(large.statements).toBeLessThanOrEqual(5);
  });
});

type Plan = { table: string; key: string | null; Extra: string | null }[];

/** EXPLAIN of `sql`, and the rows InnoDB handed the server while running it (Handler_read_*, per session). */
async function plan(sql: string): Promise<{ plan: Plan; rowsRead: number }> {
  return withMysql(server.config.mysqlUrl, async (db) => {
    const [explained] = await db.query<mysql.RowDataPacket[]>(`EXPLAIN ${sql}`);
    await db.query("FLUSH STATUS");
    await db.query(sql);
    const [status] = await db.query<mysql.RowDataPacket[]>("SHOW SESSION STATUS LIKE 'Handler_read%'");
    const rowsRead = status.reduce((sum, row) => sum + Number(row.Value), 0);
    return { plan: explained as unknown as Plan, rowsRead };
  });
}

const COUNT_SUBQUERY = ", (SELECT COUNT(*) AS total FROM ";

/**
 * A page statement's parts: the page without its count, and the count (the
 * uncorrelated subquery server/graphql/sql-page.ts puts in its select list),
 * null for lists that count in a statement of their own.
 */
function splitCount(sql: string): { page: string; count: string | null } {
  const start = sql.indexOf(COUNT_SUBQUERY);
  if (start < 0) return { page: sql, count: null };
  let depth = 0;
  let end = start + 2;
  for (; end < sql.length; end++) {
    if (sql[end] === "(") depth++;
    if (sql[end] === ")" && --depth === 0) break;
  }
  const alias = sql.slice(end + 1).match(/^ AS \w+/)![0];
  return { page: sql.slice(0, start) + sql.slice(end + 1 + alias.length), count: sql.slice(start + 3, end) };
}

/** The page query a request sent for `table` (ORDER BY … LIMIT), with its values inlined as sent, without its count. */
function pageQueryOn(statements: string[], table: string): string {
  const found = statements.filter((s) => s.includes(`FROM \`${table}\``) && /ORDER BY/.test(s) && /LIMIT \d+/.test(s));
  expect(found).toHaveLength(1);
  return splitCount(found[0]).page;
}

describe("lists page by keyset on an index", () => {
  /** Walks `pages` pages of `query` and answers the statements of the last one. */
  async function deepPage(query: string, variables: Record<string, unknown>, connectionOf: (data: any) => any, pages: number) {
    let after: string | null = null;
    for (let page = 1; page < pages; page++) {
      const answer: GraphQLAnswer = await server.gql(query, { ...variables, after });
      after = connectionOf(answer.data).pageInfo.endCursor;
      expect(after).not.toBeNull();
    }
    const { result, statements } = await sqlDuring(() => server.gql(query, { ...variables, after }));
    expect(result.errors).toBeUndefined();
    expect(connectionOf(result.data).nodes.length).toBeGreaterThan(0);
    return statements;
  }

  const cases: { name: string; table: string; index: string; pages: number; first: number; query: string; variables: () => Record<string, unknown>; connection: (data: any) => any }[] = [
    {
      name: "images, all",
      table: "image",
      index: "IDX_ae3c5d15013f7f70043705a4c4",
      pages: 20,
      first: 50,
      query: `query($after: String) { images(first: 50, after: $after) { pageInfo { endCursor } nodes { id } } }`,
      variables: () => ({}),
      connection: (data) => data.images,
    },
    {
      name: "images of a registry",
      table: "image",
      index: "IDX_a81795a7e770c895756e0ac0d4",
      pages: 6,
      first: 50,
      query: `query($after: String, $registryId: ID) { images(first: 50, after: $after, filter: { registryId: $registryId }) { pageInfo { endCursor } nodes { id } } }`,
      variables: () => ({ registryId }),
      connection: (data) => data.images,
    },
    {
      name: "scanJobs, all",
      table: "scan_job",
      index: "IDX_29940c3d265a525cf455bc8c0c",
      pages: 20,
      first: 50,
      query: `query($after: String) { scanJobs(first: 50, after: $after) { pageInfo { endCursor } nodes { id } } }`,
      variables: () => ({}),
      connection: (data) => data.scanJobs,
    },
    {
      name: "scanJobs of a registry",
      table: "scan_job",
      index: "IDX_ace487890b8381439a89ee2aaf",
      pages: 6,
      first: 50,
      query: `query($after: String, $registryId: ID) { scanJobs(first: 50, after: $after, filter: { registryId: $registryId }) { pageInfo { endCursor } nodes { id } } }`,
      variables: () => ({ registryId }),
      connection: (data) => data.scanJobs,
    },
    {
      name: "syncRuns of a registry",
      table: "sync_run",
      index: "IDX_bba791c74044b25a3e2640d64e",
      pages: 5,
      first: 5,
      query: `query($after: String, $registryId: ID!) { syncRuns(registryId: $registryId, first: 5, after: $after) { pageInfo { endCursor } nodes { id } } }`,
      variables: () => ({ registryId }),
      connection: (data) => data.syncRuns,
    },
    {
      name: "Image.vulnerabilities",
      table: "finding",
      index: "IDX_503357673a048445c8d6680c7e",
      pages: 3,
      first: 50,
      query: `query($after: String, $id: ID!) { image(id: $id) { vulnerabilities(first: 50, after: $after) { pageInfo { endCursor } nodes { advisoryId } } } }`,
      variables: () => ({ id: manyFindingsImage }),
      connection: (data) => data.image.vulnerabilities,
    },
  ];

  test.each(cases)("$name: a deep page uses $index, sorts nothing and reads about a page", async ({ table, index, pages, first, query, variables, connection }) => {
    const statements = await deepPage(query, variables(), connection, pages);
    const sql = pageQueryOn(statements, table);
    expect(sql).not.toMatch(/OFFSET/i);
    const { plan: explained, rowsRead } = await plan(sql);
    expect(explained).toHaveLength(1);
    expect(explained[0].key).toBe(index);
    expect(explained[0].Extra ?? "").not.toMatch(/filesort|temporary/i);
    // The page and the one row that tells whether there is a next, plus the index lookups to get there.
    expect(rowsRead).toBeLessThanOrEqual(first + 5);
  });
});

test("the totalCount of a registry's current images is read from the index alone, in the page's statement, once", async () => {
  const { result, statements } = await sqlDuring(() =>
    server.gql(`query($registryId: ID) { images(first: 1, filter: { registryId: $registryId, removed: false, current: true }) { totalCount } }`, { registryId }),
  );
  const [statement, ...others] = statements.filter((s) => s.includes("FROM `image`"));
  expect(others).toEqual([]);
  const { page, count } = splitCount(statement);
  expect(page).not.toContain("COUNT");
  const { plan: explained } = await plan(count!);
  expect(explained[0].key).toBe("IDX_a81795a7e770c895756e0ac0d4");
  expect(explained[0].Extra).toMatch(/Using index(?! condition)/);
  // Uncorrelated: run once for the statement, not once per row.
  const { plan: whole } = await plan(statement);
  expect(whole.map((row: any) => row.select_type)).toEqual(["PRIMARY", "SUBQUERY"]);
  const [[{ n }]] = await withMysql(server.config.mysqlUrl, (db) =>
    db.query<mysql.RowDataPacket[]>("SELECT COUNT(*) AS n FROM image WHERE registryId = ? AND removed = 0 AND current = 1", [registryId]),
  );
  expect(result.data!.images.totalCount).toBe(Number(n));
});

test("a page past the end of a list has no rows and still its totalCount", async () => {
  const query = `query($registryId: ID, $after: String) { images(first: 500, after: $after, filter: { registryId: $registryId }) { totalCount pageInfo { hasNextPage endCursor } nodes { id } } }`;
  let after: string | null = null;
  let seen = 0;
  let totalCount = 0;
  for (;;) {
    const page: GraphQLAnswer = await server.gql(query, { registryId, after });
    const images = page.data!.images as { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string }; nodes: unknown[] };
    seen += images.nodes.length;
    totalCount = images.totalCount;
    after = images.pageInfo.endCursor;
    if (!images.pageInfo.hasNextPage) break;
  }
  expect(seen).toBe(totalCount);
  expect(totalCount).toBeGreaterThan(500);
  const past = await server.gql(query, { registryId, after });
  expect(past.data!.images).toEqual({ totalCount, pageInfo: { hasNextPage: false, endCursor: null }, nodes: [] });
});

describe("abusive queries are refused before they run", () => {
  test("images(first: 1000) { vulnerabilities(first: 1000) }, and first: 500 twice over, are QUERY_TOO_COMPLEX", async () => {
    for (const first of [1000, 500]) {
      const { result, statements } = await sqlDuring(() =>
        server.gql(`{ images(first: ${first}) { nodes { id vulnerabilities(first: ${first}) { nodes { advisoryId severity } } } } }`),
      );
      expect(errorCode(result)).toBe("QUERY_TOO_COMPLEX");
      expect(result.status).toBe(400);
      expect(result.errors![0].message).toMatch(/^query costs \d+; at most \d+ is allowed$/);
      expect(statements.filter((s) => /`(image|finding)`/.test(s))).toEqual([]);
    }
  });

  test("nesting through Image.scanJobs and ScanJob.image is refused by depth", async () => {
    let selection = "id";
    for (let level = 0; level < 5; level++) selection = `scanJobs(first: 1) { nodes { image { ${selection} } } }`;
    const { result, statements } = await sqlDuring(() => server.gql(`{ images(first: 1) { nodes { ${selection} } } }`));
    expect(errorCode(result)).toBe("QUERY_TOO_COMPLEX");
    expect(result.errors![0].message).toMatch(/^query is \d+ levels deep; at most \d+ are allowed$/);
    expect(statements.filter((s) => /`(image|scan_job)`/.test(s))).toEqual([]);
  });

  test("one document's cost follows its page-size and @skip variables from request to request", async () => {
    const query = `query($first: Int!, $flat: Boolean!, $registryId: ID) {
      images(first: $first, filter: { registryId: $registryId }) { nodes { id vulnerabilities(first: $first) @skip(if: $flat) { nodes { advisoryId } } } }
    }`;
    const codeOf = async (variables: Record<string, unknown>) => errorCode(await server.gql(query, variables)) ?? "ok";
    expect(await codeOf({ first: 10, flat: false, registryId })).toBe("ok");
    expect(await codeOf({ first: 500, flat: false, registryId })).toBe("QUERY_TOO_COMPLEX");
    expect(await codeOf({ first: 500, flat: false, registryId: null })).toBe("QUERY_TOO_COMPLEX");
    expect(await codeOf({ first: 500, flat: true, registryId })).toBe("ok");
    expect(await codeOf({ first: 10, flat: false, registryId: null })).toBe("ok");
  });
});
