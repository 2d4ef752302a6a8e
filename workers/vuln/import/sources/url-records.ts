/**
 * The records behind a URL: the body downloaded to a private temp directory,
 * then read as a zip (the path ends with `.zip`, or the bytes start like one)
 * or as one JSON document. The temp directory is removed however it ends:
 * done, failed, aborted, or the caller stopped iterating.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { describeUrl, downloadToFile } from "./download";
import { fileRecords } from "./file-records";
import type { RawRecord } from "./raw-record";
import { zipRecords } from "./zip-records";

export interface UrlReadOptions {
  maxRecordBytes: number;
  maxDownloadBytes: number;
  tempDir: string;
  signal?: AbortSignal;
}

const ZIP_SIGNATURE = Buffer.from("PK\x03\x04", "latin1");

export async function* urlRecords(url: URL, options: UrlReadOptions): AsyncGenerator<RawRecord> {
  const dir = await fs.mkdtemp(path.join(options.tempDir, "drydock-import-"));
  try {
    const file = path.join(dir, "download");
    await downloadToFile(url, file, { maxBytes: options.maxDownloadBytes, signal: options.signal });
    const where = describeUrl(url);
    if (url.pathname.toLowerCase().endsWith(".zip") || (await startsWith(file, ZIP_SIGNATURE))) {
      yield* zipRecords(file, where, options);
    } else {
      yield* fileRecords(file, where, options.maxRecordBytes);
    }
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

async function startsWith(file: string, prefix: Buffer): Promise<boolean> {
  const handle = await fs.open(file, "r");
  try {
    const head = Buffer.alloc(prefix.length);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return bytesRead === prefix.length && head.equals(prefix);
  } finally {
    await handle.close();
  }
}
