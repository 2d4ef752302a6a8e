import { readFileSync } from "node:fs";
import { fixturePath } from "../../../../test/helpers/fixtures";
import type { FoundPackage } from "../analyzer";
import { fileFromBuffer } from "../test-support/file-content";
import { npmAnalyzer } from "./npm";

const required = (path: string): boolean => npmAnalyzer.required({ path, size: 100, mode: 0o644 });

async function packagesOf(path: string, content: string | Buffer): Promise<FoundPackage[] | undefined> {
  return (await npmAnalyzer.analyze(fileFromBuffer(path, content)))?.packages;
}

const lockfile = (name: string, version: string): FoundPackage => ({ type: "npm", name, version, origin: "lockfile" });

describe("npm analyzer: which files", () => {
  it.each([
    "usr/lib/node_modules/npm/package.json",
    "app/node_modules/accepts/package.json",
    "app/node_modules/@types/node/package.json",
    "app/node_modules/a/node_modules/b/package.json",
    "app/node_modules/.pnpm/lodash@4.17.21/node_modules/lodash/package.json",
    "node_modules/accepts/package.json",
    "app/package-lock.json",
    "package-lock.json",
    "srv/npm-shrinkwrap.json",
    "app/yarn.lock",
  ])("reads %s", (path) => expect(required(path)).toBe(true));

  it.each([
    "app/package.json",
    "app/node_modules/accepts/lib/package.json",
    "app/node_modules/@types/package.json",
    "app/node_modules/.bin/package.json",
    "app/node_modules/.package-lock.json",
    "app/node_modules/some-tool/package-lock.json",
    "app/node_modules/some-tool/yarn.lock",
    "app/my-package-lock.json",
    "app/node_modules/accepts/package.json.bak",
  ])("skips %s", (path) => expect(required(path)).toBe(false));
});

describe("npm analyzer: installed packages", () => {
  it("reads name and version from the package's manifest", async () => {
    const manifest = JSON.stringify({ name: "accepts", description: "Higher-level content negotiation", version: "1.3.8" });
    await expect(packagesOf("app/node_modules/accepts/package.json", manifest)).resolves.toEqual([
      { type: "npm", name: "accepts", version: "1.3.8", origin: "installed" },
    ]);
  });

  it("keeps the scope and the case of the name", async () => {
    const manifest = JSON.stringify({ name: "@Example/Widget", version: "2.0.0-beta.1" });
    await expect(packagesOf("app/node_modules/@Example/Widget/package.json", manifest)).resolves.toEqual([
      { type: "npm", name: "@Example/Widget", version: "2.0.0-beta.1", origin: "installed" },
    ]);
  });

  it("returns null for a manifest without a name or a version", async () => {
    await expect(npmAnalyzer.analyze(fileFromBuffer("node_modules/x/package.json", '{"name":"x"}'))).resolves.toBeNull();
    await expect(npmAnalyzer.analyze(fileFromBuffer("node_modules/x/package.json", '{"version":1}'))).resolves.toBeNull();
  });

  it("throws on a manifest that is not a JSON object", async () => {
    await expect(packagesOf("node_modules/x/package.json", '{"name": "x",')).rejects.toThrow(
      "node_modules/x/package.json is not valid JSON",
    );
    await expect(packagesOf("node_modules/x/package.json", "[1]")).rejects.toThrow("does not hold a JSON object");
    await expect(packagesOf("node_modules/x/package.json", Buffer.from([0x00, 0xff, 0xfe]))).rejects.toThrow(
      "is not valid JSON",
    );
  });
});

describe("npm analyzer: package-lock.json", () => {
  const fixture = fixturePath("pkgdb", "npm", "in-place-npm", "package-lock.json");

  it("reads every package of a real v2 lockfile, without the project itself", async () => {
    const packages = await packagesOf("app/package-lock.json", readFileSync(fixture));
    // 107 entries in `packages`: the project ("") and 106 installed packages, all different.
    expect(packages).toHaveLength(106);
    expect(packages).toEqual(
      expect.arrayContaining([
        lockfile("semver", "4.3.6"),
        lockfile("qs", "6.5.3"),
        lockfile("minimist", "1.2.8"),
        lockfile("npm-registry-client", "6.2.0"),
        // Nested installs: node_modules/npm-package-arg/node_modules/hosted-git-info.
        lockfile("hosted-git-info", "1.6.0"),
      ]),
    );
    expect(packages?.map((found) => found.name)).not.toContain("osv-fix");
  });

  it("reads the v3 packages map: aliases by their real name, links and workspaces skipped, repeats once", async () => {
    const lock = {
      name: "web",
      version: "1.0.0",
      lockfileVersion: 3,
      packages: {
        "": { name: "web", version: "1.0.0", workspaces: ["packages/*"] },
        "node_modules/@babel/core": { version: "7.24.0" },
        "node_modules/string-width-cjs": { name: "string-width", version: "4.2.3" },
        "node_modules/lib-a": { resolved: "packages/lib-a", link: true },
        "packages/lib-a": { name: "lib-a", version: "0.1.0" },
        "node_modules/ws": { version: "8.17.0" },
        "node_modules/engine/node_modules/ws": { version: "8.17.0" },
        "packages/lib-a/node_modules/ws": { version: "7.5.9" },
        "node_modules/broken": "not an object",
        "node_modules/no-version": {},
      },
    };
    await expect(packagesOf("srv/web/package-lock.json", JSON.stringify(lock))).resolves.toEqual([
      lockfile("@babel/core", "7.24.0"),
      lockfile("string-width", "4.2.3"),
      lockfile("ws", "8.17.0"),
      lockfile("ws", "7.5.9"),
    ]);
  });

  it("walks the nested v1 dependencies tree", async () => {
    const lock = {
      name: "legacy",
      lockfileVersion: 1,
      dependencies: {
        express: {
          version: "4.17.1",
          requires: { qs: "6.7.0" },
          dependencies: { qs: { version: "6.7.0", dependencies: { "side-channel": { version: "1.0.4" } } } },
        },
        qs: { version: "6.11.0" },
        "@types/node": { version: "20.11.5", dev: true },
        "string-width-cjs": { version: "npm:string-width@4.2.3" },
        "local-lib": { version: "file:../local-lib" },
        "from-git": { version: "git+https://github.com/example/from-git.git#0123abc" },
        "from-github": { version: "github:example/from-github#semver:^1.0.0" },
      },
    };
    const packages = await packagesOf("app/package-lock.json", JSON.stringify(lock));
    expect(packages).toHaveLength(6);
    expect(packages).toEqual(
      expect.arrayContaining([
        lockfile("express", "4.17.1"),
        lockfile("qs", "6.7.0"),
        lockfile("side-channel", "1.0.4"),
        lockfile("qs", "6.11.0"),
        lockfile("@types/node", "20.11.5"),
        lockfile("string-width", "4.2.3"),
      ]),
    );
  });

  it("walks a deeply nested v1 tree without recursion", async () => {
    const depth = 20_000;
    const opening = Array.from({ length: depth }, (_, level) => `{"pkg-${level}":{"version":"1.0.0","dependencies":`);
    const lock = `{"lockfileVersion":1,"dependencies":${opening.join("")}{}${"}}".repeat(depth)}}`;
    await expect(packagesOf("package-lock.json", lock)).resolves.toHaveLength(depth);
  });

  it("reports nothing for a lockfile without dependencies", async () => {
    await expect(packagesOf("package-lock.json", '{"name":"x","lockfileVersion":1}')).resolves.toEqual([]);
  });

  it("throws on a lockfile that is not JSON", async () => {
    await expect(packagesOf("app/package-lock.json", "<<<<<<< HEAD\n{}")).rejects.toThrow(
      "app/package-lock.json is not valid JSON",
    );
  });
});

describe("npm analyzer: yarn.lock", () => {
  it("reads a yarn 1 lockfile", async () => {
    const yarnLock = [
      "# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.",
      "# yarn lockfile v1",
      "",
      "",
      '"@babel/code-frame@^7.0.0", "@babel/code-frame@^7.10.4":',
      '  version "7.12.13"',
      '  resolved "https://registry.yarnpkg.com/@babel/code-frame/-/code-frame-7.12.13.tgz#dcfc826beef65e75c50e21d3837d7d95798dd658"',
      "  integrity sha512-HV1Cm0Q3ZrpCR93tkWOYiuYIgLxZXZFVG2VgK+MBWjUqZTundupbfx2aXarXuw5Ko5aMcjtJgbSs4vUGBS5v6g==",
      "  dependencies:",
      '    "@babel/highlight" "^7.12.13"',
      '    version "^1.0.0"',
      "",
      "abbrev@1:",
      '  version "1.1.1"',
      "",
      '"string-width-cjs@npm:string-width@^4.2.0":',
      '  version "4.2.3"',
      "",
      '"local@file:../local":',
      '  version "0.0.1"',
      "",
    ].join("\n");
    await expect(packagesOf("app/yarn.lock", yarnLock)).resolves.toEqual([
      lockfile("@babel/code-frame", "7.12.13"),
      lockfile("abbrev", "1.1.1"),
      lockfile("string-width", "4.2.3"),
    ]);
  });

  it("returns null for a yarn 2+ lockfile", async () => {
    const berry = '__metadata:\n  version: 6\n\n"abbrev@npm:1":\n  version: 1.1.1\n';
    await expect(npmAnalyzer.analyze(fileFromBuffer("app/yarn.lock", berry))).resolves.toBeNull();
  });
});
