import { nextPage } from "./gitlab-api";
import { listedRepository, listedTag } from "./mapping";

const DIGEST = `sha256:${"a".repeat(64)}`;

describe("listedTag", () => {
  test("createdAt is the detail's created_at, pushedAt is never set, the digest is kept", () => {
    expect(listedTag("grp/app", { name: "1.0", digest: DIGEST, created_at: "2019-01-06T16:49:51.272+00:00" })).toEqual({
      repository: "grp/app",
      tag: "1.0",
      digest: DIGEST,
      createdAt: new Date("2019-01-06T16:49:51.272Z"),
      pushedAt: null,
    });
  });

  test("a date before 1980, a missing or unparsable one, counts as missing", () => {
    const gitLabDate = (created_at: string | null) => listedTag("grp/app", { name: "1.0", digest: DIGEST, created_at }).createdAt;
    expect(gitLabDate("1970-01-01T00:00:00Z")).toBeNull();
    expect(gitLabDate("1979-12-31T23:59:59.999Z")).toBeNull();
    expect(gitLabDate("1980-01-01T00:00:00Z")).toEqual(new Date("1980-01-01T00:00:00Z"));
    expect(gitLabDate(null)).toBeNull();
    expect(gitLabDate("yesterday")).toBeNull();
  });

  test("a digest that is not a sha256 digest is dropped (the tag is resolved by name instead)", () => {
    expect(listedTag("grp/app", { name: "1.0", digest: "e9ed9d87c" }).digest).toBeNull();
  });
});

describe("listedRepository", () => {
  test("named by path; repositories being deleted are skipped with their status", () => {
    expect(listedRepository({ id: 1, path: "grp/proj", project_id: 9, status: null })).toEqual({ repository: "grp/proj" });
    expect(listedRepository({ id: 2, path: "grp/proj/old", project_id: 9, status: "delete_ongoing" })).toEqual({
      repository: "grp/proj/old",
      skipped: "GitLab is deleting this repository (status delete_ongoing)",
    });
    expect(listedRepository({ id: 3, path: "grp/proj/x", project_id: 9, status: "delete_failed" })).toEqual({ repository: "grp/proj/x" });
  });
});

describe("nextPage", () => {
  const current = new URL("https://gitlab.example.test/api/v4/projects?min_access_level=20&per_page=100&page=1");

  test("follows X-Next-Page, keeping the other parameters", () => {
    expect(nextPage({ "x-next-page": "2" }, current)?.href).toBe("https://gitlab.example.test/api/v4/projects?min_access_level=20&per_page=100&page=2");
  });

  test("an empty, missing or malformed X-Next-Page ends the listing", () => {
    expect(nextPage({ "x-next-page": "" }, current)).toBeUndefined();
    expect(nextPage({}, current)).toBeUndefined();
    expect(nextPage({ "x-next-page": "two" }, current)).toBeUndefined();
  });
});
