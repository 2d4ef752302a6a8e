import { OS_ANALYZERS } from "./index";

describe("OS_ANALYZERS", () => {
  it("holds each OS analyzer once, under a unique name", () => {
    expect(OS_ANALYZERS.map((analyzer) => analyzer.name)).toEqual(["os-release", "apk", "dpkg", "rpm"]);
  });

  it.each(OS_ANALYZERS.map((analyzer) => [analyzer.name, analyzer.version]))("%s has a version from 1 up", (_name, version) => {
    expect(Number.isInteger(version) && version >= 1).toBe(true);
  });

  it.each([
    ["etc/os-release", "os-release"],
    ["usr/lib/os-release", "os-release"],
    ["lib/apk/db/installed", "apk"],
    ["var/lib/dpkg/status", "dpkg"],
    ["var/lib/dpkg/status.d/libc6", "dpkg"],
    ["var/lib/rpm/rpmdb.sqlite", "rpm"],
    ["usr/lib/sysimage/rpm/rpmdb.sqlite", "rpm"],
  ])("hands %s to %s alone", (path, name) => {
    const takers = OS_ANALYZERS.filter((analyzer) => analyzer.required({ path, size: 1, mode: 0o644 }));
    expect(takers.map((analyzer) => analyzer.name)).toEqual([name]);
  });

  it.each(["usr/bin/bash", "etc/passwd", "var/lib/dpkg/status.d/libc6.md5sums", "app/package-lock.json"])(
    "hands %s to none",
    (path) => {
      expect(OS_ANALYZERS.filter((analyzer) => analyzer.required({ path, size: 1, mode: 0o644 }))).toEqual([]);
    },
  );
});
