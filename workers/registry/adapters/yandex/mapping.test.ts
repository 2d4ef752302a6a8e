import { canonicalName, listedTags, registryIdOf, wireName } from "./mapping";

test("the registry id is the URL's one path segment", () => {
  expect(registryIdOf("https://cr.yandex/crp0abc")).toBe("crp0abc");
  expect(registryIdOf("http://127.0.0.1:5000/crp0abc/")).toBe("crp0abc");
  expect(() => registryIdOf("https://cr.yandex")).toThrow(/registry id/);
  expect(() => registryIdOf("https://cr.yandex/crp0abc/team")).toThrow(/registry id/);
});

test("canonical names drop the registry id; names of another registry are not ours", () => {
  expect(canonicalName("crp0abc", "crp0abc/team/api")).toBe("team/api");
  expect(canonicalName("crp0abc", "crp0abcd/team/api")).toBeNull();
  expect(canonicalName("crp0abc", "crp0abc/")).toBeNull();
  expect(wireName("crp0abc", "team/api")).toBe("crp0abc/team/api");
});

test("one listed tag per tag of each image, dated by the image's createdAt, untagged images left out", () => {
  const tags = listedTags("team/api", [
    { name: "crp0abc/team/api", digest: "sha256:aa", tags: ["1.0", "latest"], createdAt: "2024-03-01T08:00:00Z" },
    { name: "crp0abc/team/api", digest: "sha256:bb", tags: [], createdAt: "2024-02-01T08:00:00Z" },
    { name: "crp0abc/team/api", digest: "sha256:cc", createdAt: "2024-01-01T08:00:00Z" },
    { name: "crp0abc/team/api", digest: "sha256:dd", tags: ["0.9"] },
  ]);
  expect(tags).toEqual([
    { repository: "team/api", tag: "1.0", digest: "sha256:aa", createdAt: new Date("2024-03-01T08:00:00Z"), pushedAt: null },
    { repository: "team/api", tag: "latest", digest: "sha256:aa", createdAt: new Date("2024-03-01T08:00:00Z"), pushedAt: null },
    { repository: "team/api", tag: "0.9", digest: "sha256:dd", createdAt: null, pushedAt: null },
  ]);
});

test("a tag on two images (a push racing the listing) keeps the newer image", () => {
  const tags = listedTags("a", [
    { name: "r/a", digest: "sha256:new", tags: ["x"], createdAt: "2024-05-01T00:00:00Z" },
    { name: "r/a", digest: "sha256:old", tags: ["x"], createdAt: "2024-04-01T00:00:00Z" },
  ]);
  expect(tags.map((t) => t.digest)).toEqual(["sha256:new"]);
});
