import { readFileSync } from "node:fs";
import path from "node:path";
import { Kind, type OperationDefinitionNode, parse } from "graphql";
import { errorCode, startTestServer, type TestServer } from "../helpers/server";

/**
 * The README's first GraphQL session is run as written: every ```graphql block
 * in order, with the ```json block after it as its variables, as the ADMIN
 * whose token the first start printed. Placeholders the README tells the
 * reader to replace (REGISTRY_ID) are filled from earlier answers.
 */

const ROOT = path.resolve(__dirname, "..", "..");
const README = readFileSync(path.join(ROOT, "README.md"), "utf8");

interface Step {
  query: string;
  variables: Record<string, unknown>;
  line: number;
}

/** Fenced blocks in order; each graphql block takes the json block right after it as its variables. */
function sessionSteps(markdown: string): Step[] {
  const blocks: { lang: string; body: string; line: number }[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i]);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]); i++) body.push(lines[i]);
    if (i >= lines.length) throw new Error(`README.md line ${start + 1}: unclosed code block`);
    blocks.push({ lang: open[1].toLowerCase(), body: body.join("\n"), line: start + 1 });
  }
  const steps: Step[] = [];
  blocks.forEach((block, index) => {
    if (block.lang !== "graphql") return;
    const next = blocks[index + 1];
    const variables = next?.lang === "json" ? (JSON.parse(next.body) as Record<string, unknown>) : {};
    steps.push({ query: block.body, variables, line: block.line });
  });
  return steps;
}

function rootFieldOf(query: string): string {
  const operation = parse(query).definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const first = operation?.selectionSet.selections[0];
  if (!first || first.kind !== Kind.FIELD) throw new Error(`no root field in ${query}`);
  return first.name.value;
}

/** Replaces every placeholder string with what earlier answers gave it. */
function fill(value: unknown, known: Record<string, string>): unknown {
  if (typeof value === "string") {
    if (value in known) return known[value];
    if (/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*_ID$/.test(value)) throw new Error(`${value} is used before an answer gave it`);
    return value;
  }
  if (Array.isArray(value)) return value.map((item) => fill(item, known));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fill(item, known)]));
  }
  return value;
}

const steps = sessionSteps(README);
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

test("the README's session is the one a newcomer needs, in order", () => {
  const fields = steps.map((step) => rootFieldOf(step.query));
  const expected = ["addRegistry", "registries", "editPullPolicy", "createApiToken"];
  // Extra steps may come between; these four must be there in this order.
  const positions = expected.map((field) => fields.indexOf(field));
  expect({ fields, positions }).toEqual({ fields, positions: [...positions].sort((a, b) => a - b) });
  expect(positions).not.toContain(-1);
  for (const step of steps) expect(step.variables).toEqual(expect.any(Object));
});

test("every GraphQL block of the README runs without errors and does what the text says", async () => {
  const known: Record<string, string> = {};
  let registry: { id: string; name: string } | undefined;
  let viewerToken: string | undefined;

  for (const step of steps) {
    const variables = fill(step.variables, known) as Record<string, any>;
    const answer = await server.gql(step.query, variables);
    const where = `README.md line ${step.line}`;
    expect({ where, errors: answer.errors }).toEqual({ where, errors: undefined });
    expect({ where, status: answer.status }).toEqual({ where, status: 200 });
    const field = rootFieldOf(step.query);
    const data = answer.data![field];

    switch (field) {
      case "addRegistry": {
        expect(data).toMatchObject({
          id: expect.any(String),
          name: variables.input.name.trim(),
          type: "DOCKER_REGISTRY",
          authMethod: "ACCOUNT",
        });
        if ("hasSecret" in data) expect(data.hasSecret).toBe(true);
        if ("pullPolicy" in data) expect(data.pullPolicy.mode).toBe("MANUAL");
        expect(JSON.stringify(data)).not.toContain(variables.input.secret);
        registry = { id: data.id, name: data.name };
        known.REGISTRY_ID = data.id;
        break;
      }
      case "registries": {
        const nodes = data.nodes ?? data.edges.map((edge: { node: unknown }) => edge.node);
        expect(nodes.map((node: { id: string }) => node.id)).toContain(registry?.id);
        expect(data.totalCount).toBeGreaterThanOrEqual(1);
        break;
      }
      case "editPullPolicy": {
        const input = variables.input;
        expect(data.mode).toBe("AUTOMATIC");
        expect(data.condition).toBe("LATEST");
        expect(data).toMatchObject({ schedule: input.schedule, latestTags: input.latestTags, criteria: input.criteria });
        if ("nextRunAt" in data) expect(Date.parse(data.nextRunAt)).toBeGreaterThan(Date.now());
        // Stored, not just echoed:
        const stored = await server.gql(`query ($id: ID!) { registry(id: $id) { pullPolicy { mode condition latestTags schedule criteria } } }`, {
          id: variables.registryId,
        });
        expect(stored.errors).toBeUndefined();
        expect(stored.data!.registry.pullPolicy).toEqual({
          mode: "AUTOMATIC",
          condition: "LATEST",
          latestTags: input.latestTags,
          schedule: input.schedule,
          criteria: input.criteria,
        });
        break;
      }
      case "createApiToken": {
        expect(data.token).toMatch(/^ddk_/);
        expect(data.apiToken).toMatchObject({ role: "VIEWER", name: variables.name });
        viewerToken = data.token;
        break;
      }
    }
  }

  // The VIEWER token reads, and is refused what only an ADMIN may do.
  expect(viewerToken).toBeDefined();
  const read = await server.gql("{ registries { totalCount nodes { id } } }", {}, viewerToken);
  expect(read.errors).toBeUndefined();
  expect(read.data!.registries.nodes.map((n: { id: string }) => n.id)).toContain(registry!.id);
  const write = await server.gql("{ apiTokens { id } }", {}, viewerToken);
  expect(errorCode(write)).toBe("FORBIDDEN");
});

test("the npm scripts the README names exist", () => {
  const scripts = (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
  const named = [
    ...[...README.matchAll(/\bnpm run ([\w:-]+)/g)].map((m) => m[1]),
    ...[...README.matchAll(/\bnpm (start|test)\b/g)].map((m) => m[1]),
  ];
  expect(named).toEqual(expect.arrayContaining(["start", "test", "bench"]));
  for (const name of new Set(named)) expect({ name, exists: name in scripts }).toEqual({ name, exists: true });
});
