import { parsePushEvent } from ".";
import {
  artifactoryPush,
  distributionPush,
  dockerHubPush,
  harborCloudEventPush,
  harborPush,
  nexusAssetPush,
  nexusComponentPush,
} from "./test-support/payloads";

describe("each vendor's push event names the pushed tags by canonical repository name", () => {
  test.each([
    ["Harbor, Default format", harborPush("team", "api", ["1.1", "latest"]), "Harbor", [["team/api", "1.1"], ["team/api", "latest"]]],
    ["Harbor, CloudEvents format (the digest-named resource is untagged)", harborCloudEventPush("team", "api", "2.0"), "Harbor", [["team/api", "2.0"]]],
    ["Docker Hub", dockerHubPush("acme", "web", "latest"), "Docker Hub", [["acme/web", "latest"]]],
    ["GitLab / registry notifications (the blob push has no tag)", distributionPush("group/project/image", "v3"), "GitLab / Docker registry", [["group/project/image", "v3"]]],
    ["Nexus component", nexusComponentPush("docker-hosted", "library/alpine", "3.20"), "Nexus", [["docker-hosted/library/alpine", "3.20"]]],
    ["Nexus manifest asset", nexusAssetPush("docker-hosted", "v2/team/api/manifests/1.0"), "Nexus", [["docker-hosted/team/api", "1.0"]]],
    ["Artifactory", artifactoryPush("docker-local", "library/ubuntu", "latest"), "Artifactory", [["docker-local/library/ubuntu", "latest"]]],
  ])("%s", (_label, body, vendor, pushes) => {
    expect(parsePushEvent(body)).toEqual({ vendor, pushes: pushes.map(([repository, tag]) => ({ repository, tag })) });
  });
});

describe("recognised events that push no tag answer no pushes", () => {
  test.each([
    ["a Harbor pull", { ...harborPush("team", "api", ["1.0"]), type: "PULL_ARTIFACT" }, "Harbor"],
    ["a Harbor CloudEvents deletion", { ...harborCloudEventPush("team", "api", "1.0"), type: "harbor.artifact.deleted" }, "Harbor"],
    ["a registry pull", { events: distributionPush("team/api", "1").events.map((e) => ({ ...e, action: "pull" })) }, "GitLab / Docker registry"],
    ["a Nexus deletion", nexusComponentPush("docker-hosted", "team/api", "1.0", "DELETED"), "Nexus"],
    ["a Nexus npm component", { ...nexusComponentPush("npm-hosted", "left-pad", "1.3.0"), component: { format: "npm", name: "left-pad", version: "1.3.0" } }, "Nexus"],
    ["a Nexus blob asset", nexusAssetPush("docker-hosted", `v2/-/blobs/sha256:${"a".repeat(64)}`), "Nexus"],
    ["a Nexus asset of another format", nexusAssetPush("npm-proxy", "concrete", "npm"), "Nexus"],
    ["an Artifactory deletion", artifactoryPush("docker-local", "team/api", "1.0", "deleted"), "Artifactory"],
    ["an Artifactory artifact deployment", { domain: "artifact", event_type: "deployed", data: { repo_key: "generic-local", path: "a/b.txt", name: "b.txt" } }, "Artifactory"],
    ["a Docker Hub body without a tag", { ...dockerHubPush("acme", "web", "x"), push_data: { pushed_at: 1 } }, "Docker Hub"],
  ])("%s", (_label, body, vendor) => {
    expect(parsePushEvent(body)).toEqual({ vendor, pushes: [] });
  });
});

test("names and tags outside the distribution grammar are dropped, repeats folded", () => {
  const body = harborPush("team", "api", ["ok", "../../etc", "ok", "-bad", "x".repeat(129)]);
  expect(parsePushEvent(body)?.pushes).toEqual([{ repository: "team/api", tag: "ok" }]);
  expect(parsePushEvent(dockerHubPush("Acme Corp", "web", "1"))?.pushes).toEqual([]);
});

test.each([
  ["an array", [harborPush("team", "api", ["1"])]],
  ["a string", "PUSH_ARTIFACT"],
  ["null", null],
  ["an unknown object", { hello: "world" }],
  ["Harbor without a repository", { type: "PUSH_ARTIFACT", event_data: { resources: [] } }],
])("%s is not a push event of any vendor", (_label, body) => {
  expect(parsePushEvent(body)).toBeNull();
});
