import { AuthMethod, RegistryType, RepositoryPathMethod } from "../../../db/enums";
import type { FieldError } from "../../../lib/errors";
import { REGISTRY_TYPES, type FieldUse } from "./registry-types";

/** A registry as it would be stored, before the per-type rules have accepted it. */
export interface RegistryDraft {
  type: RegistryType;
  url: string | null;
  apiUrl: string | null;
  repositoryPathMethod: RepositoryPathMethod | null;
  repositoryKey: string | null;
  insecure: boolean;
  authMethod: AuthMethod;
  username: string | null;
  /** The secret given with this request, if any. */
  newSecret: string | null;
  /** Whether a secret will be stored after this request (given now, or kept). */
  hasSecret: boolean;
}

const YANDEX_REGISTRY_ID = /^[a-z0-9]+$/;

/** Fills the type's default addresses and drops trailing slashes so equal addresses compare equal. */
export function normaliseAddresses<T extends Pick<RegistryDraft, "type" | "url" | "apiUrl">>(draft: T): T {
  const spec = REGISTRY_TYPES[draft.type];
  return {
    ...draft,
    url: stripSlash(draft.url ?? spec.url.default ?? null),
    apiUrl: stripSlash(draft.apiUrl ?? spec.apiUrl.default ?? null),
  };
}

function stripSlash(url: string | null): string | null {
  return url === null ? null : url.trim().replace(/\/+$/, "");
}

/** The per-type rules of DESIGN §2: address fields, repository key, auth methods and credentials. */
export function checkRegistryDraft(draft: RegistryDraft): FieldError[] {
  const spec = REGISTRY_TYPES[draft.type];
  const errors: FieldError[] = [];
  const add = (field: string, message: string) => errors.push({ field, message });
  const presence = (field: string, value: unknown, use: FieldUse, why = "") => {
    const given = value !== null && value !== undefined && value !== "";
    if (use === "REQUIRED" && !given) add(field, `is required for ${draft.type} registries${why}`);
    if (use === "REFUSED" && given) add(field, `is not used by ${draft.type} registries${why}`);
  };

  presence("url", draft.url, spec.url.use);
  presence("apiUrl", draft.apiUrl, spec.apiUrl.use);
  for (const field of ["url", "apiUrl"] as const) {
    const value = draft[field];
    if (value) {
      const problem = checkAddress(value, draft.insecure);
      if (problem) add(field, problem);
    }
  }

  presence("repositoryPathMethod", draft.repositoryPathMethod, spec.repositoryPathMethod);
  let keyUse = spec.repositoryKey;
  let keyWhy = "";
  if (draft.type === RegistryType.ARTIFACTORY && draft.repositoryPathMethod) {
    keyUse = draft.repositoryPathMethod === RepositoryPathMethod.REPOSITORY_PATH ? "REFUSED" : "REQUIRED";
    keyWhy = ` with repositoryPathMethod ${draft.repositoryPathMethod}`;
  }
  presence("repositoryKey", draft.repositoryKey, keyUse, keyWhy);

  if (draft.type === RegistryType.GITLAB && draft.apiUrl && !/\/api\/v4$/.test(draft.apiUrl)) {
    add("apiUrl", "must be the GitLab REST API address, ending in /api/v4");
  }
  if (draft.type === RegistryType.YANDEX && draft.url && !checkAddress(draft.url, draft.insecure)) {
    const segments = new URL(draft.url).pathname.split("/").filter(Boolean);
    if (segments.length !== 1 || !YANDEX_REGISTRY_ID.test(segments[0])) {
      add("url", "must be the registry address with its id, like https://cr.yandex/<registryId>");
    }
  }

  if (!spec.authMethods.includes(draft.authMethod)) {
    add("authMethod", `${draft.authMethod} is not accepted for ${draft.type}; use ${spec.authMethods.join(" or ")}`);
  } else {
    errors.push(...checkCredentials(draft));
  }
  return errors;
}

function checkCredentials(draft: RegistryDraft): FieldError[] {
  const errors: FieldError[] = [];
  const add = (field: string, message: string) => errors.push({ field, message });
  const spec = REGISTRY_TYPES[draft.type];
  const method = draft.authMethod;

  if (method === AuthMethod.NONE) {
    if (draft.username) add("username", "must be empty with authMethod NONE");
    if (draft.newSecret) add("secret", "must be empty with authMethod NONE");
    return errors;
  }
  if (!draft.hasSecret) add("secret", `is required with authMethod ${method}`);

  const usernameRequired =
    method === AuthMethod.ACCOUNT || draft.type === RegistryType.DOCKER_HUB || spec.usernameValues !== undefined;
  if (usernameRequired && !draft.username) {
    const why =
      draft.type === RegistryType.DOCKER_HUB
        ? " (the Docker Hub namespace)"
        : spec.usernameValues
          ? ` (the secret's kind: ${spec.usernameValues.join(", ")})`
          : "";
    add("username", `is required with authMethod ${method}${why}`);
  }
  if (spec.usernameValues && draft.username && !spec.usernameValues.includes(draft.username)) {
    add("username", `must be one of ${spec.usernameValues.join(", ")}: the kind of secret given`);
  }
  if (draft.type === RegistryType.YANDEX && draft.username === "json_key" && draft.newSecret) {
    const problem = checkServiceAccountKey(draft.newSecret);
    if (problem) add("secret", problem);
  }
  return errors;
}

/** Returns why an address is unusable, or null. */
export function checkAddress(value: string, insecure: boolean): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "is not a valid URL";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return "must start with https:// or http://";
  if (url.username || url.password) return "must not contain credentials: use username and secret";
  if (url.search || url.hash) return "must not have a query or fragment";
  if (url.protocol === "http:" && !insecure) return "uses http://, which needs insecure: true";
  return null;
}

function checkServiceAccountKey(secret: string): string | null {
  try {
    const key = JSON.parse(secret) as Record<string, unknown>;
    const missing = ["id", "service_account_id", "private_key"].filter((k) => typeof key?.[k] !== "string");
    return missing.length === 0 ? null : `is not an authorized key JSON: missing ${missing.join(", ")}`;
  } catch {
    return "must be the service account's authorized key JSON when username is json_key";
  }
}
