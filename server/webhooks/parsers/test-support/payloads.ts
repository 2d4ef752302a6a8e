/**
 * Push webhook bodies as each vendor documents them, with the pushed
 * repository and tag as parameters. Each says where its shape comes from.
 */

const DIGEST = "sha256:954b378c375d852eb3c63ab88978f640b4348b01c1b3456a024a81536dafbbf4";

/** Harbor docs, "Configure Webhook Notifications", Default payload format, event PUSH_ARTIFACT. */
export function harborPush(project: string, name: string, tags: string[]) {
  return {
    type: "PUSH_ARTIFACT",
    occur_at: 1680501893,
    operator: "harbor-jobservice",
    event_data: {
      resources: tags.map((tag) => ({ digest: DIGEST, tag, resource_url: `harbor.test/${project}/${name}:${tag}` })),
      repository: { date_created: 1680501893, name, namespace: project, repo_full_name: `${project}/${name}`, repo_type: "private" },
    },
  };
}

/** Harbor docs, same page, CloudEvents payload format (`harbor.artifact.pushed`); a push by digest names the digest as tag. */
export function harborCloudEventPush(project: string, name: string, tag: string) {
  return {
    specversion: "1.0",
    id: "66e18103-09c1-41f6-982f-37df223f3eeb",
    requestid: "51c0b694-0168-4f3c-b0db-282565455d7b",
    source: "/projects/2/webhook/policies/15",
    type: "harbor.artifact.pushed",
    datacontenttype: "application/json",
    time: "2023-04-03T06:04:46Z",
    data: {
      resources: [
        { digest: DIGEST, tag, resource_url: `harbor.test/${project}/${name}:${tag}` },
        { digest: DIGEST, tag: DIGEST, resource_url: `harbor.test/${project}/${name}@${DIGEST}` },
      ],
      repository: { name, namespace: project, repo_full_name: `${project}/${name}`, repo_type: "private" },
    },
    operator: "harbor-jobservice",
  };
}

/** Docker docs, "Webhooks", example webhook payload. */
export function dockerHubPush(namespace: string, name: string, tag: string) {
  return {
    callback_url: `https://registry.hub.test/u/${namespace}/${name}/hook/2141b5bi5i5b02bec211i4eeih0242eg11000a/`,
    push_data: { pushed_at: 1417566161, pusher: "trustedbuilder", tag },
    repository: {
      comment_count: 0,
      date_created: 1417494799,
      description: "",
      dockerfile: "FROM ubuntu\n",
      full_description: "",
      is_official: false,
      is_private: true,
      is_trusted: true,
      name,
      namespace,
      owner: namespace,
      repo_name: `${namespace}/${name}`,
      repo_url: `https://registry.hub.test/u/${namespace}/${name}/`,
      star_count: 0,
      status: "Active",
    },
  };
}

/**
 * CNCF distribution docs, "Notifications" (the envelope GitLab's container
 * registry sends when its `notifications.endpoints` are configured): a layer
 * push, then the manifest push that names the tag.
 */
export function distributionPush(repository: string, tag: string) {
  const request = { id: "asdfasdf", addr: "client.local", host: "registry.test", method: "PUT", useragent: "docker/24.0" };
  return {
    events: [
      {
        id: "asdf-asdf-asdf-asdf-0",
        timestamp: "2006-01-02T15:04:05Z",
        action: "push",
        target: { mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip", size: 719, digest: DIGEST, length: 719, repository, url: `https://registry.test/v2/${repository}/blobs/${DIGEST}` },
        request,
        actor: { name: "root", user_type: "personal_access_token" },
        source: { addr: "registry.test:5000", instanceID: "1e8b4b0b" },
      },
      {
        id: "asdf-asdf-asdf-asdf-1",
        timestamp: "2006-01-02T15:04:05Z",
        action: "push",
        target: { mediaType: "application/vnd.docker.distribution.manifest.v2+json", size: 528, digest: DIGEST, length: 528, repository, url: `https://registry.test/v2/${repository}/manifests/${DIGEST}`, tag },
        request,
        actor: { name: "root", user_type: "personal_access_token" },
        source: { addr: "registry.test:5000", instanceID: "1e8b4b0b" },
      },
    ],
  };
}

/** Sonatype docs, "Example Headers and Payloads", repository component payload (X-Nexus-Webhook-Id rm:repository:component). */
export function nexusComponentPush(repositoryName: string, image: string, tag: string, action = "CREATED") {
  return {
    timestamp: "2016-11-10T23:57:49.664+0000",
    nodeId: "52905B51-085CCABB-CEBBEAAD-16795588-FC927D93",
    initiator: "admin/127.0.0.1",
    repositoryName,
    action,
    component: { id: "08909bf0c86cf6c9600aade89e1c5e25", componentId: "ZG9ja2VyLWhvc3RlZDowODkwOWJmMGM4NmNmNmM5", format: "docker", name: image, group: null, version: tag },
  };
}

/** Sonatype docs, same page, repository asset payload (rm:repository:asset); Docker manifests are assets at v2/<image>/manifests/<tag>. */
export function nexusAssetPush(repositoryName: string, assetName: string, format = "docker") {
  return {
    timestamp: "2016-11-10T23:57:49.664+0000",
    nodeId: "52905B51-085CCABB-CEBBEAAD-16795588-FC927D93",
    initiator: "admin/127.0.0.1",
    repositoryName,
    action: "CREATED",
    asset: { id: "31c950c8eeeab78336308177ae9c441c", assetId: "bnBtLXByb3h5OjMxYzk1MGM4ZWVlYWI3ODMzNjMwODE3N2FlOWM0NDFj", format, name: assetName },
  };
}

/** JFrog docs, "Docker domain", event "pushed" ("Docker Tag was Pushed"), inside the webhook envelope { domain, event_type, data }. */
export function artifactoryPush(repoKey: string, image: string, tag: string, eventType = "pushed") {
  return {
    domain: "docker",
    event_type: eventType,
    data: {
      repo_key: repoKey,
      event_type: eventType,
      path: `${image}/${tag}/list.manifest.json`,
      name: "list.manifest.json",
      sha256: DIGEST.slice("sha256:".length),
      size: 1206,
      image_name: image,
      tag,
      platforms: [
        { architecture: "amd64", os: "linux" },
        { architecture: "arm64", os: "linux" },
      ],
    },
    subscription_key: "docker-pushes",
    jpd_origin: "https://artifactory.test",
    source: "jfrog/user@example.test",
  };
}
