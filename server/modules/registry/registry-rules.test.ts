import { AuthMethod, RegistryType, RepositoryPathMethod } from "../../../db/enums";
import { checkAddress, checkRegistryDraft, normaliseAddresses, type RegistryDraft } from "./registry-rules";

const T = RegistryType;
const A = AuthMethod;

function draft(overrides: Partial<RegistryDraft> & Pick<RegistryDraft, "type">): RegistryDraft {
  const base: RegistryDraft = {
    type: overrides.type,
    url: "https://registry.example.com",
    apiUrl: null,
    repositoryPathMethod: null,
    repositoryKey: null,
    insecure: false,
    authMethod: A.ACCOUNT,
    username: "robot",
    newSecret: "s3cret",
    hasSecret: true,
  };
  const merged = { ...base, ...overrides };
  return normaliseAddresses(merged);
}

const key = JSON.stringify({ id: "aje1", service_account_id: "aje2", private_key: "-----BEGIN PRIVATE KEY-----" });

/** [case, draft overrides, expected "field: message part" list ([] = accepted)] */
const cases: [string, Partial<RegistryDraft> & Pick<RegistryDraft, "type">, string[]][] = [
  ["docker registry with account", { type: T.DOCKER_REGISTRY }, []],
  ["docker registry anonymous", { type: T.DOCKER_REGISTRY, authMethod: A.NONE, username: null, newSecret: null, hasSecret: false }, []],
  ["NONE refuses a username", { type: T.DOCKER_REGISTRY, authMethod: A.NONE, newSecret: null, hasSecret: false }, ["username: must be empty"]],
  ["NONE refuses a secret", { type: T.DOCKER_REGISTRY, authMethod: A.NONE, username: null }, ["secret: must be empty"]],
  ["docker registry refuses API_KEY", { type: T.DOCKER_REGISTRY, authMethod: A.API_KEY }, ["authMethod: API_KEY is not accepted for DOCKER_REGISTRY"]],
  ["docker registry refuses apiUrl", { type: T.DOCKER_REGISTRY, apiUrl: "https://api.example.com" }, ["apiUrl: is not used"]],
  ["docker registry refuses repositoryKey", { type: T.DOCKER_REGISTRY, repositoryKey: "x" }, ["repositoryKey: is not used"]],
  ["docker registry refuses path method", { type: T.DOCKER_REGISTRY, repositoryPathMethod: RepositoryPathMethod.PORT }, ["repositoryPathMethod: is not used"]],
  ["url required", { type: T.DOCKER_REGISTRY, url: null }, ["url: is required"]],
  ["account needs username", { type: T.DOCKER_REGISTRY, username: null }, ["username: is required with authMethod ACCOUNT"]],
  ["account needs secret", { type: T.DOCKER_REGISTRY, newSecret: null, hasSecret: false }, ["secret: is required with authMethod ACCOUNT"]],
  ["kept secret satisfies", { type: T.DOCKER_REGISTRY, newSecret: null, hasSecret: true }, []],
  ["NONE only for docker registry (harbor)", { type: T.HARBOR, authMethod: A.NONE, username: null, newSecret: null, hasSecret: false }, ["authMethod: NONE is not accepted for HARBOR"]],
  ["harbor robot", { type: T.HARBOR, username: "robot$ci+scanner" }, []],
  ["harbor refuses API_KEY", { type: T.HARBOR, authMethod: A.API_KEY }, ["authMethod: API_KEY is not accepted"]],
  ["gitlab", { type: T.GITLAB, apiUrl: "https://gitlab.example.com/api/v4" }, []],
  ["gitlab needs apiUrl", { type: T.GITLAB }, ["apiUrl: is required for GITLAB"]],
  ["gitlab apiUrl must end in /api/v4", { type: T.GITLAB, apiUrl: "https://gitlab.example.com" }, ["apiUrl: must be the GitLab REST API address"]],
  ["gitlab apiUrl over http needs insecure", { type: T.GITLAB, apiUrl: "http://gitlab.example.com/api/v4" }, ["apiUrl: uses http://, which needs insecure: true"]],
  ["gitlab apiUrl over http with insecure", { type: T.GITLAB, apiUrl: "http://gitlab.example.com/api/v4", insecure: true }, []],
  ["gitlab apiUrl trailing slash normalised", { type: T.GITLAB, apiUrl: "https://gitlab.example.com/api/v4/" }, []],
  ["artifactory repository path", { type: T.ARTIFACTORY, url: "https://jfrog.example.com/artifactory", repositoryPathMethod: RepositoryPathMethod.REPOSITORY_PATH }, []],
  ["artifactory needs path method", { type: T.ARTIFACTORY }, ["repositoryPathMethod: is required"]],
  ["artifactory subdomain needs key", { type: T.ARTIFACTORY, repositoryPathMethod: RepositoryPathMethod.SUBDOMAIN }, ["repositoryKey: is required for ARTIFACTORY registries with repositoryPathMethod SUBDOMAIN"]],
  ["artifactory port needs key", { type: T.ARTIFACTORY, repositoryPathMethod: RepositoryPathMethod.PORT }, ["repositoryKey: is required"]],
  ["artifactory port with key", { type: T.ARTIFACTORY, repositoryPathMethod: RepositoryPathMethod.PORT, repositoryKey: "docker-local" }, []],
  ["artifactory repository path refuses key", { type: T.ARTIFACTORY, repositoryPathMethod: RepositoryPathMethod.REPOSITORY_PATH, repositoryKey: "docker-local" }, ["repositoryKey: is not used by ARTIFACTORY registries with repositoryPathMethod REPOSITORY_PATH"]],
  ["artifactory access token", { type: T.ARTIFACTORY, repositoryPathMethod: RepositoryPathMethod.REPOSITORY_PATH, authMethod: A.API_KEY, username: null }, []],
  ["artifactory refuses NONE", { type: T.ARTIFACTORY, repositoryPathMethod: RepositoryPathMethod.REPOSITORY_PATH, authMethod: A.NONE, username: null, newSecret: null, hasSecret: false }, ["authMethod: NONE is not accepted"]],
  ["nexus", { type: T.NEXUS }, []],
  ["nexus with key", { type: T.NEXUS, repositoryKey: "docker-hosted" }, []],
  ["nexus account only", { type: T.NEXUS, authMethod: A.API_KEY }, ["authMethod: API_KEY is not accepted for NEXUS; use ACCOUNT"]],
  ["nexus refuses apiUrl", { type: T.NEXUS, apiUrl: "https://nexus.example.com/service/rest" }, ["apiUrl: is not used"]],
  ["docker hub defaults both addresses", { type: T.DOCKER_HUB, url: null }, []],
  ["docker hub token", { type: T.DOCKER_HUB, url: null, authMethod: A.API_KEY, username: "acme" }, []],
  ["docker hub API_KEY needs namespace", { type: T.DOCKER_HUB, url: null, authMethod: A.API_KEY, username: null }, ["username: is required with authMethod API_KEY (the Docker Hub namespace)"]],
  ["docker hub refuses NONE", { type: T.DOCKER_HUB, url: null, authMethod: A.NONE, username: null, newSecret: null, hasSecret: false }, ["authMethod: NONE is not accepted"]],
  ["yandex oauth", { type: T.YANDEX, url: "https://cr.yandex/crp1abc", authMethod: A.API_KEY, username: "oauth" }, []],
  ["yandex iam", { type: T.YANDEX, url: "https://cr.yandex/crp1abc", authMethod: A.API_KEY, username: "iam" }, []],
  ["yandex json key", { type: T.YANDEX, url: "https://cr.yandex/crp1abc", authMethod: A.API_KEY, username: "json_key", newSecret: key }, []],
  ["yandex json key must be a key", { type: T.YANDEX, url: "https://cr.yandex/crp1abc", authMethod: A.API_KEY, username: "json_key", newSecret: "{}" }, ["secret: is not an authorized key JSON: missing id, service_account_id, private_key"]],
  ["yandex json key must be JSON", { type: T.YANDEX, url: "https://cr.yandex/crp1abc", authMethod: A.API_KEY, username: "json_key", newSecret: "nope" }, ["secret: must be the service account's authorized key JSON"]],
  ["yandex username kind", { type: T.YANDEX, url: "https://cr.yandex/crp1abc", authMethod: A.API_KEY, username: "bob" }, ["username: must be one of oauth, iam, json_key"]],
  ["yandex needs username", { type: T.YANDEX, url: "https://cr.yandex/crp1abc", authMethod: A.API_KEY, username: null }, ["username: is required with authMethod API_KEY (the secret's kind: oauth, iam, json_key)"]],
  ["yandex API_KEY only", { type: T.YANDEX, url: "https://cr.yandex/crp1abc", username: "oauth" }, ["authMethod: ACCOUNT is not accepted for YANDEX; use API_KEY"]],
  ["yandex url needs registry id", { type: T.YANDEX, url: "https://cr.yandex", authMethod: A.API_KEY, username: "oauth" }, ["url: must be the registry address with its id"]],
  ["yandex url with two segments", { type: T.YANDEX, url: "https://cr.yandex/a/b", authMethod: A.API_KEY, username: "oauth" }, ["url: must be the registry address with its id"]],
  ["http needs insecure", { type: T.DOCKER_REGISTRY, url: "http://127.0.0.1:5000" }, ["url: uses http://, which needs insecure: true"]],
  ["http with insecure", { type: T.DOCKER_REGISTRY, url: "http://127.0.0.1:5000", insecure: true }, []],
  ["not a url", { type: T.DOCKER_REGISTRY, url: "registry.example.com" }, ["url: is not a valid URL"]],
  ["ftp refused", { type: T.DOCKER_REGISTRY, url: "ftp://registry.example.com" }, ["url: must start with https:// or http://"]],
  ["credentials in url refused", { type: T.DOCKER_REGISTRY, url: "https://u:p@registry.example.com" }, ["url: must not contain credentials"]],
  ["query refused", { type: T.DOCKER_REGISTRY, url: "https://registry.example.com/?x=1" }, ["url: must not have a query or fragment"]],
  ["several problems at once", { type: T.GITLAB, url: "http://r", username: null }, ["apiUrl: is required", "url: uses http://", "username: is required"]],
];

describe("registry rules per type (DESIGN §2)", () => {
  test.each(cases)("%s", (_name, overrides, expected) => {
    const errors = checkRegistryDraft(draft(overrides)).map((e) => `${e.field}: ${e.message}`);
    expect(errors).toHaveLength(expected.length);
    expected.forEach((part, i) => expect(errors[i]).toContain(part));
  });
});

test("normaliseAddresses fills Docker Hub defaults and strips trailing slashes", () => {
  expect(normaliseAddresses({ type: T.DOCKER_HUB, url: null, apiUrl: null })).toEqual({
    type: T.DOCKER_HUB,
    url: "https://registry-1.docker.io",
    apiUrl: "https://hub.docker.com",
  });
  expect(normaliseAddresses({ type: T.DOCKER_REGISTRY, url: "https://r.example.com//", apiUrl: null }).url).toBe("https://r.example.com");
});

test.each([
  ["https://r.example.com", false, null],
  ["https://r.example.com:8443/prefix", false, null],
  ["http://r.example.com", true, null],
  ["http://r.example.com", false, "needs insecure"],
  ["https://r.example.com#x", false, "query or fragment"],
  ["javascript:alert(1)", false, "https:// or http://"],
  ["", false, "not a valid URL"],
])("checkAddress(%s, insecure=%s)", (url, insecure, problem) => {
  const result = checkAddress(url, insecure);
  if (problem === null) expect(result).toBeNull();
  else expect(result).toContain(problem);
});
