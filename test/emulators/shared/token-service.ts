/**
 * The Docker token protocol, as Harbor's, GitLab's and Docker Hub's token
 * services speak it: `GET <realm>?service=<s>&scope=<scope>&scope=...&account=<a>`,
 * Basic credentials or none, answered with
 * `{ token, access_token, expires_in, issued_at }`. Who may do what is the
 * vendor emulator's `authorize`: it sees the credentials (null = anonymous)
 * and the requested scopes and answers the granted ones, usually fewer than
 * asked (a token without the scope: the registry then refuses with
 * `insufficient_scope`), or "unauthorized" for wrong credentials.
 */
import type { ServerResponse } from "node:http";
import { sendJson } from "../../../workers/registry/distribution/test-support/servers";
import type { RouteContext, RouteHandler } from "./emulator-server";
import { parseScopes, type Access } from "./scopes";
import type { TokenSigner } from "./token-signer";

export interface BasicCredentials {
  username: string;
  password: string;
}

export interface TokenRequestInfo {
  /** The `service` asked for (checked against the signer's). */
  service: string;
  /** The `account` parameter, when sent. */
  account: string | undefined;
  context: RouteContext;
}

export type Authorize = (
  credentials: BasicCredentials | null,
  requested: Access[],
  request: TokenRequestInfo,
) => Access[] | "unauthorized" | Promise<Access[] | "unauthorized">;

export interface TokenServiceOptions {
  signer: TokenSigner;
  authorize: Authorize;
  /** Lifetime of the tokens; default 300 s. */
  expiresInSeconds?: number;
  /** The 401 answer for refused credentials; default a distribution-style `UNAUTHORIZED` error. */
  unauthorized?: (res: ServerResponse) => void;
}

const refuse = (res: ServerResponse) =>
  sendJson(res, 401, { errors: [{ code: "UNAUTHORIZED", message: "authentication required", detail: null }] });

/** A route handler serving tokens (mount it at the realm's path). */
export function tokenService(options: TokenServiceOptions): RouteHandler {
  const { signer, authorize, expiresInSeconds = 300, unauthorized = refuse } = options;
  return async (context) => {
    const { res, query, authorization } = context;
    const service = query.get("service") ?? "";
    if (service !== signer.service) {
      return sendJson(res, 400, { errors: [{ code: "INVALID_REQUEST", message: `unknown service ${JSON.stringify(service)}`, detail: null }] });
    }
    if (authorization && authorization.scheme !== "basic") return unauthorized(res);
    const credentials = authorization ? { username: authorization.username, password: authorization.password } : null;
    const granted = await authorize(credentials, parseScopes(query.getAll("scope")), {
      service,
      account: query.get("account") ?? undefined,
      context,
    });
    if (granted === "unauthorized") return unauthorized(res);
    const token = signer.sign({ subject: credentials?.username ?? "", access: granted, expiresInSeconds });
    sendJson(res, 200, { token, access_token: token, expires_in: expiresInSeconds, issued_at: new Date().toISOString() });
  };
}
