import { isJsonObject } from "../../../lib/json-object";
import { isString, type WebhookParser } from "./parser";

/**
 * Docker Hub repository webhooks (Docker docs, "Webhooks"): `{ callback_url,
 * push_data: { pushed_at, pusher, tag }, repository: { namespace, name,
 * repo_name } }`. Hub sends nothing but pushes and cannot sign them. The
 * canonical name is `repo_name` (`namespace/name`).
 */
export const dockerHubParser: WebhookParser = {
  vendor: "Docker Hub",
  parse(body) {
    if (!isJsonObject(body.push_data) || !isJsonObject(body.repository)) return null;
    const repository = body.repository.repo_name;
    const tag = body.push_data.tag;
    return isString(repository) && isString(tag) ? [{ repository, tag }] : [];
  },
};
