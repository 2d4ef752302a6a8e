import { readFileSync } from "node:fs";
import { fixturePath } from "../../../../test/helpers/fixtures";
import { fileFromBuffer } from "../test-support/file-content";
import { pythonAnalyzer } from "./python";

const required = (path: string): boolean => pythonAnalyzer.required({ path, size: 100, mode: 0o644 });

function analyze(path: string, content: string | Buffer) {
  return pythonAnalyzer.analyze(fileFromBuffer(path, content));
}

describe("python analyzer", () => {
  it.each([
    "usr/lib/python3/dist-packages/requests-2.28.1.dist-info/METADATA",
    "usr/local/lib/python3.12/site-packages/Pygments-2.6.1.dist-info/METADATA",
    "usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO",
    "usr/lib/python3/dist-packages/pyxdg-0.28.egg-info",
  ])("reads %s", (path) => expect(required(path)).toBe(true));

  it.each([
    "usr/lib/python3/dist-packages/requests-2.28.1.dist-info/RECORD",
    "usr/lib/python3/dist-packages/requests-2.28.1.dist-info/METADATA.bak",
    "usr/lib/python3/dist-packages/six-1.16.0.egg-info/SOURCES.txt",
    "srv/METADATA",
    "srv/.egg-info",
  ])("skips %s", (path) => expect(required(path)).toBe(false));

  it("reads a real wheel METADATA", async () => {
    const path = "usr/local/lib/python3.8/site-packages/Pygments-2.6.1.dist-info/METADATA";
    const content = readFileSync(fixturePath("pkgdb", "python", "site-packages", "Pygments-2.6.1.dist-info", "METADATA"));
    await expect(analyze(path, content)).resolves.toEqual({
      packages: [{ type: "pypi", name: "Pygments", version: "2.6.1", origin: "installed" }],
    });
  });

  it("reads only the header block: the long description after it is free text", async () => {
    const pkgInfo = [
      "Metadata-Version: 1.1",
      "name: PyYAML",
      "VERSION: 5.3.1",
      "License: MIT",
      "        with a continuation line",
      "Name: ignored-repeat",
      "",
      "Name: not-a-header",
      "Version: 0.0.0",
      "not a header line either",
    ].join("\r\n");
    await expect(analyze("usr/lib/python3/dist-packages/PyYAML-5.3.1.egg-info", pkgInfo)).resolves.toEqual({
      packages: [{ type: "pypi", name: "PyYAML", version: "5.3.1", origin: "installed" }],
    });
  });

  it("returns null when Name or Version is missing", async () => {
    const path = "x-1.0.dist-info/METADATA";
    await expect(analyze(path, "Metadata-Version: 2.1\nName: x\n\nVersion: 1.0\n")).resolves.toBeNull();
    await expect(analyze(path, "")).resolves.toBeNull();
  });

  it("throws on content that is not a header block", async () => {
    const garbage = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x0a, 0x4e, 0x3a, 0x0a]);
    await expect(analyze("x-1.0.dist-info/METADATA", garbage)).rejects.toThrow(
      'header line 1 is not a "Field: value" line',
    );
  });
});
