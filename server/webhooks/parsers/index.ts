import { isJsonObject } from "../../../lib/json-object";
import { isRepositoryName, isTag } from "../../../workers/registry/distribution/reference";
import { artifactoryParser } from "./artifactory";
import { distributionNotificationsParser } from "./distribution-notifications";
import { dockerHubParser } from "./docker-hub";
import { harborParser } from "./harbor";
import { nexusParser } from "./nexus";
import { type PushedTag, type WebhookParser } from "./parser";

export type { PushedTag } from "./parser";

/**
 * Every push webhook shape drydock reads. A body is read by the first parser
 * that recognises its shape, whatever the integration's type: the shapes do
 * not overlap, and a registry behind another product's front end still works.
 */
const PARSERS: readonly WebhookParser[] = [harborParser, artifactoryParser, dockerHubParser, nexusParser, distributionNotificationsParser];

export interface PushEvent {
  vendor: string;
  /** Distinct valid tags; names or tags outside the distribution grammar are dropped. */
  pushes: PushedTag[];
}

/** Null when no parser recognises the body. */
export function parsePushEvent(body: unknown): PushEvent | null {
  if (!isJsonObject(body)) return null;
  for (const parser of PARSERS) {
    const pushes = parser.parse(body);
    if (pushes === null) continue;
    const valid = pushes.filter((push) => isRepositoryName(push.repository) && isTag(push.tag));
    const distinct = [...new Map(valid.map((push) => [`${push.repository}:${push.tag}`, push])).values()];
    return { vendor: parser.vendor, pushes: distinct };
  }
  return null;
}
