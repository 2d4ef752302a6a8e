import type { DataSource } from "typeorm";
import { PullPolicy, Registry } from "../../db/entities";
import { PullMode } from "../../db/enums";
import type { Logger } from "../../lib/logger";
import type { SecretBox } from "../../lib/secret-box";
import type { JobQueue } from "../jobs";
import { parsePushEvent, type PushedTag } from "./parsers";
import { sameSecret } from "../../lib/credentials";
import { nexusSignatureMatches } from "./webhook-secret";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface WebhookDelivery {
  registryId: string;
  /** The token from the URL path: compared, never logged. */
  token: string;
  body: Buffer;
  /** X-Nexus-Webhook-Signature, if sent. */
  signature: string | undefined;
}

export type WebhookAnswer =
  | { status: 202; body: { status: "queued"; vendor: string; pushes: PushedTag[] } | { status: "ignored"; reason: string } }
  | { status: 400 | 401 | 404; body: { error: string } };

/** Same answer for an unknown registry and a wrong token, so that neither can be told from the other. */
const REFUSED: WebhookAnswer = { status: 404, body: { error: "no such webhook" } };

/**
 * A push webhook delivery (DESIGN §7): the path token, compared in constant
 * time; Nexus's signature when the integration has a signing key; then the
 * pushed tags, each queued as a discovery run of its repository. MANUAL
 * integrations ignore webhooks.
 */
export class WebhookReceiver {
  constructor(
    private readonly db: DataSource,
    private readonly secrets: SecretBox,
    private readonly jobs: JobQueue,
    private readonly logger: Logger,
  ) {}

  async receive(delivery: WebhookDelivery): Promise<WebhookAnswer> {
    const { registryId } = delivery;
    const log = this.logger.child({ registryId: UUID.test(registryId) ? registryId : "(not an id)" });
    const registry = UUID.test(registryId)
      ? await this.db.getRepository(Registry).findOne({
          select: { id: true, webhookSecretCiphertext: true, webhookSigningKeyCiphertext: true },
          where: { id: registryId },
        })
      : null;
    const expected = registry?.webhookSecretCiphertext ? this.secrets.open(registry.webhookSecretCiphertext) : null;
    if (!registry || expected === null || !sameSecret(delivery.token, expected)) {
      log.warn("webhook refused: unknown registry or wrong token");
      return REFUSED;
    }
    if (registry.webhookSigningKeyCiphertext) {
      const key = this.secrets.open(registry.webhookSigningKeyCiphertext);
      if (!nexusSignatureMatches(delivery.body, key, delivery.signature)) {
        log.warn({ signed: delivery.signature !== undefined }, "webhook refused: X-Nexus-Webhook-Signature missing or wrong");
        return { status: 401, body: { error: "X-Nexus-Webhook-Signature is missing or does not match the body" } };
      }
    }

    const policy = await this.db.getRepository(PullPolicy).findOne({ select: { registryId: true, mode: true }, where: { registryId } });
    if (policy?.mode !== PullMode.AUTOMATIC) {
      log.info("webhook ignored: the pull policy is MANUAL");
      return { status: 202, body: { status: "ignored", reason: "the integration's pull policy is MANUAL" } };
    }

    let payload: unknown;
    try {
      payload = JSON.parse(delivery.body.toString("utf8"));
    } catch {
      log.warn({ bytes: delivery.body.length }, "webhook refused: the body is not JSON");
      return { status: 400, body: { error: "the body is not JSON" } };
    }
    const event = parsePushEvent(payload);
    if (!event) {
      log.warn("webhook refused: not a push event of a known shape");
      return {
        status: 400,
        body: { error: "not a webhook drydock reads: Harbor, Docker Hub, Nexus, Artifactory, or registry notifications (GitLab, Docker registry)" },
      };
    }
    if (event.pushes.length === 0) {
      log.info({ vendor: event.vendor }, "webhook ignored: no tag was pushed");
      return { status: 202, body: { status: "ignored", reason: `this ${event.vendor} event pushed no tag` } };
    }
    for (const push of event.pushes) await this.jobs.queuePushRun(registryId, push);
    log.info({ vendor: event.vendor, pushes: event.pushes }, "webhook queued discovery of the pushed tags");
    return { status: 202, body: { status: "queued", vendor: event.vendor, pushes: event.pushes } };
  }
}
