/**
 * Downloads a URL into a file, streaming (never the whole body in memory),
 * at most `maxBytes`, following at most 5 redirects and only to http(s)
 * (undici's redirect interceptor refuses other protocols).
 */
import { createWriteStream } from "node:fs";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Agent, interceptors, request, type Dispatcher } from "undici";
import { SourceReadError } from "./errors";

const MAX_REDIRECTS = 5;
const USER_AGENT = "drydock/0.1";

export interface DownloadOptions {
  maxBytes: number;
  signal?: AbortSignal;
}

/** Creates `file` (it must not exist). A caller's abort passes through as its reason. */
export async function downloadToFile(url: URL, file: string, options: DownloadOptions): Promise<void> {
  const where = describeUrl(url);
  const agent = new Agent();
  try {
    const dispatcher = agent.compose(interceptors.redirect({ maxRedirections: MAX_REDIRECTS }));
    let response: Dispatcher.ResponseData;
    try {
      response = await request(url, { dispatcher, signal: options.signal, headers: { "user-agent": USER_AGENT } });
    } catch (error) {
      throw downloadFailure(where, error, options.signal);
    }
    const { statusCode, headers, body } = response;
    if (statusCode < 200 || statusCode > 299) {
      await body.dump({ limit: 64 * 1024 }).catch(() => undefined);
      const redirected = statusCode >= 300 && statusCode < 400 && headers.location !== undefined;
      throw new SourceReadError(
        "DOWNLOAD_FAILED",
        redirected ? `${where}: more than ${MAX_REDIRECTS} redirects (HTTP ${statusCode})` : `${where} answered HTTP ${statusCode}`,
      );
    }
    if (Number(headers["content-length"]) > options.maxBytes) {
      throw tooLarge(where, options.maxBytes, `${headers["content-length"]} bytes declared`);
    }
    try {
      await pipeline(body, byteLimit(where, options.maxBytes), createWriteStream(file, { flags: "wx", mode: 0o600 }), { signal: options.signal });
    } catch (error) {
      throw downloadFailure(where, error, options.signal);
    }
  } finally {
    await agent.destroy(); // also hangs up on a body left unread
  }
}

/** `https://host:port/path`, without credentials or query (a signed URL's query is a secret). */
export function describeUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

function byteLimit(where: string, maxBytes: number): Transform {
  let total = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      total += chunk.length;
      if (total > maxBytes) callback(tooLarge(where, maxBytes, "more were sent"));
      else callback(null, chunk);
    },
  });
}

function tooLarge(where: string, maxBytes: number, detail: string): SourceReadError {
  return new SourceReadError("DOWNLOAD_TOO_LARGE", `${where} is larger than the download limit of ${maxBytes} bytes (${detail})`);
}

function downloadFailure(where: string, error: unknown, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted) return signal.reason;
  if (error instanceof SourceReadError) return error;
  return new SourceReadError("DOWNLOAD_FAILED", `the download of ${where} failed: ${(error as Error)?.message ?? String(error)}`, { cause: error });
}
