import { normalisePath, resolveSymlink, selfAndAncestors } from "./paths";
import { whiteoutOf } from "./whiteouts";

describe("normalisePath", () => {
  it.each([
    ["./etc/os-release", "etc/os-release", false],
    ["etc//apt/./sources.list", "etc/apt/sources.list", false],
    ["usr/lib/", "usr/lib", false],
    ["usr/share/../lib", "usr/lib", false],
    ["./", "", false],
    ["/etc/passwd", "etc/passwd", true],
    ["../../etc/passwd", "etc/passwd", true],
    ["a/../../b", "b", true],
    ["/", "", true],
  ])("%s → %s (confined: %s)", (raw, path, confined) => {
    expect(normalisePath(raw)).toEqual({ path, confined });
  });
});

describe("resolveSymlink", () => {
  it.each([
    ["etc/os-release", "../usr/lib/os-release", "usr/lib/os-release"],
    ["etc/os-release", "/usr/lib/os-release", "usr/lib/os-release"],
    ["etc/os-release", "os-release.d/debian", "etc/os-release.d/debian"],
    ["os-release", "../../../../etc/passwd", "etc/passwd"],
    ["etc/a", "./b", "etc/b"],
  ])("%s → %s is %s", (link, target, resolved) => {
    expect(resolveSymlink(link, target)).toBe(resolved);
  });
});

describe("selfAndAncestors", () => {
  it("goes up to the root", () => {
    expect([...selfAndAncestors("usr/lib/os-release")]).toEqual(["usr/lib/os-release", "usr/lib", "usr", ""]);
    expect([...selfAndAncestors("")]).toEqual([""]);
  });
});

describe("whiteoutOf", () => {
  it.each([
    ["etc/.wh.passwd", { kind: "whiteout", path: "etc/passwd" }],
    [".wh.opt", { kind: "whiteout", path: "opt" }],
    ["var/lib/dpkg/.wh..wh..opq", { kind: "opaque", dir: "var/lib/dpkg" }],
    [".wh..wh..opq", { kind: "opaque", dir: "" }],
    ["etc/passwd", null],
    ["etc/x.wh.y", null],
    [".wh.", null],
    ["etc/.wh..", null],
    ["etc/.wh...", null],
  ])("%s", (path, expected) => {
    expect(whiteoutOf(path)).toEqual(expected);
  });
});
