import type { ErrorRequestHandler, RequestHandler } from "express";
import type { Logger } from "../../lib/logger";

/** A GraphQL-shaped error answer for requests that never reach GraphQL. */
function sendError(res: Parameters<RequestHandler>[1], status: number, code: string, message: string): void {
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}

/** body-parser's error types (`err.type`) and what the client hears. */
const BODY_ERRORS: Record<string, { code: string; message: string }> = {
  "entity.parse.failed": { code: "BAD_REQUEST", message: "the request body is not valid JSON" },
  "entity.too.large": { code: "PAYLOAD_TOO_LARGE", message: "the request body is larger than the server accepts" },
  "entity.verify.failed": { code: "BAD_REQUEST", message: "the request body was refused" },
  "encoding.unsupported": { code: "UNSUPPORTED_MEDIA_TYPE", message: "the request body's Content-Encoding is not supported" },
  "charset.unsupported": { code: "UNSUPPORTED_MEDIA_TYPE", message: "the request body's charset is not supported; send UTF-8 JSON" },
  "request.size.invalid": { code: "BAD_REQUEST", message: "the request body is shorter or longer than its Content-Length" },
  "request.aborted": { code: "BAD_REQUEST", message: "the request was aborted" },
};

/**
 * Apollo's express integration needs `req.body`; a POST whose body the JSON
 * parser did not take (another Content-Type) gets none, and the integration
 * would answer 500. Such a POST is refused here: 415, JSON.
 */
export const requireJsonPost: RequestHandler = (req, res, next) => {
  if (req.method === "POST" && req.body === undefined) {
    return sendError(res, 415, "UNSUPPORTED_MEDIA_TYPE", "send the GraphQL request as JSON (Content-Type: application/json)");
  }
  if (req.body === undefined) req.body = {}; // GET and others: Apollo reads the query string and answers itself.
  next();
};

/** Errors of the body parser (unparseable, oversized, bad encoding: all 4xx) as JSON answers; anything else as a logged 500. */
export function transportErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error, _req, res, next) => {
    if (res.headersSent) return next(error);
    const known = BODY_ERRORS[(error as { type?: string }).type ?? ""];
    const status = Number((error as { status?: number }).status);
    if (status >= 400 && status < 500) {
      // An unknown type is, e.g., a body that does not decompress as its Content-Encoding says.
      const { code, message } = known ?? { code: "BAD_REQUEST", message: "the request body could not be read" };
      return sendError(res, status, code, message);
    }
    logger.error({ err: String((error as Error)?.message ?? error) }, "request failed before GraphQL");
    sendError(res, 500, "INTERNAL_SERVER_ERROR", "internal error; the server log has the details");
  };
}
