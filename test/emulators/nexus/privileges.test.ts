import { allows, parseViewPrivilege } from "./privileges";

test("privilege names split into format, repository (dashes allowed) and action", () => {
  expect(parseViewPrivilege("nx-repository-view-docker-docker-hosted-browse")).toEqual({ format: "docker", repository: "docker-hosted", action: "browse" });
  expect(parseViewPrivilege("nx-repository-view-*-*-*")).toEqual({ format: "*", repository: "*", action: "*" });
  expect(parseViewPrivilege("nx-apikey-all")).toBeNull();
});

test("wildcards match any part; nothing else does", () => {
  const privileges = ["nx-repository-view-docker-*-browse", "nx-repository-view-docker-team-hosted-read"];
  expect(allows(privileges, "docker", "anything", "browse")).toBe(true);
  expect(allows(privileges, "docker", "team-hosted", "read")).toBe(true);
  expect(allows(privileges, "docker", "docker-hosted", "read")).toBe(false);
  expect(allows(privileges, "maven2", "team-hosted", "browse")).toBe(false);
  expect(allows(["nx-repository-view-*-*-*"], "docker", "x", "read")).toBe(true);
});
