import { isJsonObject } from "../../../lib/json-object";
import { isString, type WebhookParser } from "./parser";

/**
 * Artifactory webhooks (JFrog docs, "Docker domain" events): `{ domain:
 * "docker", event_type: "pushed", data: { repo_key, path, name, sha256, size,
 * image_name, tag, platforms } }`, sent when a tag is pushed to a Docker
 * repository. The canonical name is `<repo_key>/<image_name>`.
 */
export const artifactoryParser: WebhookParser = {
  vendor: "Artifactory",
  parse(body) {
    if (!isString(body.domain) || !isString(body.event_type) || !isJsonObject(body.data)) return null;
    if (body.domain !== "docker" || body.event_type !== "pushed") return [];
    const { repo_key: key, image_name: image, tag } = body.data;
    return isString(key) && isString(image) && isString(tag) ? [{ repository: `${key}/${image}`, tag }] : [];
  },
};
