import type { FoundPackage } from "../analyzer";
import { fileFromBuffer } from "../test-support/file-content";
import { dpkgAnalyzer, parseDpkgStatus } from "./dpkg";
import { pkgdbFile } from "./test-support/pkgdb-file";

function deb(name: string, version: string, extra: Partial<FoundPackage> = {}): FoundPackage {
  return { type: "deb", name, version, origin: "installed", ...extra };
}

describe("dpkgAnalyzer", () => {
  it.each([
    ["var/lib/dpkg/status", true],
    ["var/lib/dpkg/status.d/libssl3", true],
    ["var/lib/dpkg/status.d/base-files_12.4", true],
    ["var/lib/dpkg/status.d/libssl3.md5sums", false],
    ["var/lib/dpkg/status.d/", false],
    ["var/lib/dpkg/status.d/nested/libssl3", false],
    ["var/lib/dpkg/status-old", false],
    ["var/lib/dpkg/status.bak", false],
    ["var/lib/dpkg/available", false],
    ["var/lib/dpkg/info/bash.list", false],
    ["usr/var/lib/dpkg/status", false],
    ["/var/lib/dpkg/status", false],
  ])("requires %s: %s", (path, required) => {
    expect(dpkgAnalyzer.required({ path, size: 1, mode: 0o644 })).toBe(required);
  });

  describe("on a real Debian 12 status file", () => {
    let packages: FoundPackage[];
    beforeAll(async () => {
      packages = (await dpkgAnalyzer.analyze(pkgdbFile("debian-12", "var/lib/dpkg/status")))?.packages ?? [];
    });

    it("finds all 140 installed packages, each once", () => {
      expect(packages).toHaveLength(140);
      expect(new Set(packages.map((p) => p.name)).size).toBe(140);
      expect(packages.every((p) => p.type === "deb" && p.origin === "installed")).toBe(true);
    });

    it("takes 105 source names, 15 with their own version, from Source fields", () => {
      expect(packages.filter((p) => p.sourceName !== undefined)).toHaveLength(105);
      expect(packages.filter((p) => p.sourceVersion !== undefined)).toHaveLength(15);
    });

    it("keeps the 21 epochs and the architectures", () => {
      expect(packages.filter((p) => /^\d+:/.test(p.version))).toHaveLength(21);
      expect(packages.filter((p) => p.arch === "amd64")).toHaveLength(120);
      expect(packages.filter((p) => p.arch === "all")).toHaveLength(20);
    });

    it.each<FoundPackage>([
      deb("bash", "5.2.15-2+b7", { sourceName: "bash", sourceVersion: "5.2.15-2", arch: "amd64" }),
      deb("zlib1g", "1:1.2.13.dfsg-1", { sourceName: "zlib", arch: "amd64" }),
      deb("bsdutils", "1:2.38.1-5+deb12u3", { sourceName: "util-linux", sourceVersion: "2.38.1-5+deb12u3", arch: "amd64" }),
      deb("libxext6", "2:1.3.4-1+b1", { sourceName: "libxext", sourceVersion: "2:1.3.4-1", arch: "amd64" }),
      deb("libc6", "2.36-9+deb12u9", { sourceName: "glibc", arch: "amd64" }),
      deb("libssl3", "3.0.15-1~deb12u1", { sourceName: "openssl", arch: "amd64" }),
      deb("openssl", "3.0.15-1~deb12u1", { arch: "amd64" }),
      deb("tzdata", "2024b-0+deb12u1", { arch: "all" }),
      deb("ncurses-base", "6.4-4", { sourceName: "ncurses", arch: "all" }),
      deb("base-files", "12.4+deb12u9", { arch: "amd64" }),
      deb("tar", "1.34+dfsg-1.2+deb12u1", { arch: "amd64" }),
      deb("dpkg", "1.21.22", { arch: "amd64" }),
    ])("reads $name $version", (expected) => {
      expect(packages.find((p) => p.name === expected.name)).toEqual(expected);
    });
  });

  it("reads the 7-package bookworm excerpt", async () => {
    const result = await dpkgAnalyzer.analyze(pkgdbFile("debian-12-excerpt", "var/lib/dpkg/status"));
    expect(result?.packages).toEqual([
      deb("accountsservice", "22.08.8-6", { arch: "amd64" }),
      deb("acl", "2.3.1-3", { arch: "amd64" }),
      deb("adduser", "3.131", { arch: "all" }),
      deb("admin-session", "2023.06.26.c543406313-00", { arch: "amd64" }),
      deb("attr", "1:2.5.1-4", { arch: "amd64" }),
      deb("libacl1", "2.3.1-3", { sourceName: "acl", arch: "amd64" }),
      deb("util-linux-extra", "2.38.1-5+b1", { sourceName: "util-linux", sourceVersion: "2.38.1-5", arch: "amd64" }),
    ]);
  });

  it("reads a distroless status.d entry, which has no Status field", async () => {
    const result = await dpkgAnalyzer.analyze(pkgdbFile("distroless-debian11", "var/lib/dpkg/status.d/libsqlite3-0"));
    expect(result).toEqual({ packages: [deb("libsqlite3-0", "3.34.1-3", { sourceName: "sqlite3", arch: "arm64" })] });
  });

  it("reads an empty status file as no packages", async () => {
    await expect(dpkgAnalyzer.analyze(fileFromBuffer("var/lib/dpkg/status", ""))).resolves.toEqual({ packages: [] });
  });
});

describe("parseDpkgStatus", () => {
  const stanza = (status: string | null, extra = ""): string =>
    `Package: p\n${status === null ? "" : `Status: ${status}\n`}Version: 1.0-1\n${extra}`;

  it.each([
    ["install ok installed", true],
    ["hold ok installed", true],
    ["deinstall ok installed", true],
    ["install  ok  installed", true],
    ["install ok unpacked", false],
    ["install ok half-installed", false],
    ["install ok half-configured", false],
    ["install ok triggers-awaited", false],
    ["deinstall ok config-files", false],
    ["purge ok not-installed", false],
    ["install reinstreq half-installed", false],
    ["installed", false],
    ["", false],
  ])("with Status %j keeps the package: %s", (status, kept) => {
    expect(parseDpkgStatus(stanza(status))).toHaveLength(kept ? 1 : 0);
  });

  it.each<[string, Pick<FoundPackage, "sourceName" | "sourceVersion">]>([
    ["Source: src", { sourceName: "src" }],
    ["Source: src (1.0-1)", { sourceName: "src", sourceVersion: "1.0-1" }],
    ["Source: src (2:1.0-1)", { sourceName: "src", sourceVersion: "2:1.0-1" }],
    ["Source:   src   ( 1.0-1 ) ", { sourceName: "src", sourceVersion: "1.0-1" }],
    ["Source: p", { sourceName: "p" }],
    ["Source:", {}],
    ["", {}],
  ])("reads %j", (field, expected) => {
    const [found] = parseDpkgStatus(stanza("install ok installed", `${field}\n`));
    expect({ sourceName: found.sourceName, sourceVersion: found.sourceVersion }).toEqual(expected);
  });

  it.each<[string, string, FoundPackage[]]>([
    ["a stanza without Version", "Package: a\nStatus: install ok installed\n", []],
    ["a stanza without Package", "Version: 1\nStatus: install ok installed\n", []],
    ["a stanza without Architecture", "Package: a\nVersion: 1\n", [deb("a", "1")]],
    ["a version kept as written", "Package: a\nVersion: 3:1.0~rc1+dfsg-2ubuntu0.1\n", [deb("a", "3:1.0~rc1+dfsg-2ubuntu0.1")]],
    [
      "continuation lines around the fields",
      "Package: a\nDescription: x\n more\n .\nVersion: 1\nConffiles:\n /etc/a 0123\nArchitecture: arm64\n",
      [deb("a", "1", { arch: "arm64" })],
    ],
    [
      "installed and removed packages mixed",
      "Package: a\nStatus: install ok installed\nVersion: 1\n\nPackage: b\nStatus: deinstall ok config-files\nVersion: 2\n\nPackage: c\nStatus: install ok installed\nVersion: 3",
      [deb("a", "1"), deb("c", "3")],
    ],
  ])("reads %s", (_case, text, expected) => {
    expect(parseDpkgStatus(text)).toEqual(expected);
  });
});
