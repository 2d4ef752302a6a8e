import type { FoundPackage } from "../analyzer";
import { fileFromBuffer } from "../test-support/file-content";
import { apkAnalyzer, parseApkInstalled } from "./apk";
import { pkgdbFile } from "./test-support/pkgdb-file";

function apk(name: string, version: string, extra: Partial<FoundPackage> = {}): FoundPackage {
  return { type: "apk", name, version, origin: "installed", ...extra };
}

describe("apkAnalyzer", () => {
  it.each([
    ["lib/apk/db/installed", true],
    ["lib/apk/db/installed.old", false],
    ["lib/apk/db/triggers", false],
    ["usr/lib/apk/db/installed", false],
    ["/lib/apk/db/installed", false],
  ])("requires %s: %s", (path, required) => {
    expect(apkAnalyzer.required({ path, size: 1, mode: 0o644 })).toBe(required);
  });

  it("reads every package of the alpine 3.18.0 base image", async () => {
    const result = await apkAnalyzer.analyze(pkgdbFile("alpine-3.18", "lib/apk/db/installed"));
    const summary = result?.packages.map((p) => [p.name, p.version, p.sourceName]);
    expect(summary).toEqual([
      ["alpine-baselayout", "3.4.3-r1", "alpine-baselayout"],
      ["alpine-baselayout-data", "3.4.3-r1", "alpine-baselayout"],
      ["alpine-keys", "2.4-r1", "alpine-keys"],
      ["apk-tools", "2.14.0-r0", "apk-tools"],
      ["busybox", "1.36.0-r9", "busybox"],
      ["busybox-binsh", "1.36.0-r9", "busybox"],
      ["ca-certificates-bundle", "20230506-r0", "ca-certificates"],
      ["libc-utils", "0.7.2-r5", "libc-dev"],
      ["libcrypto3", "3.1.0-r4", "openssl"],
      ["libssl3", "3.1.0-r4", "openssl"],
      ["musl", "1.2.4-r0", "musl"],
      ["musl-utils", "1.2.4-r0", "musl"],
      ["scanelf", "1.3.7-r1", "pax-utils"],
      ["ssl_client", "1.36.0-r9", "busybox"],
      ["zlib", "1.2.13-r1", "zlib"],
    ]);
    expect(result?.packages.every((p) => p.type === "apk" && p.origin === "installed" && p.arch === "x86_64")).toBe(true);
    expect(result?.os).toBeUndefined();
  });

  it("reads the alpine 3.16 database, whose entries order their fields differently", async () => {
    const result = await apkAnalyzer.analyze(pkgdbFile("alpine-3.16", "lib/apk/db/installed"));
    expect(result?.packages).toHaveLength(14);
    expect(result?.packages).toContainEqual(apk("musl", "1.2.3-r0", { sourceName: "musl", arch: "x86_64" }));
    expect(result?.packages).toContainEqual(apk("libssl1.1", "1.1.1q-r0", { sourceName: "openssl", arch: "x86_64" }));
    expect(result?.packages).toContainEqual(apk("libc-utils", "0.7.2-r3", { sourceName: "libc-dev", arch: "x86_64" }));
  });

  it("reads an empty database as no packages", async () => {
    await expect(apkAnalyzer.analyze(fileFromBuffer("lib/apk/db/installed", ""))).resolves.toEqual({ packages: [] });
  });
});

describe("parseApkInstalled", () => {
  it.each<[string, string, FoundPackage[]]>([
    ["one entry", "P:musl\nV:1.2.4-r0\nA:x86_64\no:musl\n", [apk("musl", "1.2.4-r0", { arch: "x86_64", sourceName: "musl" })]],
    ["no trailing newline", "P:musl\nV:1.2.4-r0", [apk("musl", "1.2.4-r0")]],
    ["entries split by a blank line", "P:a\nV:1\n\nP:b\nV:2\n", [apk("a", "1"), apk("b", "2")]],
    ["several blank lines between entries", "P:a\nV:1\n\n\n\nP:b\nV:2\n\n", [apk("a", "1"), apk("b", "2")]],
    ["a whitespace-only separator line", "P:a\nV:1\n  \nP:b\nV:2", [apk("a", "1"), apk("b", "2")]],
    ["CRLF line endings", "P:a\r\nV:1\r\n\r\nP:b\r\nV:2\r\n", [apk("a", "1"), apk("b", "2")]],
    ["fields in any order", "o:src\nA:aarch64\nV:1-r0\nP:pkg\n", [apk("pkg", "1-r0", { arch: "aarch64", sourceName: "src" })]],
    ["a value holding a colon", "P:a\nV:1:2-r0\n", [apk("a", "1:2-r0")]],
    ["file and other fields ignored", "C:Q1abc=\nP:a\nV:1\nF:etc\nR:passwd\nZ:Q1x=\nD:so:libc.musl-x86_64.so.1\n", [apk("a", "1")]],
    ["an entry without a version skipped", "P:a\n\nP:b\nV:2\n", [apk("b", "2")]],
    ["an entry without a name skipped", "V:1\n\nP:b\nV:2\n", [apk("b", "2")]],
    ["an empty name skipped", "P:\nV:1\n", []],
    ["empty origin and arch left out", "P:a\nV:1\no:\nA:\n", [apk("a", "1")]],
    ["lines that are no field ignored", "P:a\nV:1\ngarbage\nPV:x\n", [apk("a", "1")]],
    ["a blank line before the first entry", "\nP:a\nV:1\n", [apk("a", "1")]],
    ["nothing", "", []],
  ])("reads %s", (_case, text, expected) => {
    expect(parseApkInstalled(text)).toEqual(expected);
  });
});
