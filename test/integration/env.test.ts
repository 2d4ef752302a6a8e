import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { ENVIRONMENT, loadConfig } from "../../lib/config";

/**
 * The environment contract (DESIGN §8): every variable the code reads is in
 * lib/config.ts ENVIRONMENT, only config.ts reads the environment, and the
 * README and docker-compose.yml list exactly those variables.
 */

const ROOT = path.resolve(__dirname, "..", "..");
const read = (file: string) => readFileSync(path.join(ROOT, file), "utf8");
const KEYS = Object.keys(ENVIRONMENT).sort();

// ---------------------------------------------------------------------------
// A YAML reader for docker-compose files, so no YAML package is needed: block
// mappings and sequences, plain and quoted scalars, one-line (or bracketed
// multi-line) flow collections, block scalars (| and >), comments, anchors,
// aliases and `<<` merge keys. Anything else throws rather than misreads.
// ---------------------------------------------------------------------------

type Yaml = string | number | boolean | null | Yaml[] | { [key: string]: Yaml };

class YamlReader {
  private readonly lines: { indent: number; raw: string; text: string; number: number }[];
  private position = 0;
  private readonly anchors = new Map<string, Yaml>();

  constructor(source: string) {
    this.lines = source.split(/\r?\n/).map((raw, index) => {
      if (/^\t/.test(raw)) throw this.error(index + 1, "tabs cannot indent YAML");
      const text = stripComment(raw).trimEnd();
      return { indent: raw.length - raw.trimStart().length, raw, text: text.trim(), number: index + 1 };
    });
  }

  document(): Yaml {
    this.skipBlank();
    if (this.current()?.text === "---") this.position++;
    const value = this.block(0);
    this.skipBlank();
    if (this.current()) throw this.error(this.current()!.number, `unexpected "${this.current()!.text}"`);
    return value;
  }

  private error(line: number, message: string): Error {
    return new Error(`docker-compose.yml line ${line}: ${message}`);
  }

  private current() {
    return this.lines[this.position];
  }

  private skipBlank(): void {
    while (this.current() && this.current()!.text === "") this.position++;
  }

  /** The block node whose first line is indented at least `minIndent`; null when there is none. */
  private block(minIndent: number): Yaml {
    this.skipBlank();
    const line = this.current();
    if (!line || line.indent < minIndent) return null;
    return isSequenceItem(line.text) ? this.sequence(line.indent) : this.mapping(line.indent);
  }

  private mapping(indent: number): Yaml {
    const result: Record<string, Yaml> = {};
    const merged: Record<string, Yaml>[] = [];
    for (this.skipBlank(); this.current() && this.current()!.indent === indent; this.skipBlank()) {
      const line = this.current()!;
      if (isSequenceItem(line.text)) break;
      const parsed = splitKey(line.text);
      if (!parsed) throw this.error(line.number, `expected "key: value", got "${line.text}"`);
      const { key, rest } = parsed;
      this.position++;
      let value: Yaml;
      if (rest === "" && this.nextIsSequenceAt(indent)) value = this.sequence(indent); // "key:\n- item"
      else value = this.value(rest, indent, line.number);
      if (key === "<<") {
        for (const source of Array.isArray(value) ? value : [value]) {
          if (!source || typeof source !== "object" || Array.isArray(source)) throw this.error(line.number, "<< needs a mapping");
          merged.push(source);
        }
      } else {
        if (key in result) throw this.error(line.number, `duplicate key ${key}`);
        result[key] = value;
      }
    }
    this.skipBlank();
    if (this.current() && this.current()!.indent > indent) {
      throw this.error(this.current()!.number, "unexpected indentation");
    }
    // Keys written out win over merged ones; earlier merges win over later ones.
    return Object.assign({}, ...merged.reverse(), result);
  }

  private nextIsSequenceAt(indent: number): boolean {
    const saved = this.position;
    this.skipBlank();
    const line = this.current();
    this.position = saved;
    return !!line && line.indent === indent && isSequenceItem(line.text);
  }

  private sequence(indent: number): Yaml {
    const result: Yaml[] = [];
    for (this.skipBlank(); this.current() && this.current()!.indent === indent; this.skipBlank()) {
      const line = this.current()!;
      if (!isSequenceItem(line.text)) break;
      const rest = line.text.slice(1).trimStart();
      if (rest !== "" && splitKey(rest) !== null && !/^["'[{*&|>]/.test(rest)) {
        // "- key: value": a mapping whose first line starts after the dash.
        const offset = line.raw.indexOf(rest, line.indent + 1);
        this.lines[this.position] = { ...line, indent: offset, text: rest };
        result.push(this.mapping(offset));
      } else {
        this.position++;
        result.push(rest === "" ? this.block(indent + 1) : this.value(rest, indent, line.number));
      }
    }
    return result;
  }

  /** The value after "key:" or "- ": inline, or the block below (indented deeper than `indent`). */
  private value(text: string, indent: number, number: number): Yaml {
    let rest = text;
    let anchor: string | undefined;
    const anchored = /^&([^\s]+)\s*(.*)$/.exec(rest);
    if (anchored) [, anchor, rest] = anchored;
    let value: Yaml;
    if (rest === "") value = this.block(indent + 1);
    else if (/^[|>]/.test(rest)) value = this.blockScalar(rest, indent);
    else if (/^[[{]/.test(rest)) value = this.flow(rest, number);
    else value = this.scalar(rest, number);
    if (anchor) this.anchors.set(anchor, value);
    return value;
  }

  private blockScalar(header: string, indent: number): string {
    const lines: string[] = [];
    let blockIndent = -1;
    while (this.current() && (this.current()!.raw.trim() === "" || this.current()!.indent > indent)) {
      const { raw } = this.current()!;
      if (raw.trim() !== "" && blockIndent < 0) blockIndent = this.current()!.indent;
      lines.push(raw.slice(Math.max(blockIndent, 0)));
      this.position++;
    }
    while (lines.length > 0 && lines[lines.length - 1].trim() === "") lines.pop();
    const text = header.startsWith(">") ? lines.join(" ") : lines.join("\n");
    return header.includes("-") ? text : text + "\n";
  }

  /** A flow collection; one that opens a bracket it does not close takes the following lines too. */
  private flow(first: string, number: number): Yaml {
    let text = first;
    while (!bracketsClosed(text)) {
      const next = this.current();
      if (!next) throw this.error(number, "unclosed flow collection");
      text += " " + next.text;
      this.position++;
    }
    const reader = { text, at: 0 };
    const value = this.flowValue(reader, number);
    if (reader.text.slice(reader.at).trim() !== "") throw this.error(number, `unexpected "${reader.text.slice(reader.at)}"`);
    return value;
  }

  private flowValue(reader: { text: string; at: number }, number: number): Yaml {
    const skip = () => {
      while (/\s/.test(reader.text[reader.at] ?? "")) reader.at++;
    };
    skip();
    const open = reader.text[reader.at];
    if (open === "[" || open === "{") {
      reader.at++;
      const close = open === "[" ? "]" : "}";
      const list: Yaml[] = [];
      const map: Record<string, Yaml> = {};
      for (skip(); reader.text[reader.at] !== close; skip()) {
        if (open === "[") {
          list.push(this.flowValue(reader, number));
        } else {
          const key = this.flowValue(reader, number);
          skip();
          if (reader.text[reader.at] !== ":") throw this.error(number, "expected : in a flow mapping");
          reader.at++;
          map[String(key)] = this.flowValue(reader, number);
        }
        skip();
        if (reader.text[reader.at] === ",") reader.at++;
        else if (reader.text[reader.at] !== close) throw this.error(number, `expected , or ${close}`);
        skip();
      }
      reader.at++;
      return open === "[" ? list : map;
    }
    const start = reader.at;
    if (open === '"' || open === "'") {
      reader.at = closingQuote(reader.text, start) + 1;
    } else {
      while (reader.at < reader.text.length && !/[,\]}]/.test(reader.text[reader.at])) {
        if (reader.text[reader.at] === ":" && /[\s,\]}]/.test(reader.text[reader.at + 1] ?? " ")) break;
        reader.at++;
      }
    }
    return this.scalar(reader.text.slice(start, reader.at).trim(), number);
  }

  private scalar(text: string, number: number): Yaml {
    if (text.startsWith("*")) {
      const name = text.slice(1);
      if (!this.anchors.has(name)) throw this.error(number, `unknown alias *${name}`);
      return this.anchors.get(name)!;
    }
    if (text.startsWith('"')) {
      if (closingQuote(text, 0) !== text.length - 1) throw this.error(number, `bad quoted string ${text}`);
      return JSON.parse(text) as string;
    }
    if (text.startsWith("'")) {
      if (closingQuote(text, 0) !== text.length - 1) throw this.error(number, `bad quoted string ${text}`);
      return text.slice(1, -1).replace(/''/g, "'");
    }
    if (/^(true|false)$/i.test(text)) return text.toLowerCase() === "true";
    if (/^(null|~)$/i.test(text)) return null;
    if (/^[-+]?(\d+|\d*\.\d+)$/.test(text)) return Number(text);
    return text;
  }
}

function isSequenceItem(text: string): boolean {
  return text === "-" || text.startsWith("- ");
}

/** Index of the quote that closes the one at `start` ('' and \" escapes respected). */
function closingQuote(text: string, start: number): number {
  const quote = text[start];
  for (let i = start + 1; i < text.length; i++) {
    if (quote === '"' && text[i] === "\\") i++;
    else if (text[i] === quote) {
      if (quote === "'" && text[i + 1] === "'") i++;
      else return i;
    }
  }
  return -1;
}

/** Drops a `# comment` that is not inside quotes. */
function stripComment(line: string): string {
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if ((c === '"' || c === "'") && (i === 0 || /[\s[{,:-]/.test(line[i - 1]))) {
      const end = closingQuote(line, i);
      if (end > 0) i = end;
    } else if (c === "#" && (i === 0 || /\s/.test(line[i - 1]))) {
      return line.slice(0, i);
    }
  }
  return line;
}

function bracketsClosed(text: string): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'") i = Math.max(closingQuote(text, i), i);
    else if (c === "[" || c === "{") depth++;
    else if (c === "]" || c === "}") depth--;
  }
  return depth <= 0;
}

/** `key: rest` split at the first colon that ends the key; null when the line is no mapping entry. */
function splitKey(text: string): { key: string; rest: string } | null {
  let end: number;
  if (text.startsWith('"') || text.startsWith("'")) {
    end = closingQuote(text, 0) + 1;
    if (end <= 0 || text[end] !== ":") return null;
  } else {
    const match = /:(\s|$)/.exec(text);
    if (!match) return null;
    end = match.index;
  }
  if (text[end] !== ":" || !(end + 1 === text.length || /\s/.test(text[end + 1]))) return null;
  const rawKey = text.slice(0, end).trim();
  const key = rawKey.startsWith('"') ? (JSON.parse(rawKey) as string) : rawKey.replace(/^'(.*)'$/, "$1");
  return { key, rest: text.slice(end + 1).trim() };
}

export function parseYaml(source: string): Yaml {
  return new YamlReader(source).document();
}

// ---------------------------------------------------------------------------

type Service = Record<string, any>;

const compose = parseYaml(read("docker-compose.yml")) as { services: Record<string, Service>; [key: string]: any };
const DRYDOCK_SERVICES = ["server", "worker"];

/** A service's environment as a map, whichever of compose's two forms (mapping or KEY=value list) it uses. */
function environmentOf(service: Service): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry: string) => {
        const [key, ...value] = String(entry).split("=");
        return [key, value.join("=")];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([key, value]) => [key, value === null ? "" : String(value)]));
}

describe("the YAML reader", () => {
  test("reads what docker-compose.yml uses", () => {
    const doc = parseYaml(
      [
        "# comment",
        "x-env: &env",
        '  A: "1" # trailing',
        "  B: it's #not a comment? no: this is one",
        "base: &base",
        "  image: img",
        "  list:",
        "    - one",
        "    - 'two ''quoted'''",
        "svc:",
        "  <<: *base",
        "  image: own",
        "  environment: *env",
        '  test: ["CMD", "node", "-e", "a, b: [c]"]',
        "  items:",
        "  - name: first",
        "    port: 4000",
        "  - bare",
        "  flow: { a: 1, b: [x, y] }",
        "  script: |",
        "    echo 1 # kept",
        "    echo 2",
        "  empty:",
      ].join("\n"),
    );
    expect(doc).toEqual({
      "x-env": { A: "1", B: "it's" },
      base: { image: "img", list: ["one", "two 'quoted'"] },
      svc: {
        image: "own",
        list: ["one", "two 'quoted'"],
        environment: { A: "1", B: "it's" },
        test: ["CMD", "node", "-e", "a, b: [c]"],
        items: [{ name: "first", port: 4000 }, "bare"],
        flow: { a: 1, b: ["x", "y"] },
        script: "echo 1 # kept\necho 2\n",
        empty: null,
      },
    });
  });

  test("refuses what it cannot read instead of guessing", () => {
    expect(() => parseYaml("a:\n  b: 1\n    c: 2")).toThrow(/line 3/);
    expect(() => parseYaml("a: *missing")).toThrow(/unknown alias/);
    expect(() => parseYaml("a: 1\na: 2")).toThrow(/duplicate key/);
  });
});

describe("docker-compose.yml", () => {
  test.each(DRYDOCK_SERVICES)("%s gets exactly the variables of ENVIRONMENT", (name) => {
    const service = compose.services[name];
    expect(service).toBeDefined();
    expect(service.env_file).toBeUndefined(); // an env file would add variables this test cannot see
    expect(Object.keys(environmentOf(service)).sort()).toEqual(KEYS);
  });

  test("the drydock services share one environment: production, one required secret key", () => {
    const [server, worker] = DRYDOCK_SERVICES.map((name) => environmentOf(compose.services[name]));
    expect(worker).toEqual(server);
    expect(server.NODE_ENV).toBe("production");
    // ${VAR:?message} makes compose refuse to start without the key.
    expect(server.DRYDOCK_SECRET_KEY).toMatch(/^\$\{DRYDOCK_SECRET_KEY:\?[^}]+\}$/);
    expect(server.MYSQL_URL).toMatch(/^mysql:\/\/[^@]+@mysql:3306\/\w+$/);
    expect(server.DATABASE_URL).toMatch(/^postgres:\/\/[^@]+@postgres:5432\/\w+$/);
    expect(server.PORT).toBe("4000");
    // No other service is handed drydock's settings.
    for (const [name, service] of Object.entries(compose.services)) {
      if (DRYDOCK_SERVICES.includes(name)) continue;
      for (const key of Object.keys(environmentOf(service))) expect({ name, key, drydock: key in ENVIRONMENT }).toEqual({ name, key, drydock: false });
    }
  });

  test("runs mysql 8.4, postgres 16, the server on 4000 and scalable workers, each with a healthcheck", () => {
    const { mysql, postgres, server, worker } = compose.services;
    expect(mysql.image).toBe("mysql:8.4");
    expect(postgres.image).toBe("postgres:16");
    expect(server.command).toEqual(["node", "dist/bin/drydock.js", "server"]);
    expect(worker.command).toEqual(["node", "dist/bin/drydock.js", "worker"]);
    expect(server.ports).toContain("4000:4000");
    expect(worker.container_name).toBeUndefined();
    expect(worker.ports).toBeUndefined();
    expect(worker.deploy?.replicas).toBeGreaterThanOrEqual(1);
    for (const [name, service] of Object.entries(compose.services)) {
      expect({ name, test: Array.isArray(service.healthcheck?.test) }).toEqual({ name, test: true });
    }
    expect(server.healthcheck.test.join(" ")).toMatch(/node .*\/readyz/);
    for (const name of DRYDOCK_SERVICES) {
      const dependsOn = compose.services[name].depends_on;
      for (const database of ["mysql", "postgres"]) {
        expect({ name, database, condition: dependsOn?.[database]?.condition }).toEqual({
          name,
          database,
          condition: "service_healthy",
        });
      }
    }
  });
});

describe("Dockerfile", () => {
  const dockerfile = read("Dockerfile");
  const stages = dockerfile.split(/^FROM\s+/m).slice(1);

  test("builds in one stage and runs production dependencies only, as a non-root user, in the other", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const runtime = stages[stages.length - 1];
    expect(runtime).toMatch(/^node:20-bookworm-slim\b/);
    expect(stages[0]).toMatch(/npm ci\b/);
    expect(stages[0]).toMatch(/npm run build\b/);
    expect(runtime).toMatch(/npm ci --omit=dev --ignore-scripts\b/);
    expect(runtime).toMatch(/COPY --from=\S+ \S*dist\b/);
    const user = /^USER\s+(\S+)/m.exec(runtime)?.[1];
    expect(user).toBeDefined();
    expect(["root", "0"]).not.toContain(user);
    expect(runtime).toMatch(/^EXPOSE\s+4000\b/m);
    expect(runtime).toMatch(/^CMD \["node", "dist\/bin\/drydock\.js", "server"\]/m);
  });

  test("copies every folder that the build compiles", () => {
    const build = JSON.parse(read("tsconfig.build.json")) as { include: string[] };
    for (const folder of build.include) {
      const copied = /^COPY\s+(--\S+\s+)*\.\/?\s/m.test(stages[0]) || new RegExp(`^COPY\\s+(\\S+\\s+)*(\\./)?${folder}/?\\s`, "m").test(stages[0]);
      expect({ folder, copied }).toEqual({
        folder,
        copied: true,
      });
    }
  });
});

describe("README.md", () => {
  test("the configuration table lists every ENVIRONMENT variable with its default, and no other", () => {
    const readme = read("README.md");
    const section = /^## Configuration\s*$([\s\S]*?)(?=^## )/m.exec(readme)?.[1];
    expect(section).toBeDefined();
    const rows = section!
      .split("\n")
      .filter((line) => /^\|\s*`[A-Z][A-Z0-9_]*`\s*\|/.test(line))
      .map((line) => line.split("|").map((cell) => cell.trim()));
    const named = new Map(rows.map((cells) => [cells[1].replace(/`/g, ""), cells]));
    expect([...named.keys()].sort()).toEqual(KEYS);
    for (const key of KEYS) {
      const { default: value } = ENVIRONMENT[key as keyof typeof ENVIRONMENT];
      const defaultCell = named.get(key)![2];
      if (value) expect({ key, defaultCell }).toEqual({ key, defaultCell: expect.stringContaining(value) });
      else expect({ key, defaultCell }).toEqual({ key, defaultCell: expect.stringMatching(/empty|none|unset|–/i) });
    }
  });
});

describe("reading the environment", () => {
  const SOURCE_FOLDERS = ["server", "workers", "db", "lib", "bin"];

  function sourceFiles(folder: string): string[] {
    return readdirSync(path.join(ROOT, folder), { withFileTypes: true, recursive: true })
      .filter((entry) => entry.isFile() && /\.(ts|js|mjs|cjs)$/.test(entry.name) && !/\.test\.ts$/.test(entry.name))
      .map((entry) => path.relative(ROOT, path.join(entry.parentPath, entry.name)));
  }

  /** Code without comments (strings stay: `process.env` in a string is still suspicious). */
  const withoutComments = (code: string) => code.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");

  const READS_ENV = [
    /\bprocess\s*(\.|\?\.)\s*env\b/, // process.env, process?.env
    /\bprocess\s*\[\s*["'`]env["'`]\s*\]/, // process["env"]
    /\bfrom\s+["'](node:)?process["']/, // import { env } from "node:process"
    /\brequire\s*\(\s*["'](node:)?process["']\s*\)/, // require("process").env
  ];

  test("no source file but lib/config.ts reads the environment", () => {
    const files = SOURCE_FOLDERS.flatMap(sourceFiles);
    expect(files).toContain(path.join("lib", "config.ts"));
    const offenders = files
      .filter((file) => file !== path.join("lib", "config.ts"))
      .filter((file) => READS_ENV.some((pattern) => pattern.test(withoutComments(read(file)))));
    expect(offenders).toEqual([]);
  });

  test("every variable config.ts names is in ENVIRONMENT", () => {
    const code = withoutComments(read("lib/config.ts"));
    const named = [...code.matchAll(/\b(?:process\.)?env\s*(?:\?\.|\.)\s*([A-Za-z_]\w*)|\benv\s*\[\s*["'`]([^"'`]+)["'`]\s*\]/g)].map(
      (m) => m[1] ?? m[2],
    );
    for (const name of named) expect({ name, known: name in ENVIRONMENT }).toEqual({ name, known: true });
  });

  test("loadConfig reads every ENVIRONMENT variable and nothing else", () => {
    const asked = new Set<string>();
    const env = new Proxy({} as Record<string, string | undefined>, {
      get(_target, key) {
        if (typeof key === "string") asked.add(key);
        return undefined;
      },
      has(_target, key) {
        if (typeof key === "string") asked.add(key);
        return false;
      },
    });
    loadConfig(env);
    expect([...asked].sort()).toEqual(KEYS);
  });
});
