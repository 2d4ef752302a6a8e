import type { FoundPackage, OsRelease } from "../analyzers/analyzer";
import { packageIdentity, purlOf } from "./purl";

const os = (id: string, versionId: string | null, versionCodename: string | null = null): OsRelease => ({
  id,
  versionId,
  versionCodename,
  prettyName: null,
  idLike: [],
});
const debian = os("debian", "12");
const pkg = (found: Partial<FoundPackage> & Pick<FoundPackage, "type" | "name" | "version">): FoundPackage => ({ origin: "installed", ...found });

describe("purlOf", () => {
  it.each([
    ["deb", pkg({ type: "deb", name: "libc6", version: "2.36-9+deb12u4", arch: "amd64" }), debian, "pkg:deb/debian/libc6@2.36-9+deb12u4?arch=amd64&distro=debian-12"],
    ["deb on ubuntu", pkg({ type: "deb", name: "bash", version: "5.1-6ubuntu1" }), os("ubuntu", "22.04"), "pkg:deb/ubuntu/bash@5.1-6ubuntu1?distro=ubuntu-22.04"],
    ["deb, testing without VERSION_ID", pkg({ type: "deb", name: "bash", version: "5.2-1" }), os("debian", null, "trixie"), "pkg:deb/debian/bash@5.2-1?distro=debian-trixie"],
    ["deb, unknown OS", pkg({ type: "deb", name: "bash", version: "5.2-1" }), null, "pkg:deb/debian/bash@5.2-1"],
    ["apk", pkg({ type: "apk", name: "musl", version: "1.2.4-r2", arch: "x86_64" }), os("alpine", "3.18.4"), "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=alpine-3.18.4"],
    ["apk, unknown OS", pkg({ type: "apk", name: "musl", version: "1.2.4-r2" }), null, "pkg:apk/alpine/musl@1.2.4-r2"],
    ["rpm with epoch", pkg({ type: "rpm", name: "openssl-libs", version: "1:3.0.7-25.el9", arch: "x86_64" }), os("rocky", "9.3"), "pkg:rpm/rocky/openssl-libs@3.0.7-25.el9?arch=x86_64&distro=rocky-9.3&epoch=1"],
    ["rpm without epoch", pkg({ type: "rpm", name: "bash", version: "5.1.8-6.el9" }), os("almalinux", "9.3"), "pkg:rpm/almalinux/bash@5.1.8-6.el9?distro=almalinux-9.3"],
    ["rpm, unknown OS", pkg({ type: "rpm", name: "bash", version: "5.1.8-6.el9" }), null, "pkg:rpm/bash@5.1.8-6.el9"],
    ["npm", pkg({ type: "npm", name: "express", version: "4.18.2" }), debian, "pkg:npm/express@4.18.2"],
    ["npm scoped", pkg({ type: "npm", name: "@babel/core", version: "7.23.0" }), debian, "pkg:npm/%40babel/core@7.23.0"],
    ["npm with a namespace", pkg({ type: "npm", name: "core", namespace: "@babel", version: "7.23.0" }), null, "pkg:npm/%40babel/core@7.23.0"],
    ["pypi", pkg({ type: "pypi", name: "Typing_Extensions", version: "4.8.0" }), debian, "pkg:pypi/typing-extensions@4.8.0"],
    ["golang", pkg({ type: "golang", name: "github.com/google/uuid", version: "v1.4.0" }), null, "pkg:golang/github.com/google/uuid@v1.4.0"],
    ["golang stdlib", pkg({ type: "golang", name: "stdlib", version: "go1.21.5" }), null, "pkg:golang/stdlib@go1.21.5"],
    ["golang, a version that is no semver", pkg({ type: "golang", name: "example.com/m", version: "vbroken" }), null, "pkg:golang/example.com/m@vbroken"],
    ["maven group:artifact", pkg({ type: "maven", name: "org.apache.logging.log4j:log4j-core", version: "2.14.1" }), debian, "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"],
    ["maven with a namespace", pkg({ type: "maven", name: "log4j-core", namespace: "org.apache.logging.log4j", version: "2.14.1" }), null, "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"],
  ])("%s", (_, found, image, expected) => {
    expect(purlOf(found, image)).toBe(expected);
  });
});

describe("packageIdentity", () => {
  it("leaves out what only describes the build, keeps the rpm epoch", () => {
    expect(packageIdentity(pkg({ type: "deb", name: "libc6", version: "2.36-9", arch: "amd64" }), debian)).toBe("pkg:deb/debian/libc6@2.36-9");
    expect(packageIdentity(pkg({ type: "rpm", name: "bash", version: "1:5.1-6", arch: "x86_64" }), os("rhel", "9"))).toBe("pkg:rpm/rhel/bash@5.1-6?epoch=1");
  });

  it("makes spellings of the same package equal", () => {
    const same = (a: FoundPackage, b: FoundPackage) => expect(packageIdentity(a, null)).toBe(packageIdentity(b, null));
    same(pkg({ type: "maven", name: "org.x:y", version: "1" }), pkg({ type: "maven", namespace: "org.x", name: "y", version: "1" }));
    same(pkg({ type: "pypi", name: "PyYAML", version: "6.0" }), pkg({ type: "pypi", name: "pyyaml", version: "6.0" }));
  });
});
