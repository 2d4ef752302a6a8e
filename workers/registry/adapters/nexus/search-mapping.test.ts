import { imageOf, scopeOf, tagOf } from "./search-mapping";

const hex = "a".repeat(64);
const component = (overrides: Record<string, unknown> = {}, asset: Record<string, unknown> = {}) => ({
  repository: "docker-hosted",
  format: "docker",
  name: "team/api",
  version: "1.0",
  assets: [
    { path: "v2/-/blobs/sha256:" + "b".repeat(64), checksum: { sha256: "b".repeat(64) }, blobCreated: "2020-01-01T00:00:00.000+00:00" },
    {
      path: "v2/team/api/manifests/1.0",
      checksum: { sha256: hex },
      blobCreated: "2024-03-01T08:00:00.000+00:00",
      lastModified: "2024-05-01T08:00:00.000+00:00",
      ...asset,
    },
  ],
  ...overrides,
});

describe("scopeOf", () => {
  test("hosted Docker repositories are in scope, proxy and group ones skipped with the reason, other formats left out", () => {
    expect(scopeOf({ name: "docker-hosted", format: "docker", type: "hosted" })).toEqual({ repository: "docker-hosted" });
    expect(scopeOf({ name: "hub", format: "docker", type: "proxy" })).toEqual({
      repository: "hub",
      skipped: "a proxy repository: only hosted Docker repositories are integrated",
    });
    expect(scopeOf({ name: "all", format: "docker", type: "group" })?.skipped).toMatch(/^a group repository/);
    expect(scopeOf({ name: "maven-releases", format: "maven2", type: "hosted" })).toBeNull();
  });
});

describe("tagOf", () => {
  test("canonical name, digest from the manifest asset's sha256, pushedAt from its blobCreated, no createdAt", () => {
    expect(tagOf("docker-hosted", component())).toEqual({
      repository: "docker-hosted/team/api",
      tag: "1.0",
      digest: `sha256:${hex}`,
      createdAt: null,
      pushedAt: new Date("2024-03-01T08:00:00.000Z"),
    });
  });

  test("lastModified stands in for a missing blobCreated; bad values give null, not a wrong date or digest", () => {
    expect(tagOf("docker-hosted", component({}, { blobCreated: null }))?.pushedAt).toEqual(new Date("2024-05-01T08:00:00.000Z"));
    const bad = tagOf("docker-hosted", component({}, { blobCreated: "yesterday", lastModified: undefined, checksum: { sha256: "xyz" } }));
    expect(bad).toMatchObject({ digest: null, pushedAt: null });
  });

  test("items that are not Docker image tags are dropped", () => {
    expect(tagOf("docker-hosted", component({ version: "" }))).toBeNull();
    expect(tagOf("docker-hosted", component({ name: undefined }))).toBeNull();
    expect(tagOf("docker-hosted", component({ format: "maven2" }))).toBeNull();
  });
});

test("imageOf strips exactly the repository key", () => {
  expect(imageOf("docker-hosted", "docker-hosted/team/api")).toBe("team/api");
  expect(imageOf("docker", "docker-hosted/team/api")).toBeNull();
  expect(imageOf("docker-hosted", "docker-hosted/")).toBeNull();
});
