import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { FoundPackage } from "../analyzer";
import { fileFromBuffer } from "../test-support/file-content";
import { parseSourceRpm, rpmAnalyzer } from "./rpm";
import { headerBlob, type HeaderFields } from "./test-support/rpm-header-blob";
import { buildRpmdb } from "./test-support/rpmbuild";
import { sqliteRpmdb } from "./test-support/sqlite-rpmdb";

const RPMDB = "var/lib/rpm/rpmdb.sqlite";

function rpm(name: string, version: string, extra: Partial<FoundPackage> = {}): FoundPackage {
  return { type: "rpm", name, version, origin: "installed", ...extra };
}

async function analyzeHeaders(headers: HeaderFields[]): Promise<FoundPackage[]> {
  const db = await sqliteRpmdb(headers.map((fields) => ({ blob: headerBlob(fields) })));
  return (await rpmAnalyzer.analyze(fileFromBuffer(RPMDB, db)))?.packages ?? [];
}

describe("rpmAnalyzer", () => {
  it.each([
    ["var/lib/rpm/rpmdb.sqlite", true],
    ["usr/lib/sysimage/rpm/rpmdb.sqlite", true],
    ["var/lib/rpm/rpmdb.sqlite-wal", false],
    ["var/lib/rpm/rpmdb.sqlite-shm", false],
    ["var/lib/rpm/Packages", false],
    ["var/lib/rpm/Packages.db", false],
    ["usr/share/rpm/rpmdb.sqlite", false],
    ["/var/lib/rpm/rpmdb.sqlite", false],
  ])("requires %s: %s", (filePath, required) => {
    expect(rpmAnalyzer.required({ path: filePath, size: 1, mode: 0o644 })).toBe(required);
  });

  it.each<[string, HeaderFields, FoundPackage]>([
    [
      "a package built from its own source",
      { name: "bash", version: "5.1.8", release: "9.el9", arch: "x86_64", sourceRpm: "bash-5.1.8-9.el9.src.rpm" },
      rpm("bash", "5.1.8-9.el9", { sourceName: "bash", arch: "x86_64" }),
    ],
    [
      "a subpackage",
      { name: "openssl-libs", version: "3.0.7", release: "27.el9", epoch: 1, arch: "x86_64", sourceRpm: "openssl-3.0.7-27.el9.src.rpm" },
      rpm("openssl-libs", "1:3.0.7-27.el9", { sourceName: "openssl", arch: "x86_64" }),
    ],
    [
      "epoch 0, which rpm prints",
      { name: "a", version: "1", release: "2", epoch: 0 },
      rpm("a", "0:1-2"),
    ],
    [
      "an epoch, which the source file name lacks",
      { name: "texlive-base", version: "20200406", release: "26.el9", epoch: 7, sourceRpm: "texlive-base-20200406-26.el9.src.rpm" },
      rpm("texlive-base", "7:20200406-26.el9", { sourceName: "texlive-base" }),
    ],
    [
      "a source of another version",
      { name: "python3-perf", version: "5.14.0", release: "1", sourceRpm: "kernel-5.14.0-2.src.rpm" },
      rpm("python3-perf", "5.14.0-1", { sourceName: "kernel", sourceVersion: "5.14.0-2" }),
    ],
    [
      "a nosrc source",
      { name: "firmware", version: "1", release: "1", sourceRpm: "firmware-blobs-1-1.nosrc.rpm" },
      rpm("firmware", "1-1", { sourceName: "firmware-blobs" }),
    ],
    [
      "a source file name of another shape",
      { name: "elasticsearch", version: "8.17.0", release: "1", sourceRpm: "elasticsearch-8.17.0-1-src.rpm" },
      rpm("elasticsearch", "8.17.0-1"),
    ],
    ["no source, no arch", { name: "a", version: "1", release: "1" }, rpm("a", "1-1")],
  ])("reads %s", async (_case, header, expected) => {
    await expect(analyzeHeaders([header])).resolves.toEqual([expected]);
  });

  it("skips the gpg-pubkey headers of imported signing keys", async () => {
    const packages = await analyzeHeaders([
      { name: "gpg-pubkey", version: "fd431d51", release: "4ae0493b" },
      { name: "bash", version: "5.1.8", release: "9.el9" },
      { name: "gpg-pubkey", version: "5a6340b3", release: "6229229e" },
    ]);
    expect(packages).toEqual([rpm("bash", "5.1.8-9.el9")]);
  });

  it("reports a database with a malformed header as broken", async () => {
    const db = await sqliteRpmdb([{ blob: headerBlob({ name: "a", version: "1", release: "1" }) }, { blob: Buffer.alloc(3) }]);
    await expect(rpmAnalyzer.analyze(fileFromBuffer(RPMDB, db))).rejects.toThrow(/package 2: malformed rpm header/);
  });

  describe("on a database written by rpm (Debian's rpm 4.18; .ci/run installs it)", () => {
    let workDir: string;
    let database: Buffer;
    beforeAll(() => {
      workDir = mkdtempSync(path.join(tmpdir(), "drydock-rpmdb-"));
      database = readFileSync(buildRpmdb(workDir, { "demo-tool": DEMO_TOOL_SPEC, "demo-lib": DEMO_LIB_SPEC }));
    });
    afterAll(() => rmSync(workDir, { recursive: true, force: true }));

    it.each(["var/lib/rpm/rpmdb.sqlite", "usr/lib/sysimage/rpm/rpmdb.sqlite"])("reads every package from %s", async (filePath) => {
      const result = await rpmAnalyzer.analyze(fileFromBuffer(filePath, database));
      const byName = (a: FoundPackage, b: FoundPackage): number => a.name.localeCompare(b.name);
      expect(result?.packages.sort(byName)).toEqual([
        rpm("demo-extras", "0:5.0-4.fc40", { sourceName: "demo-tool", sourceVersion: "1.2.3-4.fc40", arch: "noarch" }),
        rpm("demo-lib", "0.9-1", { sourceName: "demo-lib", arch: "noarch" }),
        rpm("demo-tool", "2:1.2.3-4.fc40", { sourceName: "demo-tool", arch: "noarch" }),
        rpm("libdemo", "2:1.2.3-4.fc40", { sourceName: "demo-tool", arch: "noarch" }),
      ]);
    });
  });
});

describe("parseSourceRpm", () => {
  it.each<[string, ReturnType<typeof parseSourceRpm>]>([
    ["bash-5.1.8-9.el9.src.rpm", { name: "bash", versionRelease: "5.1.8-9.el9" }],
    ["python-dateutil-2.8.1-7.el9.src.rpm", { name: "python-dateutil", versionRelease: "2.8.1-7.el9" }],
    ["glibc-2.34-100.el9_4.2.src.rpm", { name: "glibc", versionRelease: "2.34-100.el9_4.2" }],
    ["kernel-firmware-20240115-1.nosrc.rpm", { name: "kernel-firmware", versionRelease: "20240115-1" }],
    ["a-1-2.src.rpm", { name: "a", versionRelease: "1-2" }],
    ["1-2.src.rpm", null],
    ["-1-2.src.rpm", null],
    ["bash.src.rpm", null],
    ["bash-5.1.8-9.el9.x86_64.rpm", null],
    ["bash-5.1.8-9.el9", null],
    ["", null],
  ])("%j", (fileName, expected) => {
    expect(parseSourceRpm(fileName)).toEqual(expected);
  });
});

/** An epoch, and two subpackages: one sharing the spec's version, one with a version and an epoch of its own. */
const DEMO_TOOL_SPEC = `Name: demo-tool
Version: 1.2.3
Release: 4.fc40
Epoch: 2
Summary: Demo tool
License: MIT
BuildArch: noarch

%description
A demo tool.

%package -n libdemo
Summary: Demo library

%description -n libdemo
A demo library.

%package -n demo-extras
Version: 5.0
Epoch: 0
Summary: Demo extras

%description -n demo-extras
Demo extras.

%files

%files -n libdemo

%files -n demo-extras
`;

/** No epoch, one file. */
const DEMO_LIB_SPEC = `Name: demo-lib
Version: 0.9
Release: 1
Summary: Demo lib
License: MIT
BuildArch: noarch

%description
A demo lib.

%install
mkdir -p %{buildroot}/usr/share/demo-lib
echo demo > %{buildroot}/usr/share/demo-lib/README

%files
/usr/share/demo-lib/README
`;
