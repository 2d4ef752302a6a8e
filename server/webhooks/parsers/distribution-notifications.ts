import { isJsonObject } from "../../../lib/json-object";
import { isString, type PushedTag, type WebhookParser } from "./parser";

/**
 * The distribution registry's notifications (CNCF distribution docs,
 * "Notifications"; content type application/vnd.docker.distribution.events.v1+json):
 * `{ events: [{ action: "push", target: { mediaType, digest, repository, tag } }] }`.
 * GitLab's project webhooks have no registry events: a self-managed GitLab
 * sends registry pushes this way, from its container registry's
 * `notifications.endpoints` (GitLab docs, "Configure container registry
 * notifications"), and so does a plain registry. `target.repository` is
 * GitLab's repository path (`group/project[/image]`). Blob pushes and
 * manifest pushes by digest carry no tag and are dropped.
 */
export const distributionNotificationsParser: WebhookParser = {
  vendor: "GitLab / Docker registry",
  parse(body) {
    if (!Array.isArray(body.events)) return null;
    return body.events.flatMap((event): PushedTag[] => {
      if (!isJsonObject(event) || event.action !== "push" || !isJsonObject(event.target)) return [];
      const { repository, tag } = event.target;
      return isString(repository) && isString(tag) ? [{ repository, tag }] : [];
    });
  },
};
