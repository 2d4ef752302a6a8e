import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { FoundPackage } from "../analyzer";
import { fileFromBuffer } from "../test-support/file-content";
import { goBinaryAnalyzer } from "./go-binary";
import { BUILD_INFO_MAGIC } from "./go-build-info";
import { fileInChunks, fileSplitAt } from "./test-support/chunked-file";

const BUILD_TIMEOUT_MS = 180_000;
const golang = (name: string, version: string): FoundPackage => ({ type: "golang", name, version, origin: "installed" });

function writeFiles(root: string, files: Record<string, string>): void {
  for (const [relative, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, relative)), { recursive: true });
    writeFileSync(path.join(root, relative), content);
  }
}

/**
 * Builds, offline, `example.com/app`, which requires `example.com/dep`
 * (replaced by a local directory) and `example.com/dep2` (replaced by
 * `example.com/forked v1.1.0`, served by a file-based module proxy).
 */
function buildApp(root: string): { binary: Buffer; goVersion: string } {
  writeFiles(root, {
    "app/go.mod": [
      "module example.com/app",
      "go 1.19",
      "require (\n\texample.com/dep v1.2.3\n\texample.com/dep2 v1.0.0\n)",
      "replace example.com/dep => ./dep",
      "replace example.com/dep2 v1.0.0 => example.com/forked v1.1.0",
    ].join("\n\n"),
    "app/main.go": [
      "package main",
      'import (\n\t"fmt"\n\n\t"example.com/dep"\n\t"example.com/dep2"\n)',
      "func main() { fmt.Println(dep.Hello(), dep2.Hello()) }",
    ].join("\n\n"),
    "app/dep/go.mod": "module example.com/dep\n\ngo 1.19\n",
    "app/dep/dep.go": 'package dep\n\nfunc Hello() string { return "dep" }\n',
    "forked/example.com/forked@v1.1.0/go.mod": "module example.com/forked\n\ngo 1.19\n",
    "forked/example.com/forked@v1.1.0/forked.go": 'package dep2\n\nfunc Hello() string { return "forked" }\n',
    "proxy/example.com/forked/@v/list": "v1.1.0\n",
    "proxy/example.com/forked/@v/v1.1.0.info": '{"Version":"v1.1.0","Time":"2024-01-01T00:00:00Z"}',
    "proxy/example.com/forked/@v/v1.1.0.mod": "module example.com/forked\n\ngo 1.19\n",
  });
  // A module zip holds files only, under <module>@<version>/.
  execFileSync("zip", ["-qrD", path.join(root, "proxy/example.com/forked/@v/v1.1.0.zip"), "example.com"], {
    cwd: path.join(root, "forked"),
  });
  const env = {
    PATH: process.env.PATH,
    HOME: root,
    GOPATH: path.join(root, "gopath"),
    GOCACHE: path.join(root, "gocache"),
    GOPROXY: `file://${path.join(root, "proxy")}`,
    GOFLAGS: "-mod=mod",
    GOSUMDB: "off",
    GOTOOLCHAIN: "local",
    CGO_ENABLED: "0",
  };
  const output = path.join(root, "app.bin");
  execFileSync("go", ["build", "-o", output, "."], { cwd: path.join(root, "app"), env, stdio: "pipe" });
  const goVersion = execFileSync("go", ["env", "GOVERSION"], { env }).toString().trim();
  return { binary: readFileSync(output), goVersion };
}

describe("Go binary analyzer", () => {
  let root: string;
  let binary: Buffer;
  let expected: FoundPackage[];

  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), "drydock-gobinary-"));
    const built = buildApp(root);
    binary = built.binary;
    expected = [
      golang("stdlib", built.goVersion.replace(/^go/, "")),
      golang("example.com/dep", "v1.2.3"),
      golang("example.com/forked", "v1.1.0"),
    ];
  }, BUILD_TIMEOUT_MS);

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("asks for executables large enough to be Go binaries", () => {
    expect(goBinaryAnalyzer.required({ path: "usr/local/bin/app", size: 2_000_000, mode: 0o755 })).toBe(true);
    expect(goBinaryAnalyzer.required({ path: "usr/local/bin/app", size: 2_000_000, mode: 0o100 })).toBe(true);
    expect(goBinaryAnalyzer.required({ path: "usr/local/bin/app", size: 2_000_000, mode: 0o644 })).toBe(false);
    expect(goBinaryAnalyzer.required({ path: "usr/local/bin/run.sh", size: 900, mode: 0o755 })).toBe(false);
  });

  it("reports the Go standard library and the dependencies, with replacements applied", async () => {
    // The main module is `(devel)` (built from a source tree): not reported. The local replacement of
    // example.com/dep keeps the required version; the module replacement of example.com/dep2 is reported.
    const result = await goBinaryAnalyzer.analyze(fileFromBuffer("usr/local/bin/app", binary, 0o755));
    expect(result).toEqual({ packages: expected });
  });

  it("finds the build information in small chunks", async () => {
    for (const chunkBytes of [13, 4093]) {
      const result = await goBinaryAnalyzer.analyze(fileInChunks("app", binary, chunkBytes, 0o755));
      expect(result).toEqual({ packages: expected });
    }
  });

  it("finds the build information when a chunk ends anywhere inside it", async () => {
    const magicAt = binary.indexOf(BUILD_INFO_MAGIC);
    expect(magicAt).toBeGreaterThan(0);
    for (let cut = magicAt - 1; cut <= magicAt + 64; cut++) {
      const result = await goBinaryAnalyzer.analyze(fileSplitAt("app", binary, [cut], 0o755));
      expect(result).toEqual({ packages: expected });
    }
  });

  it("returns null for executables that are not Go binaries", async () => {
    await expect(goBinaryAnalyzer.analyze(fileFromBuffer("bin/true", readFileSync("/bin/true"), 0o755))).resolves.toBeNull();
    const script = Buffer.concat([Buffer.from("#!/bin/sh\n"), BUILD_INFO_MAGIC, Buffer.alloc(100_000)]);
    await expect(goBinaryAnalyzer.analyze(fileFromBuffer("bin/run", script, 0o755))).resolves.toBeNull();
  });

  it("skips stray and malformed build-info magic strings, and stops at a bounded size", async () => {
    const elf = Buffer.from("\x7fELF\x02\x01\x01\x00", "latin1");
    const header = (flags: number): Buffer => Buffer.concat([BUILD_INFO_MAGIC, Buffer.from([8, flags]), Buffer.alloc(16)]);
    const goodInfo = Buffer.concat([header(2), Buffer.from("\x08go1.21.5\x00", "latin1")]);
    const content = Buffer.concat([
      elf,
      BUILD_INFO_MAGIC, // stray: followed by anything
      Buffer.from("some other string data"),
      header(0), // the pre-1.18 pointer layout
      Buffer.alloc(16, 0xff),
      header(2),
      Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]), // a varint over any bound
      header(2),
      Buffer.from("\x05hello", "latin1"), // not a Go version
      goodInfo,
    ]);
    await expect(goBinaryAnalyzer.analyze(fileInChunks("bin/x", content, 7, 0o755))).resolves.toEqual({
      packages: [golang("stdlib", "1.21.5")],
    });

    // Claims 1 GiB of module information: not collected, not reported.
    const hugeLength = Buffer.from([0x80, 0x80, 0x80, 0x80, 0x04]);
    const huge = Buffer.concat([elf, header(2), Buffer.from("\x08go1.21.5", "latin1"), hugeLength, Buffer.alloc(2_000_000)]);
    await expect(goBinaryAnalyzer.analyze(fileFromBuffer("bin/x", huge, 0o755))).resolves.toBeNull();
  });
});
