/**
 * A foreign origin for "the secret never goes there" tests: a server that
 * records every request with its headers and body and answers whatever it is
 * told (a token answer, a 401 challenge, a redirect...), plus `assertNoSecret`
 * to check the recorded requests.
 */
import { sendJson } from "../../../workers/registry/distribution/test-support/servers";
import { startEmulatorServer, type EmulatorServer, type RecordedRequest } from "./emulator-server";

export interface RecordedAnswer {
  status: number;
  headers?: Record<string, string>;
  /** JSON-encoded unless a string or Buffer. */
  body?: unknown;
}

export interface LeakRecorder {
  /** `http://127.0.0.1:<port>` */
  url: string;
  server: EmulatorServer;
  /** Every request, with headers and body. */
  requests(): RecordedRequest[];
  /** Change the answer for the next requests. */
  answer(answer: RecordedAnswer | ((request: RecordedRequest) => RecordedAnswer)): void;
  stop(): Promise<void>;
}

/** Default answer: a token anyone may take, so a client that would send secrets along does. */
export const TOKEN_ANSWER: RecordedAnswer = {
  status: 200,
  body: { token: "leak-recorder-token", access_token: "leak-recorder-token", expires_in: 300, issued_at: "2024-01-01T00:00:00Z" },
};

export async function startLeakRecorder(initial: RecordedAnswer | ((request: RecordedRequest) => RecordedAnswer) = TOKEN_ANSWER): Promise<LeakRecorder> {
  const server = await startEmulatorServer({ recordBodies: true });
  let answer = initial;
  server.fallback = ({ res }) => {
    const records = server.requests();
    const { status, headers = {}, body } = typeof answer === "function" ? answer(records[records.length - 1]) : answer;
    if (body === undefined) res.writeHead(status, headers).end();
    else if (typeof body === "string" || Buffer.isBuffer(body)) res.writeHead(status, headers).end(body);
    else sendJson(res, status, body, headers);
  };
  return {
    url: server.url,
    server,
    requests: () => server.requests(),
    answer: (next) => void (answer = next),
    stop: () => server.stop(),
  };
}

/**
 * Throws when any request carries `secret`: raw or percent-encoded in the URL,
 * in a header (also inside any Basic credentials, decoded), or in the body.
 * With `username`, also looks for the exact `Basic base64(username:secret)` value.
 * The error names the request and the place, never the secret.
 */
export function assertNoSecret(requests: readonly RecordedRequest[], secret: string, username?: string): void {
  if (!secret) throw new Error("assertNoSecret needs a non-empty secret");
  const needles = [secret, encodeURIComponent(secret)];
  if (username !== undefined) needles.push(Buffer.from(`${username}:${secret}`).toString("base64"));
  const holds = (text: string) => needles.some((needle) => text.includes(needle));
  for (const request of requests) {
    const where = `${request.method} ${request.path}`;
    if (holds(request.url)) throw new Error(`the secret is in the URL of ${where}`);
    for (const [name, value] of Object.entries(request.headers)) {
      for (const text of [value ?? ""].flat()) {
        const basic = /^\s*basic\s+(\S+)/i.exec(text)?.[1];
        if (holds(text) || (basic && holds(Buffer.from(basic, "base64").toString("utf8")))) {
          throw new Error(`the secret is in the ${name} header of ${where}`);
        }
      }
    }
    if (request.body && holds(request.body.toString("utf8"))) throw new Error(`the secret is in the body of ${where}`);
  }
}
