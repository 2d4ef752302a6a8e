import type { OsRelease } from "../analyzer";
import { fileFromBuffer } from "../test-support/file-content";
import { osReleaseAnalyzer, parseOsRelease } from "./os-release";
import { pkgdbFile } from "./test-support/pkgdb-file";

function os(fields: Partial<OsRelease> & { id: string }): OsRelease {
  return { versionId: null, prettyName: null, versionCodename: null, idLike: [], ...fields };
}

describe("parseOsRelease", () => {
  it.each<[string, string, OsRelease | null]>([
    ["unquoted values", "ID=fedora\nVERSION_ID=40\n", os({ id: "fedora", versionId: "40" })],
    ["double quotes", 'ID="rocky"\nVERSION_ID="9.3"\n', os({ id: "rocky", versionId: "9.3" })],
    ["single quotes", "ID='almalinux'\nPRETTY_NAME='AlmaLinux 9.4 (Seafoam Ocelot)'", os({ id: "almalinux", prettyName: "AlmaLinux 9.4 (Seafoam Ocelot)" })],
    ["an escaped quote in double quotes", 'ID=x\nPRETTY_NAME="The \\"Best\\" OS"', os({ id: "x", prettyName: 'The "Best" OS' })],
    ["escaped $, ` and \\ in double quotes", 'ID=x\nPRETTY_NAME="\\$HOME \\` \\\\"', os({ id: "x", prettyName: "$HOME ` \\" })],
    ["other backslashes kept in double quotes", 'ID=x\nPRETTY_NAME="a\\nb"', os({ id: "x", prettyName: "a\\nb" })],
    ["backslashes literal in single quotes", "ID=x\nPRETTY_NAME='a\\\"b'", os({ id: "x", prettyName: 'a\\"b' })],
    ["an escaped space unquoted", "ID=x\nPRETTY_NAME=My\\ OS", os({ id: "x", prettyName: "My OS" })],
    ["concatenated quoted parts", "ID=x\nPRETTY_NAME=\"a b\"'c d'e", os({ id: "x", prettyName: "a bc de" })],
    ["an unterminated quote running to the line end", 'ID=x\nPRETTY_NAME="Broken\nVERSION_ID=1', os({ id: "x", prettyName: "Broken", versionId: "1" })],
    ["comments and blank lines", "# comment\n\n  # indented comment\nID=x\n\n#VERSION_ID=9\n", os({ id: "x" })],
    ["CRLF line endings", "ID=debian\r\nVERSION_ID=\"11\"\r\n", os({ id: "debian", versionId: "11" })],
    ["no trailing newline", "VERSION_CODENAME=bookworm\nID=debian", os({ id: "debian", versionCodename: "bookworm" })],
    ["an upper-case ID, lower-cased", "ID=Ubuntu", os({ id: "ubuntu" })],
    ["ID_LIKE split on spaces", 'ID=rocky\nID_LIKE="rhel  centos fedora"', os({ id: "rocky", idLike: ["rhel", "centos", "fedora"] })],
    ["ID_LIKE lower-cased", "ID=x\nID_LIKE=Debian", os({ id: "x", idLike: ["debian"] })],
    ["an empty ID_LIKE", 'ID=x\nID_LIKE=""', os({ id: "x" })],
    ["no VERSION_ID (Debian testing)", 'PRETTY_NAME="Debian GNU/Linux trixie/sid"\nID=debian', os({ id: "debian", prettyName: "Debian GNU/Linux trixie/sid" })],
    ["an empty VERSION_ID", 'ID=x\nVERSION_ID=""', os({ id: "x" })],
    ["the last assignment of a key", "ID=first\nID=second", os({ id: "second" })],
    ["indentation and spaces around =", "  ID = arch\n", os({ id: "arch" })],
    ["lines that assign nothing", "garbage\n=x\n1ID=no\nID=x\nexport VERSION_ID=1", os({ id: "x" })],
    ["a value with = in it", 'ID=x\nPRETTY_NAME="a=b"', os({ id: "x", prettyName: "a=b" })],
    ["UTF-8", 'ID=x\nPRETTY_NAME="Ünïcode ✓"', os({ id: "x", prettyName: "Ünïcode ✓" })],
    ["no ID", 'NAME="Something"\nVERSION_ID=1\n', null],
    ["an empty ID", 'ID=""\n', null],
    ["a commented-out ID", "#ID=debian\n", null],
    ["an empty file", "", null],
  ])("reads %s", (_case, text, expected) => {
    expect(parseOsRelease(text)).toEqual(expected);
  });
});

describe("osReleaseAnalyzer", () => {
  it.each([
    ["etc/os-release", true],
    ["usr/lib/os-release", true],
    ["etc/os-release.bak", false],
    ["etc/lsb-release", false],
    ["usr/local/etc/os-release", false],
    ["lib/os-release", false],
    ["/etc/os-release", false],
  ])("requires %s: %s", (path, required) => {
    expect(osReleaseAnalyzer.required({ path, size: 100, mode: 0o644 })).toBe(required);
  });

  it.each<[string, OsRelease]>([
    [
      "debian-12",
      { id: "debian", versionId: "12", prettyName: "Debian GNU/Linux 12 (bookworm)", versionCodename: "bookworm", idLike: [] },
    ],
    [
      "ubuntu-20.04",
      { id: "ubuntu", versionId: "20.04", prettyName: "Ubuntu 20.04 LTS", versionCodename: "focal", idLike: ["debian"] },
    ],
    ["alpine-3.18", { id: "alpine", versionId: "3.18.1", prettyName: "Alpine Linux v3.18", versionCodename: null, idLike: [] }],
  ])("reads the %s os-release", async (image, expected) => {
    await expect(osReleaseAnalyzer.analyze(pkgdbFile(image, "etc/os-release"))).resolves.toEqual({ packages: [], os: expected });
  });

  it("reads usr/lib/os-release the same way", async () => {
    const file = fileFromBuffer("usr/lib/os-release", 'ID=fedora\nVERSION_ID=40\nVERSION_CODENAME=""\n');
    await expect(osReleaseAnalyzer.analyze(file)).resolves.toEqual({ packages: [], os: os({ id: "fedora", versionId: "40" }) });
  });

  it("returns null for a file without an ID", async () => {
    await expect(osReleaseAnalyzer.analyze(fileFromBuffer("etc/os-release", "NAME=nothing\n"))).resolves.toBeNull();
  });

  it("returns null for binary junk", async () => {
    await expect(osReleaseAnalyzer.analyze(fileFromBuffer("etc/os-release", Buffer.from([0, 255, 1, 10, 13])))).resolves.toBeNull();
  });
});
