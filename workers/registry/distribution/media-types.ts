/** The manifest media types drydock reads, the Accept header that asks for them, and safe parsing. */
import { RegistryError } from "../errors";
import { DIGEST_GRAMMAR } from "./digest";

export const MediaTypes = {
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerManifestList: "application/vnd.docker.distribution.manifest.list.v2+json",
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  ociIndex: "application/vnd.oci.image.index.v1+json",
  dockerConfig: "application/vnd.docker.container.image.v1+json",
  ociConfig: "application/vnd.oci.image.config.v1+json",
} as const;

export type ManifestMediaType =
  | typeof MediaTypes.dockerManifest
  | typeof MediaTypes.dockerManifestList
  | typeof MediaTypes.ociManifest
  | typeof MediaTypes.ociIndex;

const IMAGE_TYPES: ReadonlySet<string> = new Set([MediaTypes.dockerManifest, MediaTypes.ociManifest]);
const INDEX_TYPES: ReadonlySet<string> = new Set([MediaTypes.dockerManifestList, MediaTypes.ociIndex]);

/** Every manifest type drydock parses, for the `Accept` header of manifest GET and HEAD. */
export const MANIFEST_ACCEPT = [MediaTypes.dockerManifest, MediaTypes.ociManifest, MediaTypes.dockerManifestList, MediaTypes.ociIndex].join(", ");

export interface Platform {
  architecture: string;
  os: string;
  variant?: string;
  "os.version"?: string;
  "os.features"?: string[];
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  annotations?: Record<string, string>;
  urls?: string[];
  artifactType?: string;
}

export interface ImageManifestJson {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export interface ImageIndexJson {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

export type ManifestJson = ImageManifestJson | ImageIndexJson;

export type ParsedManifest =
  | { kind: "image"; mediaType: ManifestMediaType; json: ImageManifestJson }
  | { kind: "index"; mediaType: ManifestMediaType; json: ImageIndexJson };

/** `application/json; charset=utf-8` → `application/json` */
export function bareMediaType(contentType: string | string[] | undefined): string | undefined {
  const value = Array.isArray(contentType) ? contentType[0] : contentType;
  const bare = value?.split(";")[0].trim().toLowerCase();
  return bare || undefined;
}

function protocolError(message: string): RegistryError {
  return new RegistryError("REGISTRY_PROTOCOL", message, { retryable: false });
}

/** JSON.parse that answers REGISTRY_PROTOCOL for anything that is not JSON. */
export function parseJson(bytes: Buffer, what: string): unknown {
  try {
    return JSON.parse(bytes.toString("utf8").replace(/^\uFEFF/, ""));
  } catch {
    throw protocolError(`${what} is not valid JSON`);
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

function isDescriptor(value: unknown): value is Descriptor {
  return (
    isObject(value) &&
    typeof value.mediaType === "string" &&
    typeof value.digest === "string" &&
    DIGEST_GRAMMAR.test(value.digest) &&
    typeof value.size === "number" &&
    Number.isSafeInteger(value.size) &&
    value.size >= 0
  );
}

/**
 * Parses manifest bytes: the media type comes from the manifest's own
 * `mediaType`, else the `Content-Type` header, else its shape. Docker schema 1
 * and anything else that is not one of the four types is REGISTRY_PROTOCOL.
 */
export function parseManifest(bytes: Buffer, contentType: string | string[] | undefined, what = "manifest"): ParsedManifest {
  const json = parseJson(bytes, what);
  if (!isObject(json)) throw protocolError(`${what} is not a JSON object`);
  if (json.schemaVersion !== 2) {
    throw protocolError(`${what} has schemaVersion ${JSON.stringify(json.schemaVersion)}; only schema 2 (Docker v2 / OCI) is supported`);
  }
  const header = bareMediaType(contentType);
  const declared = typeof json.mediaType === "string" ? json.mediaType : undefined;
  const mediaType =
    declared ??
    (header && (IMAGE_TYPES.has(header) || INDEX_TYPES.has(header))
      ? header
      : Array.isArray(json.manifests)
        ? MediaTypes.ociIndex
        : MediaTypes.ociManifest);
  if (INDEX_TYPES.has(mediaType)) {
    if (!Array.isArray(json.manifests) || !json.manifests.every(isDescriptor)) throw protocolError(`${what}: an index needs a list of valid descriptors`);
    return { kind: "index", mediaType: mediaType as ManifestMediaType, json: json as unknown as ImageIndexJson };
  }
  if (IMAGE_TYPES.has(mediaType)) {
    if (!isDescriptor(json.config) || !Array.isArray(json.layers) || !json.layers.every(isDescriptor)) {
      throw protocolError(`${what}: an image manifest needs a config descriptor and a list of layer descriptors`);
    }
    return { kind: "image", mediaType: mediaType as ManifestMediaType, json: json as unknown as ImageManifestJson };
  }
  throw protocolError(`${what} has unsupported media type ${JSON.stringify(mediaType.slice(0, 200))}`);
}
