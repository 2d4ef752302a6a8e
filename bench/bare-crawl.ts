/**
 * The floors of the discovery benchmarks: bare undici requests, a fixed
 * number in flight, nothing around them — no retries, no bounds, no
 * database. What a discovery run cannot do with fewer requests.
 */
import type { IncomingHttpHeaders } from "node:http";
import { Agent, request } from "undici";

export const MANIFEST_ACCEPT = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

export interface Fetched {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  json<T = any>(): T;
}

export interface BareFetcher {
  /** One request under the in-flight bound; any status but `expect` (default 200) throws. */
  fetch(method: "GET" | "HEAD", url: string | URL, headers?: Record<string, string>, expect?: number): Promise<Fetched>;
  close(): Promise<void>;
}

export function bareFetcher(inFlight: number): BareFetcher {
  const agent = new Agent({ keepAliveTimeout: 10_000 });
  let active = 0;
  const waiting: (() => void)[] = [];
  return {
    async fetch(method, url, headers = {}, expect = 200) {
      if (active >= inFlight) await new Promise<void>((resolve) => waiting.push(resolve));
      else active++;
      try {
        const answer = await request(url, { method, dispatcher: agent, headers });
        const body = method === "HEAD" ? (await answer.body.dump(), Buffer.alloc(0)) : Buffer.from(await answer.body.arrayBuffer());
        if (answer.statusCode !== expect) throw new Error(`${method} ${String(url)}: HTTP ${answer.statusCode}`);
        return { status: answer.statusCode, headers: answer.headers, body, json: () => JSON.parse(body.toString("utf8")) };
      } finally {
        const next = waiting.shift();
        if (next) next();
        else active--;
      }
    },
    close: () => agent.close(),
  };
}

/** The URL of `rel="next"` in a Link header, resolved against `current`. */
export function nextLink(link: string | string[] | undefined, current: string | URL): URL | undefined {
  const found = typeof link === "string" ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(link) : null;
  return found ? new URL(found[1], current) : undefined;
}

export interface PulledTag {
  /** The registry's Docker endpoint: `/v2/` is under it. */
  endpoint: string;
  /** The name on that endpoint. */
  name: string;
  digest: string;
}

/**
 * What resolving the selected tags takes through the distribution API with
 * token auth: one challenge per endpoint, one token per repository (Basic
 * credentials to the realm), then per tag digest its manifest and per config
 * digest the config.
 */
export async function pullCrawl(fetcher: BareFetcher, tags: readonly PulledTag[], basic: string): Promise<void> {
  const challenges = new Map<string, Promise<{ realm: string; service: string }>>();
  const tokens = new Map<string, Promise<string>>();
  const seen = new Set<string>();
  const challenge = (endpoint: string) => {
    let known = challenges.get(endpoint);
    if (!known) {
      known = fetcher.fetch("GET", `${endpoint}/v2/`, {}, 401).then((answer) => {
        const header = String(answer.headers["www-authenticate"] ?? "");
        const param = (key: string) => new RegExp(`${key}="([^"]*)"`).exec(header)?.[1] ?? "";
        return { realm: param("realm"), service: param("service") };
      });
      challenges.set(endpoint, known);
    }
    return known;
  };
  const token = (endpoint: string, name: string) => {
    let known = tokens.get(`${endpoint} ${name}`);
    if (!known) {
      known = challenge(endpoint).then(async ({ realm, service }) => {
        const url = new URL(realm);
        url.searchParams.set("service", service);
        url.searchParams.set("scope", `repository:${name}:pull`);
        const answer = (await fetcher.fetch("GET", url, { authorization: basic })).json<{ token?: string; access_token?: string }>();
        return `Bearer ${answer.token ?? answer.access_token}`;
      });
      tokens.set(`${endpoint} ${name}`, known);
    }
    return known;
  };
  await Promise.all(
    tags.map(async ({ endpoint, name, digest }) => {
      if (seen.has(`${endpoint} ${name}@${digest}`)) return;
      seen.add(`${endpoint} ${name}@${digest}`);
      const authorization = await token(endpoint, name);
      const manifest = (await fetcher.fetch("GET", `${endpoint}/v2/${name}/manifests/${digest}`, { accept: MANIFEST_ACCEPT, authorization })).json();
      const config: string | undefined = manifest.config?.digest;
      if (!config || seen.has(`${endpoint} ${name}@${config}`)) return;
      seen.add(`${endpoint} ${name}@${config}`);
      (await fetcher.fetch("GET", `${endpoint}/v2/${name}/blobs/${config}`, { authorization })).json();
    }),
  );
}
