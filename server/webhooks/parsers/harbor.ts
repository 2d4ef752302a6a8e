import { isJsonObject } from "../../../lib/json-object";
import { isString, type PushedTag, type WebhookParser } from "./parser";

/**
 * Harbor project webhooks (Harbor docs, "Configure Webhook Notifications"), in
 * either payload format: Default `{ type: "PUSH_ARTIFACT", event_data: {
 * resources: [{ digest, tag, resource_url }], repository: { namespace, name,
 * repo_full_name } } }` or CloudEvents `{ specversion, type:
 * "harbor.artifact.pushed", data: { resources, repository } }`. The canonical
 * name is `repo_full_name` (`project/repo`). A push by digest names the digest
 * as its tag; such resources are dropped as untagged.
 */
export const harborParser: WebhookParser = {
  vendor: "Harbor",
  parse(body) {
    const cloudEvent = body.specversion !== undefined;
    const data = cloudEvent ? body.data : body.event_data;
    if (!isString(body.type) || !isJsonObject(data) || !isJsonObject(data.repository)) return null;
    if (body.type !== (cloudEvent ? "harbor.artifact.pushed" : "PUSH_ARTIFACT")) return [];
    const repository = data.repository.repo_full_name;
    if (!isString(repository) || !Array.isArray(data.resources)) return [];
    return data.resources.flatMap((resource): PushedTag[] =>
      isJsonObject(resource) && isString(resource.tag) ? [{ repository, tag: resource.tag }] : [],
    );
  },
};
