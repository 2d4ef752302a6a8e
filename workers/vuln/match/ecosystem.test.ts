import type { PackageType } from "../../scan/analyzers/analyzer";
import { type EcosystemResolution, type MatchPackage, type OsIdentity, advisoryCoordinates, ecosystemOf } from "./ecosystem";

const os = (id: string, versionId: string | null, prettyName?: string): OsIdentity => ({ id, versionId, prettyName });

describe("ecosystemOf", () => {
  it.each<[string, OsIdentity, PackageType, string]>([
    ["Debian 12", os("debian", "12"), "deb", "Debian:12"],
    ["Debian 9", os("debian", "9"), "deb", "Debian:9"],
    ["a Debian VERSION_ID with a point release", os("debian", "12.4"), "deb", "Debian:12"],
    ["Ubuntu 20.04 LTS", os("ubuntu", "20.04"), "deb", "Ubuntu:20.04:LTS"],
    ["Ubuntu 22.04 LTS", os("ubuntu", "22.04"), "deb", "Ubuntu:22.04:LTS"],
    ["Ubuntu 24.04 LTS", os("ubuntu", "24.04"), "deb", "Ubuntu:24.04:LTS"],
    ["Ubuntu 23.10 (interim)", os("ubuntu", "23.10"), "deb", "Ubuntu:23.10"],
    ["Ubuntu 21.04 (odd year)", os("ubuntu", "21.04"), "deb", "Ubuntu:21.04"],
    ["Ubuntu 24.10 (October)", os("ubuntu", "24.10"), "deb", "Ubuntu:24.10"],
    ["Alpine 3.18.1", os("alpine", "3.18.1"), "apk", "Alpine:v3.18"],
    ["Alpine 3.16", os("alpine", "3.16"), "apk", "Alpine:v3.16"],
    ["an Alpine pre-release", os("alpine", "3.21_alpha20240807"), "apk", "Alpine:v3.21"],
    ["AlmaLinux 9.3", os("almalinux", "9.3"), "rpm", "AlmaLinux:9"],
    ["Rocky Linux 8.10", os("rocky", "8.10"), "rpm", "Rocky Linux:8"],
    ["npm, whatever the OS", os("alpine", "3.18.1"), "npm", "npm"],
    ["PyPI, without an OS", null as unknown as OsIdentity, "pypi", "PyPI"],
    ["Maven", os("debian", "12"), "maven", "Maven"],
    ["Go", os("fedora", "40"), "golang", "Go"],
  ])("%s", (_title, identity, type, ecosystem) => {
    expect(ecosystemOf(identity, type)).toEqual({ ecosystem });
  });

  it.each<[string, OsIdentity | null, PackageType, string]>([
    ["Fedora rpm packages", os("fedora", "40", "Fedora Linux 40 (Container Image)"), "rpm", "rpm packages of Fedora Linux 40 (Container Image) are inventory only: no OSV ecosystem"],
    ["RHEL rpm packages", os("rhel", "9.4", "Red Hat Enterprise Linux 9.4 (Plow)"), "rpm", "rpm packages of Red Hat Enterprise Linux 9.4 (Plow) are inventory only: no OSV ecosystem"],
    ["Amazon Linux, named by ID without PRETTY_NAME", os("amzn", "2023"), "rpm", "rpm packages of amzn are inventory only: no OSV ecosystem"],
    ["CentOS", os("centos", "7", "CentOS Linux 7 (Core)"), "rpm", "rpm packages of CentOS Linux 7 (Core) are inventory only: no OSV ecosystem"],
    ["Oracle Linux", os("ol", "9.3", "Oracle Linux Server 9.3"), "rpm", "rpm packages of Oracle Linux Server 9.3 are inventory only: no OSV ecosystem"],
    ["another distribution's deb packages", os("linuxmint", "21.3", "Linux Mint 21.3"), "deb", "deb packages of Linux Mint 21.3 are inventory only: no OSV ecosystem"],
    ["deb packages on Alpine", os("alpine", "3.18.1", "Alpine Linux v3.18"), "deb", "deb packages of Alpine Linux v3.18 are inventory only: its advisories cover apk packages"],
    ["apk packages on Debian", os("debian", "12", "Debian GNU/Linux 12 (bookworm)"), "apk", "apk packages of Debian GNU/Linux 12 (bookworm) are inventory only: its advisories cover deb packages"],
    ["Debian testing (no VERSION_ID)", os("debian", null, "Debian GNU/Linux trixie/sid"), "deb", 'deb packages of Debian GNU/Linux trixie/sid are inventory only: no OSV ecosystem for VERSION_ID null'],
    ["an Ubuntu VERSION_ID of another shape", os("ubuntu", "22"), "deb", 'deb packages of ubuntu are inventory only: no OSV ecosystem for VERSION_ID "22"'],
    ["an Alpine VERSION_ID without a minor", os("alpine", "edge"), "apk", 'apk packages of alpine are inventory only: no OSV ecosystem for VERSION_ID "edge"'],
    ["an image without os-release", null, "deb", "deb packages are inventory only: the image has no os-release"],
    ["an ID that is an Object.prototype key", os("constructor", "1"), "rpm", "rpm packages of constructor are inventory only: no OSV ecosystem"],
  ])("has no ecosystem for %s, and says why", (_title, identity, type, reason) => {
    expect(ecosystemOf(identity, type)).toEqual<EcosystemResolution>({ ecosystem: null, reason });
  });
});

describe("advisoryCoordinates", () => {
  const pkg = (type: PackageType, name: string, version: string, source: Partial<MatchPackage> = {}): MatchPackage => ({ type, name, version, ...source });

  it.each<[string, MatchPackage, { name: string; version: string }]>([
    ["a deb binary by its source", pkg("deb", "libssl3", "3.0.15-1~deb12u1", { sourceName: "openssl" }), { name: "openssl", version: "3.0.15-1~deb12u1" }],
    ["a binNMU by its source version", pkg("deb", "bash", "5.2.15-2+b7", { sourceName: "bash", sourceVersion: "5.2.15-2" }), { name: "bash", version: "5.2.15-2" }],
    ["a deb whose source is itself", pkg("deb", "dpkg", "1.21.22"), { name: "dpkg", version: "1.21.22" }],
    ["a null source", pkg("deb", "tzdata", "2024b-0+deb12u1", { sourceName: null, sourceVersion: null }), { name: "tzdata", version: "2024b-0+deb12u1" }],
    ["an apk by its origin, at the binary's version", pkg("apk", "libcrypto3", "3.1.0-r4", { sourceName: "openssl" }), { name: "openssl", version: "3.1.0-r4" }],
    ["an rpm by its source rpm", pkg("rpm", "openssl-libs", "1:3.0.7-27.el9", { sourceName: "openssl" }), { name: "openssl", version: "1:3.0.7-27.el9" }],
    ["an rpm with its own source version", pkg("rpm", "python3-perf", "5.14.0-1", { sourceName: "kernel", sourceVersion: "5.14.0-2" }), { name: "kernel", version: "5.14.0-2" }],
    ["an npm package as it is", pkg("npm", "@babel/core", "7.0.0"), { name: "@babel/core", version: "7.0.0" }],
    ["a PyPI package as it is (normalised later)", pkg("pypi", "Jinja2", "3.1.2"), { name: "Jinja2", version: "3.1.2" }],
  ])("looks up %s", (_title, input, coordinates) => {
    expect(advisoryCoordinates(input)).toEqual(coordinates);
  });
});
