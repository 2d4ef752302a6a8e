export { DistributionClient, type ClientOptions, type FetchedManifest, type ManifestHead } from "./client";
export { type RegistryEndpoint, type RegistryCredentials, type CredentialsSource, originOf } from "./endpoint";
export { type AuthScheme } from "./auth";
export { type RetryOptions, type RetryEvent, DEFAULT_RETRY } from "./retry";
export { MediaTypes, MANIFEST_ACCEPT, type ManifestJson, type ImageManifestJson, type ImageIndexJson, type Descriptor, type Platform } from "./media-types";
export { parseDigest, digestOf, type ParsedDigest } from "./digest";
export { isRepositoryName, isTag, isReference } from "./reference";
