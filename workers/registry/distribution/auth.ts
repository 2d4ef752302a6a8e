/**
 * The auth handshake (registry-apis.md §1.6): what Authorization a request
 * for a scope gets, learned from the registry's 401 challenges.
 *
 *  - Basic: the credentials, to the registry's origin only.
 *  - Bearer: a token from the challenge's realm (`service`, `scope`), fetched
 *    with Basic credentials only when the realm's origin may receive them
 *    (the endpoint's origin or a trusted one, DESIGN §2), anonymously
 *    otherwise; cached per scope until shortly before it expires.
 *
 * Once a challenge is known, later requests authenticate up front (no 401
 * round trip per repository). A 401 answered to fresh credentials of the
 * same scheme is final: REGISTRY_UNAUTHORIZED, or REGISTRY_FORBIDDEN when a
 * token was issued for the credentials but lacks the scope
 * (`error="insufficient_scope"`): "wrong password" and "not permitted" stay apart.
 */
import type { IncomingHttpHeaders } from "node:http";
import { RegistryError } from "../errors";
import { type Challenge, parseChallenges, pickChallenge } from "./challenge";
import { mayReceiveCredentials, type RegistryCredentials, type ResolvedEndpoint } from "./endpoint";
import { parseJson } from "./media-types";
import { errorFromResponse } from "./response-errors";

export type AuthScheme = "none" | "basic" | "bearer";

/** What a request needs to be allowed; `key` identifies its tokens. */
export interface AuthScope {
  key: string;
  /** Token scopes, e.g. `repository:team/api:pull`. */
  scopes: string[];
  /** For messages: "pull team/api". */
  purpose: string;
}

export const BASE_SCOPE: AuthScope = { key: "", scopes: [], purpose: "use the registry" };
export const CATALOG_SCOPE: AuthScope = { key: "registry:catalog:*", scopes: ["registry:catalog:*"], purpose: "list the catalog" };
export function pullScope(repository: string): AuthScope {
  const scope = `repository:${repository}:pull`;
  return { key: scope, scopes: [scope], purpose: `pull ${repository}` };
}

export interface Authorization {
  header: string | undefined;
  scheme: AuthScheme;
  /** Obtained for this request (not from the cache): a 401 to it is final. */
  fresh: boolean;
  /** A token fetched anonymously although credentials exist (foreign realm). */
  withheld?: string;
}

const NONE: Authorization = { header: undefined, scheme: "none", fresh: false };

/** GET to a token realm (redirects followed, auth dropped off-origin); resolves the whole bounded body. */
export type TokenRequest = (url: URL, authorization: string | undefined) => Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>;

export interface AuthenticatorOptions {
  now: () => number;
  /** Redacts secrets from server-provided text. */
  redact: (text: string) => string;
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

const DEFAULT_TOKEN_SECONDS = 60;

export function basicAuthorization(username: string, secret: string): string {
  return "Basic " + Buffer.from(`${username}:${secret}`, "utf8").toString("base64");
}

/** The Authorization the credentials make: Basic, or Bearer for a self-standing access token. */
export function credentialsHeader(credentials: RegistryCredentials): string {
  return credentials.bearer ? `Bearer ${credentials.secret}` : basicAuthorization(credentials.username, credentials.secret);
}

export class Authenticator {
  /** The challenge last seen for each scope key, and the endpoint's usual one. */
  private readonly challenges = new Map<string, Challenge>();
  private usual: Challenge | undefined;
  private readonly tokens = new Map<string, CachedToken>();
  private readonly pending = new Map<string, Promise<CachedToken>>();
  /** Every token handed out, and every secret a credentials source gave, for redaction. */
  readonly issued = new Set<string>();

  constructor(
    private readonly endpoint: ResolvedEndpoint,
    private readonly fetchToken: TokenRequest,
    private readonly options: AuthenticatorOptions,
  ) {}

  /** What to send first, from what earlier challenges taught. */
  async initial(scope: AuthScope): Promise<Authorization> {
    const own = this.challenges.get(scope.key);
    const challenge = own ?? this.usual;
    if (!challenge) return NONE;
    if (challenge.scheme === "basic" && !this.endpoint.credentials) return NONE;
    return this.answer(scope, challenge, { useCache: true, challengeScopes: own !== undefined });
  }

  /** After a 401 to `sent`: what to send next, or the final error. */
  async respond(scope: AuthScope, sent: Authorization, header: string | string[] | undefined): Promise<Authorization> {
    const challenge = pickChallenge(parseChallenges(header));
    if (!challenge) {
      throw new RegistryError("REGISTRY_UNAUTHORIZED", `the registry refused to let drydock ${scope.purpose} and offered no Basic or Bearer authentication`, {
        status: 401,
      });
    }
    this.challenges.set(scope.key, challenge);
    if (!this.usual || scope.key === BASE_SCOPE.key) this.usual = challenge;
    if (sent.scheme === challenge.scheme && sent.fresh) throw this.rejected(scope, sent, challenge);
    return this.answer(scope, challenge, { useCache: false, challengeScopes: true });
  }

  private async answer(scope: AuthScope, challenge: Challenge, how: { useCache: boolean; challengeScopes: boolean }): Promise<Authorization> {
    const credentials = this.endpoint.credentials;
    if (challenge.scheme === "basic") {
      if (!credentials) throw this.needsCredentials(scope);
      return { header: credentialsHeader(await this.currentCredentials()), scheme: "basic", fresh: true };
    }
    if (challenge.scheme !== "bearer") return NONE;
    const realm = this.realmOf(challenge);
    const withCredentials = credentials !== null && mayReceiveCredentials(this.endpoint, realm);
    const service = challenge.params.service;
    const key = `${realm.href}\n${service ?? ""}\n${scope.key}`;
    const cached = this.tokens.get(key);
    if (how.useCache && cached && cached.expiresAt > this.options.now()) {
      return { header: `Bearer ${cached.token}`, scheme: "bearer", fresh: false };
    }
    if (cached) this.tokens.delete(key);
    const scopes = new Set(scope.scopes);
    if (how.challengeScopes) for (const s of (challenge.params.scope ?? "").split(" ")) if (s) scopes.add(s);
    let pending = this.pending.get(key);
    if (!pending) {
      pending = this.requestToken(realm, service, [...scopes], withCredentials).finally(() => this.pending.delete(key));
      this.pending.set(key, pending);
    }
    const token = await pending;
    this.tokens.set(key, token);
    return {
      header: `Bearer ${token.token}`,
      scheme: "bearer",
      fresh: true,
      ...(credentials && !withCredentials ? { withheld: realm.origin } : {}),
    };
  }

  private realmOf(challenge: Challenge): URL {
    let realm: URL;
    try {
      realm = new URL(challenge.params.realm ?? "", `${this.endpoint.origin}/`);
      if (!challenge.params.realm) throw new Error("no realm");
    } catch {
      throw new RegistryError("REGISTRY_PROTOCOL", "the registry's Bearer challenge names no valid token realm", { retryable: false });
    }
    if (realm.protocol !== "https:" && !(realm.protocol === "http:" && this.endpoint.insecure)) {
      throw new RegistryError("REGISTRY_PROTOCOL", `the registry's token realm ${realm.protocol}//${realm.host} is not https, and the integration is not insecure`, {
        retryable: false,
      });
    }
    return realm;
  }

  private async requestToken(realm: URL, service: string | undefined, scopes: string[], withCredentials: boolean): Promise<CachedToken> {
    const url = new URL(realm);
    const credentials = withCredentials ? await this.currentCredentials() : null;
    if (service !== undefined) url.searchParams.set("service", service);
    for (const scope of scopes) url.searchParams.append("scope", scope);
    if (credentials) url.searchParams.set("account", credentials.username);
    const started = this.options.now();
    const answer = await this.fetchToken(url, credentials ? credentialsHeader(credentials) : undefined);
    const service_ = `the token service ${realm.origin}`;
    if (answer.status === 401) {
      throw new RegistryError(
        "REGISTRY_UNAUTHORIZED",
        credentials
          ? `${service_} rejected the user name or secret`
          : this.endpoint.credentials
            ? `${service_} requires credentials, and drydock does not send them there: it is neither the registry's origin nor a trusted one`
            : `${service_} requires credentials`,
        { status: 401 },
      );
    }
    if (answer.status < 200 || answer.status >= 300) {
      throw errorFromResponse(answer.status, answer.headers, answer.body, {
        operation: "token",
        describe: service_,
        now: this.options.now(),
        redact: this.options.redact,
      });
    }
    const json = parseJson(answer.body, `the answer of ${service_}`) as { token?: unknown; access_token?: unknown; expires_in?: unknown } | null;
    const token = typeof json?.token === "string" && json.token ? json.token : typeof json?.access_token === "string" ? json.access_token : "";
    if (!token || /[\s,]/.test(token)) throw new RegistryError("REGISTRY_PROTOCOL", `${service_} answered without a usable token`, { retryable: false });
    this.issued.add(token);
    const seconds = typeof json?.expires_in === "number" && json.expires_in > 0 ? json.expires_in : DEFAULT_TOKEN_SECONDS;
    const lifetime = seconds * 1000;
    // Renew shortly before expiry: 30 s early, or a fifth of a short lifetime.
    return { token, expiresAt: started + lifetime - Math.min(30_000, lifetime / 5) };
  }

  /** The fixed credentials, or the source's current ones (called only where credentials may go). */
  private async currentCredentials(): Promise<RegistryCredentials> {
    const configured = this.endpoint.credentials!;
    if (typeof configured !== "function") return configured;
    const current = await configured();
    this.issued.add(current.secret);
    this.issued.add(basicAuthorization(current.username, current.secret).slice("Basic ".length));
    return current;
  }

  private needsCredentials(scope: AuthScope): RegistryError {
    return new RegistryError("REGISTRY_UNAUTHORIZED", `the registry requires credentials to ${scope.purpose}, and the integration has none`, { status: 401 });
  }

  private rejected(scope: AuthScope, sent: Authorization, challenge: Challenge): RegistryError {
    const error = challenge.params.error;
    if (!this.endpoint.credentials) return this.needsCredentials(scope);
    if (sent.withheld) {
      return new RegistryError(
        "REGISTRY_UNAUTHORIZED",
        `the registry refused an anonymous token to ${scope.purpose}; the credentials were not sent to the token service ${sent.withheld} because it is neither the registry's origin nor a trusted one`,
        { status: 401 },
      );
    }
    if (sent.scheme === "basic") return new RegistryError("REGISTRY_UNAUTHORIZED", "the registry rejected the user name or secret", { status: 401 });
    if (error === "insufficient_scope") {
      return new RegistryError("REGISTRY_FORBIDDEN", `the credentials are valid but not permitted to ${scope.purpose}`, { status: 401 });
    }
    return new RegistryError("REGISTRY_UNAUTHORIZED", `the registry rejected the token issued for the credentials${error ? ` (${error})` : ""}`, {
      status: 401,
    });
  }
}
