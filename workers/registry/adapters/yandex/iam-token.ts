/**
 * The IAM token a Yandex integration works with, from the secret whose kind
 * `username` names (registry-apis.md §7.1):
 *  - `iam`: the secret is an IAM token, used as is (it cannot be renewed);
 *  - `oauth`: a Yandex OAuth token, exchanged at the IAM service
 *    (`POST <DRYDOCK_YANDEX_IAM_URL>` `{yandexPassportOauthToken}`);
 *  - `json_key`: a service account's authorized key, which signs a JWT
 *    exchanged there (`{jwt}`).
 * The answer is `{iamToken, expiresAt?}`. An IAM token lives up to 12 hours
 * and Yandex advises getting a new one about every hour, so an exchanged
 * token is renewed after half its lifetime or one hour, whichever comes
 * first; concurrent callers share one exchange. The OAuth token and the key
 * go to the IAM service only; the registry and the API see IAM tokens.
 */
import { redactSecrets, RegistryError } from "../../errors";
import type { VendorApiClient } from "../../vendor-api/api-client";
import { parseServiceAccountKey, type ServiceAccountKey, serviceAccountJwt } from "./service-account-key";

export const SECRET_KINDS = ["oauth", "iam", "json_key"] as const;
export type SecretKind = (typeof SECRET_KINDS)[number];

/** Lifetime assumed when the IAM service does not say (`expiresAt` is absent from older API versions). */
const ASSUMED_LIFETIME_MS = 3600_000;
const MAX_REUSE_MS = 3600_000;

interface Held {
  token: string;
  renewAt: number;
}

interface IamAnswer {
  iamToken?: unknown;
  expiresAt?: unknown;
}

export function isSecretKind(kind: string | null): kind is SecretKind {
  return (SECRET_KINDS as readonly string[]).includes(kind ?? "");
}

export class IamTokens {
  readonly #secret: string;
  readonly #key: ServiceAccountKey | null;
  #held: Held | null = null;
  #pending: Promise<Held> | null = null;
  /** Every token obtained, for redaction. */
  readonly #issued = new Set<string>();

  /** `iam` needs no IAM service; the others exchange at `iamUrl` through `client`. */
  constructor(
    private readonly kind: SecretKind,
    secret: string,
    private readonly exchange: { client: VendorApiClient; iamUrl: string } | null,
    private readonly now: () => number = Date.now,
  ) {
    this.#secret = secret;
    this.#key = kind === "json_key" ? parseServiceAccountKey(secret) : null;
    if (kind !== "iam" && !exchange) throw new Error(`an IAM service is needed for ${kind} secrets`);
  }

  /** A valid IAM token, exchanged again when the held one is due for renewal. */
  async token(): Promise<string> {
    if (this.kind === "iam") return this.#secret;
    if (this.#held && this.now() < this.#held.renewAt) return this.#held.token;
    this.#pending ??= this.obtain().finally(() => (this.#pending = null));
    this.#held = await this.#pending;
    return this.#held.token;
  }

  /** Texts never to repeat in a message: the secret and the tokens. */
  secrets(): string[] {
    return [this.#secret, ...this.#issued];
  }

  private async obtain(): Promise<Held> {
    const { client, iamUrl } = this.exchange!;
    const started = this.now();
    const body = this.#key ? { jwt: serviceAccountJwt(this.#key, iamUrl, started) } : { yandexPassportOauthToken: this.#secret };
    let answer: IamAnswer | null;
    try {
      answer = (await client.postJson<IamAnswer>(iamUrl, body)).body;
    } catch (error) {
      if (!(error instanceof RegistryError)) throw error;
      // The IAM service may quote what it was sent (the OAuth token) in its error message.
      const what = `exchange the ${this.kind === "oauth" ? "OAuth token" : "service account key"} for an IAM token`;
      const message = redactSecrets(error.withContext(what).message, this.secrets());
      throw new RegistryError(error.code, message, { retryable: error.retryable, status: error.status, retryAfterMs: error.retryAfterMs });
    }
    const token = typeof answer?.iamToken === "string" ? answer.iamToken : "";
    if (!token || /\s/.test(token)) throw new RegistryError("REGISTRY_PROTOCOL", "the Yandex IAM service answered without a usable IAM token", { retryable: false });
    this.#issued.add(token);
    const expiresAt = typeof answer?.expiresAt === "string" ? Date.parse(answer.expiresAt) : NaN;
    const lifetime = Number.isFinite(expiresAt) ? Math.max(0, expiresAt - started) : ASSUMED_LIFETIME_MS;
    return { token, renewAt: started + Math.min(lifetime / 2, MAX_REUSE_MS) };
  }
}
