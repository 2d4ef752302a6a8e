import { artifactTags, isProxyCache, missingPermissions, REQUIRED_PERMISSIONS, repositoryPath, roleOf } from "./mapping";

describe("repositoryPath", () => {
  test("encodes the part after the project twice", () => {
    expect(repositoryPath("team/api")).toBe("projects/team/repositories/api");
    expect(repositoryPath("team/tools/cli")).toBe("projects/team/repositories/tools%252Fcli");
  });

  test("refuses a name without a project", () => {
    expect(() => repositoryPath("api")).toThrow(/not a Harbor repository name/);
    expect(() => repositoryPath("team/")).toThrow(/not a Harbor repository name/);
  });
});

describe("roleOf", () => {
  test("a member role, or null for robots and public projects", () => {
    expect(roleOf({ project_id: 1, name: "a", current_user_role_id: 5 })).toBe(5);
    expect(roleOf({ project_id: 1, name: "a", current_user_role_id: 0, current_user_role_ids: [3] })).toBe(3);
    expect(roleOf({ project_id: 1, name: "a", current_user_role_id: 0 })).toBeNull();
    expect(roleOf({ project_id: 1, name: "a" })).toBeNull();
  });
});

test("isProxyCache: a project with a registry_id", () => {
  expect(isProxyCache({ project_id: 1, name: "hub", registry_id: 4 })).toBe(true);
  expect(isProxyCache({ project_id: 1, name: "team", registry_id: null })).toBe(false);
  expect(isProxyCache({ project_id: 1, name: "team" })).toBe(false);
});

test("missingPermissions names each required pair that is absent", () => {
  const all = REQUIRED_PERMISSIONS.map((p) => ({ resource: p.split(":")[0], action: p.split(":")[1] }));
  expect(missingPermissions(all)).toEqual([]);
  expect(missingPermissions(all.filter((p) => p.action !== "pull"))).toEqual(["repository:pull"]);
  expect(missingPermissions([])).toEqual(REQUIRED_PERMISSIONS);
  expect(missingPermissions([{ resource: "repository", action: "*" }, { resource: "artifact", action: "*" }, { resource: "tag", action: "list" }])).toEqual([]);
});

describe("artifactTags", () => {
  const base = { digest: "sha256:aa", push_time: "2024-03-01T08:00:00.000Z", tags: [{ name: "1.0" }, { name: "latest" }] };

  test("one tag per tag name, created from extra_attrs and pushed from push_time", () => {
    expect(artifactTags("team/api", { ...base, type: "IMAGE", extra_attrs: { created: "2024-02-29T23:59:00Z" } })).toEqual([
      { repository: "team/api", tag: "1.0", digest: "sha256:aa", createdAt: new Date("2024-02-29T23:59:00Z"), pushedAt: new Date("2024-03-01T08:00:00Z") },
      { repository: "team/api", tag: "latest", digest: "sha256:aa", createdAt: new Date("2024-02-29T23:59:00Z"), pushedAt: new Date("2024-03-01T08:00:00Z") },
    ]);
  });

  test("a build date before 1980 counts as missing; Go's zero time is no push date", () => {
    const [tag] = artifactTags("team/api", { ...base, extra_attrs: { created: "1970-01-01T00:00:00Z" }, push_time: "0001-01-01T00:00:00Z" });
    expect(tag.createdAt).toBeNull();
    expect(tag.pushedAt).toBeNull();
  });

  test("an index has no date of its own; untagged and non-image artifacts list nothing", () => {
    const [tag] = artifactTags("team/api", { ...base, manifest_media_type: "application/vnd.oci.image.index.v1+json", extra_attrs: {} });
    expect(tag.createdAt).toBeNull();
    expect(artifactTags("team/api", { ...base, tags: null })).toEqual([]);
    expect(artifactTags("team/api", { ...base, type: "CHART" })).toEqual([]);
  });
});
