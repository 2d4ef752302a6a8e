import { request } from "undici";

/**
 * A strict reader of the Prometheus text exposition format (0.0.4): every
 * line must be a `# HELP`, a `# TYPE`, another comment, blank, or a sample;
 * anything else throws. Enough to prove a scrape parses and to read values.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  samples: Sample[];
  /** Metric family name → its TYPE. */
  types: Map<string, string>;
}

const NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})?\\s+(\\S+)(?:\\s+-?\\d+)?$`);
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,|$)/y;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

/** As Prometheus reads values (Go's ParseFloat): Inf and NaN in any case (prom-client writes `Nan`). */
function number(text: string, line: string): number {
  if (/^\+?inf$/i.test(text)) return Infinity;
  if (/^-inf$/i.test(text)) return -Infinity;
  if (/^nan$/i.test(text)) return NaN;
  const value = Number(text);
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text) || Number.isNaN(value)) throw new Error(`not a sample value: ${line}`);
  return value;
}

function labelsOf(text: string | undefined, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  if (!text) return labels;
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const match = LABEL.exec(text);
    if (!match) throw new Error(`malformed labels: ${line}`);
    labels[match[1]] = match[2].replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
    if (match[3] === "") break;
  }
  return labels;
}

export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    if (line.startsWith("#")) {
      const type = /^# TYPE (\S+) (\S+)$/.exec(line);
      if (type) {
        if (!TYPES.has(type[2])) throw new Error(`unknown metric type: ${line}`);
        types.set(type[1], type[2]);
      } else if (line.startsWith("# TYPE") || (line.startsWith("# HELP") && !new RegExp(`^# HELP ${NAME} `).test(line))) {
        throw new Error(`malformed comment: ${line}`);
      }
      continue;
    }
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    samples.push({ name: match[1], labels: labelsOf(match[2], line), value: number(match[3], line) });
  }
  return { samples, types };
}

/** The sum of the samples named `name` whose labels include `labels`; undefined when there is none. */
export function valueOf(exposition: Exposition, name: string, labels: Record<string, string> = {}): number | undefined {
  const matching = exposition.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return matching.length === 0 ? undefined : matching.reduce((sum, s) => sum + s.value, 0);
}

export interface Scrape {
  status: number;
  contentType: string | undefined;
  text: string;
}

/** GET a /metrics URL, with `token` as Bearer when given. */
export async function scrape(url: string, token?: string): Promise<Scrape> {
  const answer = await request(url, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
  const contentType = answer.headers["content-type"];
  return { status: answer.statusCode, contentType: Array.isArray(contentType) ? contentType[0] : contentType, text: await answer.body.text() };
}
