import express, { type ErrorRequestHandler, type Router } from "express";
import type { Logger } from "../../lib/logger";
import type { WebhookReceiver } from "./webhook.receiver";

/** Larger bodies are refused with 413 (after decompression) before anything is parsed. */
export const WEBHOOK_BODY_LIMIT = 1024 * 1024;

/**
 * `POST /webhooks/registries/:id/:token`. The body is read raw, whatever its
 * content type (registry notifications use their own), because Nexus signs
 * the exact bytes. The URL holds the token: nothing here logs it.
 */
export function webhookRouter(receiver: WebhookReceiver, logger: Logger): Router {
  const router = express.Router();
  router.post(
    "/webhooks/registries/:registryId/:token",
    express.raw({ type: () => true, limit: WEBHOOK_BODY_LIMIT }),
    async (req, res) => {
      const answer = await receiver.receive({
        registryId: req.params.registryId,
        token: req.params.token,
        body: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
        signature: req.get("x-nexus-webhook-signature"),
      });
      res.status(answer.status).json(answer.body);
    },
  );
  const failed: ErrorRequestHandler = (error, _req, res, _next) => {
    const status = typeof error?.status === "number" && error.status >= 400 && error.status < 500 ? error.status : 500;
    if (status === 500) logger.error({ err: error instanceof Error ? error.message : String(error) }, "webhook failed");
    res.status(status).json({ error: status === 413 ? `the body is larger than ${WEBHOOK_BODY_LIMIT} bytes` : status === 500 ? "internal error" : "bad request" });
  };
  router.use("/webhooks", failed);
  return router;
}
