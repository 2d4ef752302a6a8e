import { listedTag, resolvedFromListing } from "./hub-tags";

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const indexTag = {
  name: "1.0",
  digest: digest("a"),
  tag_last_pushed: "2024-03-01T08:00:00.000000Z",
  images: [
    { architecture: "arm64", os: "linux", variant: "v8", digest: digest("b") },
    { architecture: "amd64", os: "linux", variant: null, digest: digest("c") },
    { architecture: "unknown", os: "unknown", variant: null, digest: digest("d") },
  ],
};

test("a listed tag: the Hub's digest, no createdAt (no config fetch), tag_last_pushed as pushedAt", () => {
  expect(listedTag("acme/api", indexTag)).toEqual({ repository: "acme/api", tag: "1.0", digest: digest("a"), createdAt: null, pushedAt: new Date("2024-03-01T08:00:00Z") });
  expect(listedTag("acme/api", { name: "x", digest: "md5:1", tag_last_pushed: null })).toEqual({ repository: "acme/api", tag: "x", digest: null, createdAt: null, pushedAt: null });
});

test("the wanted platforms from the Hub's images, in the wanted order; a variant-less wish takes any variant", () => {
  expect(resolvedFromListing(indexTag, ["linux/amd64", "linux/arm64"])).toEqual({
    digest: digest("a"),
    images: [
      { platform: "linux/amd64", digest: digest("c"), createdAt: null },
      { platform: "linux/arm64/v8", digest: digest("b"), createdAt: null },
    ],
  });
  expect(resolvedFromListing(indexTag, ["windows/amd64"])).toEqual({ digest: digest("a"), images: [] });
});

test("without what resolution needs the resolver fetches as usual", () => {
  expect(resolvedFromListing({ ...indexTag, digest: null }, ["linux/amd64"])).toBeNull();
  expect(resolvedFromListing({ ...indexTag, images: [] }, ["linux/amd64"])).toBeNull();
  expect(resolvedFromListing({ ...indexTag, images: [{ architecture: "amd64", os: "linux", digest: null }] }, ["linux/amd64"])).toBeNull();
});
