import { RegistryError } from "../../errors";
import { encodePath, listedRepository, splitCanonical, tagFromFileInfo } from "./mapping";
import { failedProbe, rightsCheck } from "./rights";

const sha = "a".repeat(64);

test("a tag's digest and dates come from its manifest file's storage info", () => {
  expect(
    tagFromFileInfo("docker-local/team/api", "1.0", {
      created: "2024-03-01T08:00:00.000Z",
      lastModified: "2024-03-05T09:30:00.000+02:00",
      checksums: { sha256: sha.toUpperCase() },
    }),
  ).toEqual({
    repository: "docker-local/team/api",
    tag: "1.0",
    digest: `sha256:${sha}`,
    createdAt: new Date("2024-03-01T08:00:00.000Z"),
    pushedAt: new Date("2024-03-05T07:30:00.000Z"),
  });
});

test("a created date before 1980 counts as missing; a missing file or checksum gives nulls", () => {
  const old = tagFromFileInfo("k/a", "t", { created: "1970-01-01T00:00:00.000Z", lastModified: "2024-01-01T00:00:00.000Z", checksums: { sha256: "not-hex" } });
  expect(old).toMatchObject({ digest: null, createdAt: null, pushedAt: new Date("2024-01-01T00:00:00.000Z") });
  expect(tagFromFileInfo("k/a", "t", null)).toEqual({ repository: "k/a", tag: "t", digest: null, createdAt: null, pushedAt: null });
});

test("local repositories are in scope; remote, virtual and federated ones are skipped with the reason", () => {
  expect(listedRepository({ key: "docker-local", type: "LOCAL" })).toBeNull();
  expect(listedRepository({ key: "hub", type: "REMOTE" })).toEqual({ repository: "hub", skipped: expect.stringMatching(/^remote repository/) });
  expect(listedRepository({ key: "all", type: "VIRTUAL" })?.skipped).toMatch(/^virtual repository/);
  expect(listedRepository({ key: "fed", type: "FEDERATED" })?.skipped).toMatch(/^federated repository/);
});

test("canonical names split at the repository key; paths keep their slashes", () => {
  expect(splitCanonical("docker-local/team/api")).toEqual({ key: "docker-local", image: "team/api" });
  expect(splitCanonical("docker-local")).toBeNull();
  expect(splitCanonical("/api")).toBeNull();
  expect(encodePath("team/a b")).toBe("team/a%20b");
});

test("the rights check is 'not verifiable' when the probes pass, and names the repositories lacking read", () => {
  const passed = rightsCheck([{ key: "docker-local", browse: { ok: true, detail: "" }, read: { ok: true, detail: "team/api:1.0" } }]);
  expect(passed).toEqual({ name: "minimum rights", ok: true, message: expect.stringContaining("not verifiable") });
  expect(passed.message).toContain("docker-local: browse ok, read ok (team/api:1.0)");

  const denied = failedProbe(new RegistryError("REGISTRY_FORBIDDEN", "no", { status: 403 }));
  const failed = rightsCheck(
    [
      { key: "docker-local", browse: { ok: true, detail: "" }, read: { ok: true, detail: "a:1" } },
      { key: "docker-dev", browse: denied, read: null },
    ],
    3,
  );
  expect(failed.ok).toBe(false);
  expect(failed.message).toMatch(/^the account lacks read on docker-dev: /);
  expect(failed.message).toContain("docker-dev: browse denied (403)");
  expect(failed.message).toContain("3 more not probed");
  expect(() => failedProbe(new Error("bug"))).toThrow("bug");
});
