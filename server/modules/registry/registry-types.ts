import { AuthMethod, RegistryType } from "../../../db/enums";

export type FieldUse = "REQUIRED" | "OPTIONAL" | "REFUSED";

/** What one registry type takes: the single source for validation and for the `registryTypes` query. */
export interface RegistryTypeSpec {
  type: RegistryType;
  label: string;
  url: { use: FieldUse; default?: string; about: string };
  apiUrl: { use: FieldUse; default?: string; about: string };
  repositoryPathMethod: FieldUse;
  /** Artifactory needs a key for SUBDOMAIN and PORT only; see registry-rules.ts. */
  repositoryKey: FieldUse;
  authMethods: AuthMethod[];
  /** Fixed values `username` must take for API_KEY, when the type has them. */
  usernameValues?: string[];
  minimumRights: string;
}

export const DOCKER_HUB_REGISTRY_URL = "https://registry-1.docker.io";
export const DOCKER_HUB_API_URL = "https://hub.docker.com";
export const YANDEX_API_URL = "https://container-registry.api.cloud.yandex.net";
export const YANDEX_KEY_KINDS = ["oauth", "iam", "json_key"];

export const REGISTRY_TYPES: Record<RegistryType, RegistryTypeSpec> = {
  [RegistryType.DOCKER_REGISTRY]: {
    type: RegistryType.DOCKER_REGISTRY,
    label: "Docker Registry v2 (CNCF distribution)",
    url: { use: "REQUIRED", about: "registry address, e.g. https://registry.example.com" },
    apiUrl: { use: "REFUSED", about: "not used" },
    repositoryPathMethod: "REFUSED",
    repositoryKey: "REFUSED",
    authMethods: [AuthMethod.ACCOUNT, AuthMethod.NONE],
    minimumRights: "pull rights on every repository, and access to /v2/_catalog; NONE for anonymous registries",
  },
  [RegistryType.HARBOR]: {
    type: RegistryType.HARBOR,
    label: "Harbor",
    url: { use: "REQUIRED", about: "Harbor address, e.g. https://harbor.example.com" },
    apiUrl: { use: "REFUSED", about: "not used: the API is at url/api/v2.0" },
    repositoryPathMethod: "REFUSED",
    repositoryKey: "REFUSED",
    authMethods: [AuthMethod.ACCOUNT],
    minimumRights:
      "a project member of type User with the role Limited Guest (not an administrator); a robot account (robot$…) with pull and list rights also works",
  },
  [RegistryType.GITLAB]: {
    type: RegistryType.GITLAB,
    label: "GitLab container registry",
    url: { use: "REQUIRED", about: "container registry address, e.g. https://registry.gitlab.example.com" },
    apiUrl: { use: "REQUIRED", about: "GitLab REST API, ending in /api/v4" },
    repositoryPathMethod: "REFUSED",
    repositoryKey: "REFUSED",
    authMethods: [AuthMethod.ACCOUNT],
    minimumRights: "the Reporter role on the projects to scan; an access token with the scopes read_api and read_registry",
  },
  [RegistryType.ARTIFACTORY]: {
    type: RegistryType.ARTIFACTORY,
    label: "JFrog Artifactory",
    url: {
      use: "REQUIRED",
      about: "…/artifactory for REPOSITORY_PATH; the repository's Docker endpoint for SUBDOMAIN and PORT",
    },
    apiUrl: { use: "OPTIONAL", about: "…/artifactory REST base when url is a SUBDOMAIN or PORT endpoint" },
    repositoryPathMethod: "REQUIRED",
    repositoryKey: "OPTIONAL",
    authMethods: [AuthMethod.ACCOUNT, AuthMethod.API_KEY],
    minimumRights: "the permissions Manage Reports and Can Update Profile, and read on any repository to scan",
  },
  [RegistryType.NEXUS]: {
    type: RegistryType.NEXUS,
    label: "Sonatype Nexus Repository",
    url: { use: "REQUIRED", about: "Nexus address, or a Docker connector port's address" },
    apiUrl: { use: "REFUSED", about: "not used" },
    repositoryPathMethod: "REFUSED",
    repositoryKey: "OPTIONAL",
    authMethods: [AuthMethod.ACCOUNT],
    minimumRights:
      "a role with the privileges nx-apikey-all, nx-repository-view-docker-*-browse and nx-repository-view-docker-*-read",
  },
  [RegistryType.DOCKER_HUB]: {
    type: RegistryType.DOCKER_HUB,
    label: "Docker Hub",
    url: { use: "OPTIONAL", default: DOCKER_HUB_REGISTRY_URL, about: "registry address" },
    apiUrl: { use: "OPTIONAL", default: DOCKER_HUB_API_URL, about: "Hub API address" },
    repositoryPathMethod: "REFUSED",
    repositoryKey: "REFUSED",
    authMethods: [AuthMethod.ACCOUNT, AuthMethod.API_KEY],
    minimumRights:
      "a user name and password or personal access token; username is the namespace, and only that personal namespace is scanned",
  },
  [RegistryType.YANDEX]: {
    type: RegistryType.YANDEX,
    label: "Yandex Container Registry",
    url: { use: "REQUIRED", about: "https://cr.yandex/<registryId>" },
    apiUrl: { use: "OPTIONAL", default: YANDEX_API_URL, about: "Container Registry API address" },
    repositoryPathMethod: "REFUSED",
    repositoryKey: "REFUSED",
    authMethods: [AuthMethod.API_KEY],
    usernameValues: YANDEX_KEY_KINDS,
    minimumRights:
      "container-registry.viewer and container-registry.images.puller on the registry; username names the secret's kind: oauth, iam or json_key",
  },
};
