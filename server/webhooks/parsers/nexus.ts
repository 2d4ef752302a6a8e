import { isJsonObject } from "../../../lib/json-object";
import { isString, type PushedTag, type WebhookParser } from "./parser";

const DOCKER_MANIFEST_ASSET = /^\/?v2\/(.+)\/manifests\/([^/]+)$/;
const WRITES = ["CREATED", "UPDATED"];

/**
 * Nexus Repository 3 repository webhooks (Sonatype docs, "Example Headers and
 * Payloads"): `{ timestamp, nodeId, initiator, repositoryName, action:
 * "CREATED" | "UPDATED" | "DELETED", component: { format, name, version } }`
 * for the `component` event type (X-Nexus-Webhook-Id rm:repository:component)
 * or `asset: { format, name }` for the `asset` type. A Docker component's
 * `name` is the image and `version` the tag; a Docker manifest asset is named
 * `v2/<image>/manifests/<tag>`. The canonical name is `<repositoryName>/<image>`.
 * The signature (X-Nexus-Webhook-Signature) is checked before any parser runs.
 */
export const nexusParser: WebhookParser = {
  vendor: "Nexus",
  parse(body) {
    const item = isJsonObject(body.component) ? body.component : body.asset;
    if (!isString(body.repositoryName) || !isString(body.action) || !isJsonObject(item)) return null;
    if (item.format !== "docker" || !WRITES.includes(body.action)) return [];
    const pushed = (image: unknown, tag: unknown): PushedTag[] =>
      isString(image) && isString(tag) ? [{ repository: `${body.repositoryName}/${image}`, tag }] : [];
    if (item === body.component) return pushed(item.name, item.version);
    const manifest = isString(item.name) ? DOCKER_MANIFEST_ASSET.exec(item.name) : null;
    return manifest ? pushed(manifest[1], manifest[2]) : [];
  },
};
