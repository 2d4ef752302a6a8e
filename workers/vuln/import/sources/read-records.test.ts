/** readRecords over local sources (a directory tree, a file, an array file, zips) built from the shared OSV fixtures. */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { SourceReadError } from "./errors";
import { readRecords } from "./read-records";
import { resolveSource } from "./source";
import { collect, copyFixtures, errors, fixtureFiles, fixtureText, removeTempDirs, tempDir, texts, zipCli } from "./test-support/osv-files";

afterEach(removeTempDirs);

/** A temp root with the fixtures in `<root>/osv/<Ecosystem>/…`; the root's real path. */
function rootWithFixtures(): { root: string; osv: string } {
  const root = fs.realpathSync(tempDir());
  return { root, osv: copyFixtures(root) };
}

function read(source: string, root: string, maxRecordBytes?: number) {
  return collect(readRecords(resolveSource(source, [root]), { maxRecordBytes }));
}

describe("readRecords: a directory", () => {
  it("reads every fixture, each file's text as is, depth first in sorted order", async () => {
    const { root, osv } = rootWithFixtures();
    const records = await read(osv, root);
    expect(records).toHaveLength(27);
    expect(records).toEqual(fixtureFiles().map((file) => ({ origin: path.join(osv, file), text: fixtureText(file) })));
  });

  it("reads nested folders and skips files that are not *.json", async () => {
    const { root, osv } = rootWithFixtures();
    fs.mkdirSync(path.join(osv, "npm", "deeper", "deepest"), { recursive: true });
    fs.renameSync(path.join(osv, "npm", "GHSA-xvch-5gv4-984h.json"), path.join(osv, "npm", "deeper", "deepest", "GHSA-xvch-5gv4-984h.JSON"));
    fs.writeFileSync(path.join(osv, "README.md"), "not a record");
    fs.writeFileSync(path.join(osv, "npm", "GHSA-27h2-hvpr-p74q.json.gz"), "gzip");
    fs.writeFileSync(path.join(osv, "npm", "json"), "{}");
    const origins = (await read(osv, root)).map((record) => path.relative(osv, record.origin));
    expect(origins).toHaveLength(27);
    expect(origins).toContain("npm/deeper/deepest/GHSA-xvch-5gv4-984h.JSON");
    // "deeper" sorts after "GHSA-…" (code units: uppercase first)
    expect(origins.indexOf("npm/deeper/deepest/GHSA-xvch-5gv4-984h.JSON")).toBe(origins.indexOf("npm/GHSA-wf5p-g6vw-rhxx.json") + 2);
  });

  it("follows symlinks inside the root, not those leaving it, and walks a looping tree once", async () => {
    const { root, osv } = rootWithFixtures();
    const outside = fs.realpathSync(tempDir());
    fs.writeFileSync(path.join(outside, "secret.json"), '{"id":"SECRET"}');
    fs.symlinkSync(path.join(outside, "secret.json"), path.join(osv, "a-secret.json")); // leaves: error item
    fs.symlinkSync(outside, path.join(osv, "a-outdir")); // leaves: skipped
    fs.symlinkSync(path.join(osv, "npm"), path.join(osv, "Debian", "to-npm")); // inside: followed, npm then seen already
    fs.symlinkSync(osv, path.join(osv, "PyPI", "loop")); // back to the top: walked already
    fs.symlinkSync(path.join(root, "nowhere.json"), path.join(osv, "a-broken.json"));
    const linkedFile = path.join(root, "extra.json");
    fs.writeFileSync(linkedFile, '{"id":"EXTRA"}');
    fs.symlinkSync(linkedFile, path.join(osv, "Alpine", "extra.json")); // outside the source directory, inside the root: read
    const records = await read(osv, root);

    expect(JSON.stringify(records)).not.toContain("SECRET");
    expect(errors(records)).toEqual([
      { origin: path.join(osv, "a-broken.json"), error: "a symbolic link that cannot be followed (ENOENT)" },
      { origin: path.join(osv, "a-secret.json"), error: "a symbolic link to outside the import root: not read" },
    ]);
    const read_ = texts(records);
    expect(read_).toHaveLength(28);
    expect(read_).toContainEqual({ origin: path.join(osv, "Alpine", "extra.json"), text: '{"id":"EXTRA"}' });
    // npm's records come once, through the first path that reaches them
    expect(read_.filter((r) => r.origin.includes("GHSA-xvch-5gv4-984h"))).toEqual([
      { origin: path.join(osv, "Debian", "to-npm", "GHSA-xvch-5gv4-984h.json"), text: fixtureText("npm/GHSA-xvch-5gv4-984h.json") },
    ]);
  });

  it("turns an oversized, a non-UTF-8 and an unreadable file into error items and goes on", async () => {
    const { root, osv } = rootWithFixtures();
    fs.writeFileSync(path.join(osv, "Alpine", "big.json"), " ".repeat(70_000));
    fs.writeFileSync(path.join(osv, "Alpine", "latin1.json"), Buffer.from('{"summary":"caf\xe9"}', "latin1"));
    fs.writeFileSync(path.join(osv, "Alpine", "locked.json"), "{}", { mode: 0o000 });
    const records = await read(osv, root, 64 * 1024);
    const failed = errors(records);
    expect(failed).toContainEqual({ origin: path.join(osv, "Alpine", "big.json"), error: "larger than the limit of 65536 bytes per record (70000 bytes)" });
    expect(failed).toContainEqual({ origin: path.join(osv, "Alpine", "latin1.json"), error: "not UTF-8 text" });
    if (process.getuid?.() !== 0) expect(failed).toContainEqual({ origin: path.join(osv, "Alpine", "locked.json"), error: "cannot be read (EACCES)" });
    expect(texts(records)).toHaveLength(27 + (process.getuid?.() === 0 ? 1 : 0));
  });

  it("throws UNREADABLE_SOURCE when the directory itself cannot be listed", async () => {
    const { root, osv } = rootWithFixtures();
    const source = resolveSource(osv, [root]);
    fs.rmSync(osv, { recursive: true });
    await expect(collect(readRecords(source))).rejects.toMatchObject({
      code: "UNREADABLE_SOURCE",
      message: `the directory ${osv} cannot be read (ENOENT)`,
    });
  });

  it("stops with the signal's reason", async () => {
    const { root, osv } = rootWithFixtures();
    const controller = new AbortController();
    const seen: string[] = [];
    const reading = (async () => {
      for await (const record of readRecords(resolveSource(osv, [root]), { signal: controller.signal })) {
        seen.push(record.origin);
        if (seen.length === 3) controller.abort(new Error("stop"));
      }
    })();
    await expect(reading).rejects.toThrow("stop");
    expect(seen).toHaveLength(3);
  });
});

describe("readRecords: a .json file", () => {
  it("reads one record, its text as is (a BOM dropped)", async () => {
    const { root, osv } = rootWithFixtures();
    const file = path.join(osv, "PyPI", "PYSEC-2021-98.json");
    expect(await read(file, root)).toEqual([{ origin: file, text: fixtureText("PyPI/PYSEC-2021-98.json") }]);
    fs.writeFileSync(file, `\uFEFF${fixtureText("PyPI/PYSEC-2021-98.json")}`);
    expect(await read(file, root)).toEqual([{ origin: file, text: fixtureText("PyPI/PYSEC-2021-98.json") }]);
  });

  it("reads each element of a top-level array, re-serialised, `[index]` in the origin", async () => {
    const root = fs.realpathSync(tempDir());
    const records = fixtureFiles().map((file) => JSON.parse(fixtureText(file)) as { id: string });
    const file = path.join(root, "dump.json");
    fs.writeFileSync(file, `\n  ${JSON.stringify(records, null, 2)}`);
    const read_ = await read(file, root);
    expect(read_.map((r) => r.origin)).toEqual(records.map((_, index) => `${file}[${index}]`));
    expect(texts(read_).map((r) => JSON.parse(r.text))).toEqual(records);
  });

  it("bounds an array file as a whole by maxRecordBytes, and reports an array that does not parse", async () => {
    const root = fs.realpathSync(tempDir());
    const file = path.join(root, "dump.json");
    fs.writeFileSync(file, `[${fixtureText("npm/GHSA-xvch-5gv4-984h.json")},${fixtureText("npm/GHSA-27h2-hvpr-p74q.json")}]`);
    const { size } = fs.statSync(file);
    expect(await read(file, root, size)).toHaveLength(2);
    expect(await read(file, root, size - 1)).toEqual([{ origin: file, error: `larger than the limit of ${size - 1} bytes per record (${size} bytes)` }]);
    fs.writeFileSync(file, '[{"id":"A"},');
    expect(await read(file, root)).toEqual([{ origin: file, error: expect.stringMatching(/^not valid JSON: /) }]);
    fs.writeFileSync(file, "[]");
    expect(await read(file, root)).toEqual([]);
  });
});

describe("readRecords: a .zip file", () => {
  it("reads every *.json entry of a zip made by `zip -r`, by entry name", async () => {
    const { root } = rootWithFixtures();
    fs.writeFileSync(path.join(root, "osv", "README.txt"), "skipped");
    const zip = zipCli(root, "all.zip", ["osv"]);
    const records = await read(zip, root);
    expect(errors(records)).toEqual([]);
    const expected = fixtureFiles().map((file) => ({ origin: `osv/${file}`, text: fixtureText(file) }));
    expect([...records].sort((a, b) => (a.origin < b.origin ? -1 : 1))).toEqual(expected.sort((a, b) => (a.origin < b.origin ? -1 : 1)));
  });

  it("reports an oversized entry (declared size) without inflating it, and goes on", async () => {
    const root = fs.realpathSync(tempDir());
    const big = `{"id":"BIG","details":"${" ".repeat(8 * 1024 * 1024)}"}`;
    fs.writeFileSync(path.join(root, "big.json"), big);
    fs.copyFileSync(path.join(copyFixtures(root), "npm", "GHSA-xvch-5gv4-984h.json"), path.join(root, "small.json"));
    const zip = zipCli(root, "bomb.zip", ["big.json", "small.json"]);
    expect(fs.statSync(zip).size).toBeLessThan(100_000);

    const started = process.hrtime.bigint();
    const records = await read(zip, root, 64 * 1024);
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(1000);
    expect(records).toEqual([
      { origin: "big.json", error: `larger than the limit of 65536 bytes per record (${big.length} bytes)` },
      { origin: "small.json", text: fixtureText("npm/GHSA-xvch-5gv4-984h.json") },
    ]);
  });

  it("cuts off an entry that inflates to more than its header declares", async () => {
    const root = fs.realpathSync(tempDir());
    fs.writeFileSync(path.join(root, "big.json"), " ".repeat(8 * 1024 * 1024));
    fs.writeFileSync(path.join(root, "small.json"), "{}");
    const zip = zipCli(root, "lying.zip", ["big.json", "small.json"]);
    setCentralDirectorySize(zip, "big.json", 1000); // under the limit: only the actual bytes can catch it

    const records = await read(zip, root, 64 * 1024);
    expect(records).toEqual([
      { origin: "big.json", error: expect.stringMatching(/^larger than the limit of 65536 bytes per record/) },
      { origin: "small.json", text: "{}" },
    ]);
  });

  it("refuses encrypted entries, reads the others", async () => {
    const { root, osv } = rootWithFixtures();
    zipCli(osv, "mixed.zip", ["npm/GHSA-27h2-hvpr-p74q.json"], ["-P", "secret"]);
    zipCli(osv, "mixed.zip", ["npm/GHSA-xvch-5gv4-984h.json"]);
    const records = await read(path.join(osv, "mixed.zip"), root);
    expect(records).toEqual([
      { origin: "npm/GHSA-27h2-hvpr-p74q.json", error: "an encrypted zip entry: not read" },
      { origin: "npm/GHSA-xvch-5gv4-984h.json", text: fixtureText("npm/GHSA-xvch-5gv4-984h.json") },
    ]);
  });

  it("reads entries whose names would be unsafe to extract (nothing is extracted)", async () => {
    const root = fs.realpathSync(tempDir());
    fs.writeFileSync(path.join(root, "xxxevil.json"), '{"id":"EVIL"}');
    const zip = zipCli(root, "names.zip", ["xxxevil.json"]);
    fs.writeFileSync(zip, replaceAll(fs.readFileSync(zip), "xxxevil.json", "../evil.json"));
    expect(await read(zip, root)).toEqual([{ origin: "../evil.json", text: '{"id":"EVIL"}' }]);
  });

  it("reads a zip64 archive (zip -fz) and one with an archive comment", async () => {
    const { root } = rootWithFixtures();
    const expected = fixtureFiles().map((file) => ({ origin: `osv/${file}`, text: fixtureText(file) }));
    const byOrigin = (records: Array<{ origin: string }>) => [...records].sort((a, b) => (a.origin < b.origin ? -1 : 1));
    const zip64 = zipCli(root, "all64.zip", ["osv"], ["-fz"]);
    const bytes = fs.readFileSync(zip64);
    expect(bytes.includes(Buffer.from([0x50, 0x4b, 0x06, 0x06]))).toBe(true); // a zip64 end of central directory
    // As writers do for archives that need zip64: the classic end record only says "see the zip64 one".
    const end = bytes.length - 22;
    bytes.writeUInt16LE(0xffff, end + 8);
    bytes.writeUInt16LE(0xffff, end + 10);
    bytes.writeUInt32LE(0xffffffff, end + 12);
    bytes.writeUInt32LE(0xffffffff, end + 16);
    fs.writeFileSync(zip64, bytes);
    expect(byOrigin(await read(zip64, root))).toEqual(byOrigin(expected));
    const commented = zipCli(root, "commented.zip", ["osv"]);
    execFileSync("/usr/bin/zip", ["-q", "-z", commented], { input: "an archive comment\n" });
    expect(byOrigin(await read(commented, root))).toEqual(byOrigin(expected));
  });

  it("throws UNREADABLE_SOURCE for a zip whose central directory is cut short", async () => {
    const { root } = rootWithFixtures();
    const zip = zipCli(root, "all.zip", ["osv"]);
    const bytes = fs.readFileSync(zip);
    const directory = bytes.indexOf("PK\x01\x02", 0, "latin1");
    // Keep the end record but drop the directory's second half: the count it declares cannot be met.
    const end = bytes.lastIndexOf("PK\x05\x06", undefined, "latin1");
    const cut = Buffer.concat([bytes.subarray(0, directory + Math.floor((end - directory) / 2)), bytes.subarray(end)]);
    cut.writeUInt32LE(directory + Math.floor((end - directory) / 2) - directory, cut.length - 22 + 12);
    fs.writeFileSync(zip, cut);
    await expect(read(zip, root)).rejects.toMatchObject({ code: "UNREADABLE_SOURCE", message: expect.stringMatching(/central directory/) });
  });

  it("throws UNREADABLE_SOURCE for a .zip that is not a zip archive", async () => {
    const root = fs.realpathSync(tempDir());
    const file = path.join(root, "not.zip");
    fs.writeFileSync(file, "not a zip at all");
    const reading = read(file, root);
    await expect(reading).rejects.toBeInstanceOf(SourceReadError);
    await expect(reading).rejects.toMatchObject({ code: "UNREADABLE_SOURCE", message: expect.stringContaining(`${file} is not a readable zip archive`) });
  });
});

/** Rewrites the uncompressed size in the central directory record of `name`. */
function setCentralDirectorySize(zip: string, name: string, size: number): void {
  const bytes = fs.readFileSync(zip);
  for (let at = bytes.indexOf("PK\x01\x02", 0, "latin1"); at >= 0; at = bytes.indexOf("PK\x01\x02", at + 4, "latin1")) {
    const nameLength = bytes.readUInt16LE(at + 28);
    if (bytes.toString("utf8", at + 46, at + 46 + nameLength) === name) {
      bytes.writeUInt32LE(size, at + 24);
      fs.writeFileSync(zip, bytes);
      return;
    }
  }
  throw new Error(`${name} is not in ${zip}`);
}

function replaceAll(bytes: Buffer, from: string, to: string): Buffer {
  return Buffer.from(bytes.toString("latin1").split(from).join(to), "latin1");
}
