/**
 * The Docker Hub API calls drydock makes (registry-apis.md §6): a login for a
 * JWT, the namespace's repositories and each repository's tags, both paged
 * by an absolute `next` URL, and the namespace's owner (user or organisation).
 */
import { RegistryError } from "../../errors";
import { VendorApiClient, type VendorApiOptions } from "../../vendor-api/api-client";

export interface HubRepository {
  name: string;
  namespace: string;
  /** `image` for container images (unverified whether other values occur on the Hub). */
  repository_type?: string | null;
}

export interface HubTagImage {
  architecture?: string | null;
  os?: string | null;
  variant?: string | null;
  /** The platform manifest's digest. */
  digest?: string | null;
}

export interface HubTag {
  name: string;
  /** The tag's manifest (or index) digest: observed in answers, not in the spec (§6.3). */
  digest?: string | null;
  tag_last_pushed?: string | null;
  /** The spec types it as an object, real answers carry an array (§6.3). */
  images?: HubTagImage[] | null;
}

/** `GET /v2/users/{name}`: `type` is `User` for a person's account, `Organization` otherwise (observed in clients; unverified in the spec). */
export interface HubNamespaceOwner {
  username?: string;
  type?: string;
}

interface HubPage<T> {
  next?: string | null;
  results?: T[];
}

/** The Hub's maximum for tags (repositories allow 1000); one page per 100. */
const PAGE_SIZE = 100;
/** The login JWT is valid for minutes (§6.1: ~10 for /v2/auth/token); drydock logs in again before that. */
const TOKEN_REUSE_MS = 4 * 60_000;

export interface HubCredentials {
  username: string;
  secret: string;
}

export class HubApi {
  readonly #credentials: HubCredentials;
  readonly #client: VendorApiClient;
  #token: { value: string; until: number } | null = null;
  #pending: Promise<string> | null = null;

  constructor(
    options: Omit<VendorApiOptions, "authorization" | "secrets" | "label">,
    credentials: HubCredentials,
    private readonly now: () => number = Date.now,
  ) {
    this.#credentials = credentials;
    this.#client = new VendorApiClient({
      ...options,
      label: "the Docker Hub API",
      authorization: async () => `Bearer ${await this.login()}`,
      secrets: () => [credentials.secret, ...(this.#token ? [this.#token.value] : [])],
    });
  }

  get origin(): string {
    return this.#client.origin;
  }

  /**
   * `POST /v2/users/login` with the password or a personal access token: the
   * Hub documents both for this route (deprecated in favour of
   * `/v2/auth/token`, which the Hub also serves; search of docs.docker.com,
   * PostUsersLogin and UsersLoginRequest). Refused credentials are
   * REGISTRY_UNAUTHORIZED; an account with two-factor login needs a token.
   */
  login(): Promise<string> {
    if (this.#token && this.#token.until > this.now()) return Promise.resolve(this.#token.value);
    this.#pending ??= this.requestLogin().finally(() => (this.#pending = null));
    return this.#pending;
  }

  private async requestLogin(): Promise<string> {
    const { username, secret } = this.#credentials;
    const answer = await this.#client.postJson<{ token?: unknown; login_2fa_token?: unknown }>(
      "v2/users/login",
      { username, password: secret },
      { headers: { authorization: "" }, acceptWithBody: [401] },
    );
    if (answer.status === 401) {
      const twoFactor = answer.body && typeof answer.body === "object" && "login_2fa_token" in answer.body;
      throw new RegistryError(
        "REGISTRY_UNAUTHORIZED",
        twoFactor
          ? `Docker Hub asks ${username} for a second login factor: use a personal access token as the secret`
          : `Docker Hub refused the login of ${username}: check the username (the Docker ID) and the password or personal access token`,
        { status: 401 },
      );
    }
    const token = answer.body?.token;
    if (typeof token !== "string" || !token) throw new RegistryError("REGISTRY_PROTOCOL", "the Docker Hub login answered without a token", { retryable: false });
    this.#token = { value: token, until: this.now() + TOKEN_REUSE_MS };
    return token;
  }

  /** Every repository of a namespace (`pageSize` to ask for one page only). */
  repositories(namespace: string, pageSize = PAGE_SIZE): AsyncIterable<HubRepository> {
    return this.every<HubRepository>(this.#client.url(`v2/namespaces/${encodeURIComponent(namespace)}/repositories`, { page_size: pageSize }));
  }

  /** Every tag of `namespace/repository`. */
  async tags(namespace: string, repository: string): Promise<HubTag[]> {
    const tags: HubTag[] = [];
    const first = this.#client.url(`v2/namespaces/${encodeURIComponent(namespace)}/repositories/${encodeURIComponent(repository)}/tags`, { page_size: PAGE_SIZE });
    for await (const tag of this.every<HubTag>(first)) tags.push(tag);
    return tags;
  }

  /** Who owns a namespace; null when the Hub knows no such user. */
  async owner(namespace: string): Promise<HubNamespaceOwner | null> {
    const answer = await this.#client.getJson<HubNamespaceOwner>(`v2/users/${encodeURIComponent(namespace)}`, {}, { accept: [404] });
    return answer.status === 404 ? null : (answer.body ?? {});
  }

  close(): Promise<void> {
    return this.#client.close();
  }

  private async *every<T>(first: URL): AsyncIterable<T> {
    const pages = this.#client.pages<HubPage<T>>(first, (answer) => {
      const next = answer.body?.next;
      if (!next) return undefined;
      const url = new URL(next, answer.url);
      // The login token goes to the API's origin only; a `next` elsewhere is not followed at all.
      if (url.origin !== this.origin) throw new RegistryError("REGISTRY_PROTOCOL", `the Docker Hub API's next page is on another origin (${url.origin})`, { retryable: false });
      return url;
    });
    for await (const page of pages) {
      const results = page.body?.results;
      if (!Array.isArray(results)) throw new RegistryError("REGISTRY_PROTOCOL", "a Docker Hub API page has no results list", { retryable: false });
      yield* results;
    }
  }
}
