import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { ImportSourceError } from "./errors";
import { resolveSource, type ResolvedSource } from "./source";
import { removeTempDirs, tempDir } from "./test-support/osv-files";

afterAll(removeTempDirs);

function refusal(source: string, roots: readonly string[]): ImportSourceError {
  try {
    resolveSource(source, roots);
  } catch (error) {
    expect(error).toBeInstanceOf(ImportSourceError);
    expect((error as ImportSourceError).code).toBe("BAD_SOURCE");
    return error as ImportSourceError;
  }
  throw new Error(`${source} was accepted`);
}

describe("resolveSource: paths", () => {
  // base/root: a.json, b.ZIP, c.txt, sub/, inside.json → a.json, outside.json → ../outside/secret.json, outdir → ../outside
  // base/outside: secret.json;  base/root-other: d.json (shares the root's name as a prefix)
  const base = fs.realpathSync(tempDir());
  const root = path.join(base, "root");
  const outside = path.join(base, "outside");
  fs.mkdirSync(path.join(root, "sub"), { recursive: true });
  fs.mkdirSync(outside);
  fs.mkdirSync(path.join(base, "root-other"));
  for (const file of ["root/a.json", "root/b.ZIP", "root/c.txt", "outside/secret.json", "root-other/d.json"]) {
    fs.writeFileSync(path.join(base, file), "{}");
  }
  fs.symlinkSync(path.join(root, "a.json"), path.join(root, "inside.json"));
  fs.symlinkSync(path.join(outside, "secret.json"), path.join(root, "outside.json"));
  fs.symlinkSync(outside, path.join(root, "outdir"));
  const roots = [root];
  const underRoots = `is not under DRYDOCK_IMPORT_ROOTS (${root})`;

  it("classifies a .json file, a .zip file (any case) and a directory, by their real path", () => {
    expect(resolveSource(path.join(root, "a.json"), roots)).toEqual<ResolvedSource>({ kind: "json", path: path.join(root, "a.json"), root });
    expect(resolveSource(path.join(root, "b.ZIP"), roots)).toEqual<ResolvedSource>({ kind: "zip", path: path.join(root, "b.ZIP"), root });
    expect(resolveSource(path.join(root, "sub"), roots)).toEqual<ResolvedSource>({ kind: "directory", path: path.join(root, "sub"), root });
    expect(resolveSource(root, roots)).toEqual<ResolvedSource>({ kind: "directory", path: root, root });
  });

  it("refuses a relative path (the API and the worker run in different directories) and trims what was typed", () => {
    const relative = path.relative(process.cwd(), path.join(root, "a.json"));
    expect(() => resolveSource(relative, roots)).toThrow(`${relative} is a relative path: give an absolute path under DRYDOCK_IMPORT_ROOTS`);
    expect(resolveSource(`  ${path.join(root, "a.json")}\n`, roots)).toMatchObject({ kind: "json", path: path.join(root, "a.json") });
  });

  it("follows a symlink that stays inside the root, to its target", () => {
    expect(resolveSource(path.join(root, "inside.json"), roots)).toMatchObject({ kind: "json", path: path.join(root, "a.json") });
  });

  it("refuses a symlink inside the root that points outside it (file or directory)", () => {
    expect(refusal(path.join(root, "outside.json"), roots).message).toBe(`${path.join(root, "outside.json")} ${underRoots}`);
    expect(refusal(path.join(root, "outdir", "secret.json"), roots).message).toContain(underRoots);
    expect(refusal(path.join(root, "outdir"), roots).message).toContain(underRoots);
  });

  it("refuses `..` out of the root, and a sibling whose name starts with the root's", () => {
    expect(refusal(`${root}/../outside/secret.json`, roots).message).toContain(underRoots);
    expect(refusal(`${root}/sub/../../outside`, roots).message).toContain(underRoots);
    expect(refusal(path.join(base, "root-other", "d.json"), roots).message).toContain(underRoots);
    expect(refusal(base, roots).message).toContain(underRoots);
  });

  it("says `no such file` inside a root, and only `not under` outside (no existence oracle)", () => {
    expect(refusal(path.join(root, "missing.json"), roots).message).toBe(`no such file: ${path.join(root, "missing.json")}`);
    expect(refusal(path.join(root, "a.json", "below.json"), roots).message).toContain("no such file");
    expect(refusal(path.join(outside, "missing.json"), roots).message).toContain(underRoots);
    expect(refusal("/etc/no-such-file.json", roots).message).toContain(underRoots);
  });

  it("refuses anything but a directory, a .json or a .zip file", () => {
    expect(refusal(path.join(root, "c.txt"), roots).message).toBe(`${path.join(root, "c.txt")} is not a directory, .json or .zip file`);
    const fifo = path.join(root, "pipe.json");
    execFileSync("mkfifo", [fifo]);
    expect(refusal(fifo, roots).message).toContain("is not a directory, .json or .zip file");
  });

  it("accepts a root given with a trailing slash", () => {
    expect(resolveSource(path.join(root, "a.json"), [`${root}/`])).toMatchObject({ kind: "json", root });
    expect(refusal(path.join(outside, "secret.json"), [`${root}/`]).message).toContain(`DRYDOCK_IMPORT_ROOTS (${root}/)`);
  });

  it("accepts a path under any of two roots and names both when refusing", () => {
    const two = [root, outside];
    expect(resolveSource(path.join(outside, "secret.json"), two)).toMatchObject({ kind: "json", root: outside });
    expect(resolveSource(path.join(root, "a.json"), two)).toMatchObject({ kind: "json", root });
    expect(refusal(path.join(base, "root-other", "d.json"), two).message).toContain(`is not under DRYDOCK_IMPORT_ROOTS (${root}, ${outside})`);
  });

  it("skips a root that does not exist, and refuses everything without roots", () => {
    expect(resolveSource(path.join(root, "a.json"), [path.join(base, "gone"), root])).toMatchObject({ kind: "json", root });
    expect(refusal(path.join(root, "a.json"), []).message).toContain("is not under DRYDOCK_IMPORT_ROOTS (none configured)");
    expect(refusal(path.join(root, "a.json"), [path.join(base, "gone")]).message).toContain("is not under DRYDOCK_IMPORT_ROOTS");
  });

  it("accepts a path under a root that is itself a symlink, typed either way", () => {
    const linkedRoot = path.join(base, "linked-root");
    fs.symlinkSync(root, linkedRoot);
    expect(resolveSource(path.join(linkedRoot, "a.json"), [linkedRoot])).toEqual({ kind: "json", path: path.join(root, "a.json"), root });
    expect(resolveSource(path.join(root, "a.json"), [linkedRoot])).toMatchObject({ kind: "json", root });
    expect(refusal(path.join(linkedRoot, "missing.json"), [linkedRoot]).message).toContain("no such file");
  });

  it("refuses an empty source and a NUL character", () => {
    expect(refusal("   ", roots).message).toContain("the source is empty");
    expect(refusal(`${root}/a.json\0.txt`, roots).message).toContain("NUL");
  });
});

describe("resolveSource: URLs", () => {
  it.each(["http://osv.example/all.zip", "https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip?x=1", "HTTPS://Example.ORG/a.json"])(
    "accepts %s without touching the network",
    (source) => {
      const resolved = resolveSource(source, []);
      expect(resolved.kind).toBe("url");
      expect(resolved.kind === "url" && resolved.url.href).toBe(new URL(source).href);
    },
  );

  it.each(["ftp://osv.example/all.zip", "file:///etc/passwd", "data:application/json,{}", "javascript:alert(1)"])("refuses %s: only http(s) URLs", (source) => {
    expect(refusal(source, ["/"]).message).toContain("only http(s) URLs");
  });

  it.each(["https://user:s3cret@osv.example/all.zip", "https://token@osv.example/all.zip", "http://:s3cret@osv.example/"])(
    "refuses credentials in %s without repeating them",
    (source) => {
      const { message } = refusal(source, []);
      expect(message).toContain("credentials");
      expect(message).not.toContain("s3cret");
      expect(message).not.toContain("token");
    },
  );

  it("refuses a URL that does not parse, without repeating it", () => {
    const { message } = refusal("https://us er:s3cret@[bad/", []);
    expect(message).toContain("not a valid one");
    expect(message).not.toContain("s3cret");
  });
});
