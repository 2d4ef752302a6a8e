/** readRecords over http: a local server on 127.0.0.1 serving the shared OSV fixtures as a zip, a file, an array. */
import fs from "node:fs";
import type { ServerResponse } from "node:http";
import { SourceReadError } from "./errors";
import { readRecords, type ReadRecordsOptions } from "./read-records";
import { resolveSource } from "./source";
import { startServer, stopServers, type TestServer } from "./test-support/http-server";
import { collect, copyFixtures, errors, fixtureFiles, fixtureText, removeTempDirs, tempDir, texts, zipCli } from "./test-support/osv-files";

let server: TestServer;
let zipBytes: Buffer;
let downloads: string; // tempDir for readRecords: must be empty after every read
/** Resolves when /slow has sent its first bytes. */
let slowStarted: () => void = () => undefined;

beforeAll(async () => {
  const dir = tempDir();
  copyFixtures(dir);
  zipBytes = fs.readFileSync(zipCli(dir, "all.zip", ["osv"]));
  const arrayText = JSON.stringify(fixtureFiles().map((file) => JSON.parse(fixtureText(file)) as unknown));
  const hop = (res: ServerResponse, location: string) => res.writeHead(302, { location }).end();

  server = await startServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const hops = /^\/hops\/(\d+)$/.exec(url.pathname); // redirects left before the answer
    if (hops) {
      const left = Number(hops[1]);
      return left === 0 ? res.end(fixtureText("PyPI/PYSEC-2021-98.json")) : hop(res, `/hops/${left - 1}`);
    }
    switch (url.pathname) {
      case "/osv/all.zip":
        return res.writeHead(200, { "content-type": "application/zip" }).end(zipBytes);
      case "/download":
        return res.writeHead(200, { "content-type": "application/octet-stream" }).end(zipBytes);
      case "/GHSA-xvch-5gv4-984h.json":
        return res.end(fixtureText("npm/GHSA-xvch-5gv4-984h.json"));
      case "/dump":
        return res.end(arrayText);
      case "/missing":
        return res.writeHead(404).end("not here");
      case "/moved":
        return hop(res, "/osv/all.zip");
      case "/to-ftp":
        return hop(res, "ftp://127.0.0.1/all.zip");
      case "/huge": {
        res.writeHead(200); // chunked: no length declared
        for (let i = 0; i < 64; i++) res.write(Buffer.alloc(64 * 1024, 0x20));
        return res.end();
      }
      case "/huge-declared":
        res.writeHead(200, { "content-length": String(10 * 1024 ** 3) });
        return res.write("{"); // and never more
      case "/slow":
        res.writeHead(200);
        res.write(Buffer.alloc(64 * 1024, 0x20), () => slowStarted());
        return; // never ends
      default:
        return res.writeHead(500).end();
    }
  });
});

beforeEach(() => {
  downloads = tempDir();
});

afterEach(() => {
  expect(fs.readdirSync(downloads)).toEqual([]);
});

afterAll(async () => {
  await stopServers();
  removeTempDirs();
});

function read(pathAndQuery: string, options: ReadRecordsOptions = {}) {
  return collect(readRecords(resolveSource(`${server.url}${pathAndQuery}`, []), { tempDir: downloads, ...options }));
}

const allFixtures = () => fixtureFiles().map((file) => ({ origin: `osv/${file}`, text: fixtureText(file) }));
const byOrigin = <T extends { origin: string }>(records: T[]) => [...records].sort((a, b) => (a.origin < b.origin ? -1 : 1));

describe("readRecords: a URL", () => {
  it("downloads a zip and reads its entries", async () => {
    const records = await read("/osv/all.zip");
    expect(errors(records)).toEqual([]);
    expect(byOrigin(records)).toEqual(byOrigin(allFixtures()));
  });

  it("recognises a zip by its first bytes when the path does not end with .zip", async () => {
    expect(byOrigin(await read("/download"))).toEqual(byOrigin(allFixtures()));
  });

  it("reads a JSON file as one record, named by the URL without its query", async () => {
    const records = await read("/GHSA-xvch-5gv4-984h.json?token=s3cret");
    expect(records).toEqual([{ origin: `${server.url}/GHSA-xvch-5gv4-984h.json`, text: fixtureText("npm/GHSA-xvch-5gv4-984h.json") }]);
  });

  it("reads a JSON array as its elements, bounded as a whole by maxRecordBytes", async () => {
    const records = await read("/dump");
    expect(records).toHaveLength(27);
    expect(records[26].origin).toBe(`${server.url}/dump[26]`);
    expect(texts(records).map((r) => JSON.parse(r.text))).toEqual(fixtureFiles().map((file) => JSON.parse(fixtureText(file))));
    expect(await read("/dump", { maxRecordBytes: 1024 })).toEqual([
      { origin: `${server.url}/dump`, error: expect.stringMatching(/^larger than the limit of 1024 bytes per record/) },
    ]);
  });

  it("fails with the status of a non-2xx answer", async () => {
    const reading = read("/missing");
    await expect(reading).rejects.toBeInstanceOf(SourceReadError);
    await expect(reading).rejects.toMatchObject({ code: "DOWNLOAD_FAILED", message: `${server.url}/missing answered HTTP 404` });
  });

  it("follows a redirect, up to 5, to another origin too", async () => {
    expect(byOrigin(await read("/moved"))).toEqual(byOrigin(allFixtures()));
    expect(await read("/hops/5")).toEqual([{ origin: `${server.url}/hops/5`, text: fixtureText("PyPI/PYSEC-2021-98.json") }]);
    const other = await startServer((_req, res) => res.writeHead(301, { location: `${server.url}/GHSA-xvch-5gv4-984h.json` }).end());
    expect(texts(await collect(readRecords(resolveSource(`${other.url}/x.json`, []), { tempDir: downloads })))).toHaveLength(1);
  });

  it("refuses a 6th redirect, and a redirect to anything but http(s)", async () => {
    await expect(read("/hops/6")).rejects.toMatchObject({ code: "DOWNLOAD_FAILED", message: `${server.url}/hops/6: more than 5 redirects (HTTP 302)` });
    await expect(read("/to-ftp")).rejects.toMatchObject({ code: "DOWNLOAD_FAILED", message: expect.stringContaining("http:` or `https:`") });
  });

  it("stops a body over maxDownloadBytes, declared or not", async () => {
    const maxDownloadBytes = 256 * 1024;
    await expect(read("/huge", { maxDownloadBytes })).rejects.toMatchObject({
      code: "DOWNLOAD_TOO_LARGE",
      message: `${server.url}/huge is larger than the download limit of 262144 bytes (more were sent)`,
    });
    await expect(read("/huge-declared", { maxDownloadBytes })).rejects.toMatchObject({
      code: "DOWNLOAD_TOO_LARGE",
      message: expect.stringContaining(`(${10 * 1024 ** 3} bytes declared)`),
    });
  });

  it("fails with DOWNLOAD_FAILED when nothing listens", async () => {
    const gone = await startServer(() => undefined);
    await gone.close();
    await expect(collect(readRecords(resolveSource(`${gone.url}/all.zip`, []), { tempDir: downloads }))).rejects.toMatchObject({
      code: "DOWNLOAD_FAILED",
      message: expect.stringContaining("ECONNREFUSED"),
    });
  });

  it("stops a download mid-way when aborted, with the signal's reason, and removes the temp file", async () => {
    const controller = new AbortController();
    const started = new Promise<void>((resolve) => (slowStarted = resolve));
    const reading = read("/slow", { signal: controller.signal });
    await started;
    expect(fs.readdirSync(downloads)).toHaveLength(1); // the download's private directory, meanwhile
    controller.abort(new Error("operator cancelled"));
    await expect(reading).rejects.toThrow("operator cancelled");
  });

  it("removes the download when the caller stops reading early", async () => {
    for await (const record of readRecords(resolveSource(`${server.url}/osv/all.zip`, []), { tempDir: downloads })) {
      expect(record).toHaveProperty("text");
      break;
    }
  });

  it("does not start when already aborted", async () => {
    await expect(read("/osv/all.zip", { signal: AbortSignal.abort(new Error("too late")) })).rejects.toThrow("too late");
  });
});
