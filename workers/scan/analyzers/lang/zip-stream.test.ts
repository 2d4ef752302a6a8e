import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileFromBuffer } from "../test-support/file-content";
import { StreamReader } from "./stream-reader";
import { type ZipLimits, zipEntries } from "./zip-stream";

describe("zipEntries", () => {
  let zip: Buffer;

  beforeAll(() => {
    const dir = mkdtempSync(path.join(tmpdir(), "drydock-zip-"));
    try {
      writeFileSync(path.join(dir, "a.txt"), "a".repeat(100_000));
      writeFileSync(path.join(dir, "b.txt"), "bbb");
      writeFileSync(path.join(dir, "c.txt"), "c".repeat(50_000));
      // Written to a pipe: deflated entries with data descriptors.
      execFileSync("sh", ["-c", "zip -q - a.txt b.txt c.txt | cat > all.zip"], { cwd: dir });
      zip = readFileSync(path.join(dir, "all.zip"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const limits = (maxEntries = 10, inflatedBytes = 1_000_000): ZipLimits => ({
    maxEntries,
    inflatedBytes: { remaining: inflatedBytes },
  });
  const readerOf = (bytes: Buffer) => new StreamReader(fileFromBuffer("all.zip", bytes).stream()[Symbol.asyncIterator]());

  async function text(content: AsyncIterable<Buffer>): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of content) chunks.push(chunk);
    return Buffer.concat(chunks).toString();
  }

  it("reads entries whose content is read whole, in part, or not at all", async () => {
    const seen: string[] = [];
    for await (const entry of zipEntries(readerOf(zip), limits())) {
      if (entry.name === "a.txt") {
        for await (const chunk of entry.content()) {
          seen.push(`a.txt starts with ${chunk.subarray(0, 3).toString()}`);
          break;
        }
      } else if (entry.name === "c.txt") {
        seen.push(`c.txt has ${(await text(entry.content())).length} bytes`);
      } else {
        seen.push(`${entry.name} skipped`);
      }
    }
    expect(seen).toEqual(["a.txt starts with aaa", "b.txt skipped", "c.txt has 50000 bytes"]);
  });

  it("refuses to read an entry's content twice", async () => {
    for await (const entry of zipEntries(readerOf(zip), limits())) {
      await text(entry.content());
      expect(() => entry.content()).toThrow("content already read");
      break;
    }
  });

  it("bounds the entries and the decompressed bytes", async () => {
    const names = async (zipLimits: ZipLimits): Promise<string[]> => {
      const found: string[] = [];
      for await (const entry of zipEntries(readerOf(zip), zipLimits)) found.push(entry.name);
      return found;
    };
    await expect(names(limits(2))).rejects.toThrow("zip has more than 2 entries");
    // Skipping an entry with a data descriptor inflates it: that counts too.
    await expect(names(limits(10, 120_000))).rejects.toThrow("zip decompresses to too many bytes");
    await expect(names(limits(10, 150_003))).resolves.toEqual(["a.txt", "b.txt", "c.txt"]);
  });
});
