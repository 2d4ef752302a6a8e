/**
 * Pushes what image-builder.ts builds to a registry over the distribution API
 * (undici), with optional Basic auth or a per-scope Authorization (Bearer tokens):
 *   blobs      HEAD /v2/<name>/blobs/<digest> (skip when present), else
 *              POST /v2/<name>/blobs/uploads/ → 202 Location, PUT <Location>&digest=<digest>
 *   manifests  PUT /v2/<name>/manifests/<tag|digest> with the manifest's media type
 */
import { request } from "undici";
import {
  buildImage,
  buildMultiPlatform,
  type BuiltAttestation,
  type BuiltImage,
  type BuiltManifest,
  type BuiltMultiPlatform,
  type ContentBlob,
  type ImageSpec,
  type MultiPlatformOptions,
  type PlatformImageSpec,
} from "./image-builder";

/** Where to push: a RunningRegistry fits, or any `{ url, auth? }`, or an emulator's `pushTarget()`. */
export interface RegistryTarget {
  /** `http://127.0.0.1:<port>` */
  url: string;
  auth?: { username: string; password: string };
  /**
   * The Authorization header for a token scope (`repository:<name>:pull,push`,
   * `registry:catalog:*`), e.g. `Bearer <token>`; used instead of `auth`.
   */
  authorization?: (scope: string) => string | Promise<string>;
}

export class RegistryError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`${message}: HTTP ${status} ${body.slice(0, 500)}`);
  }
}

export interface RegistryAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  json<T = any>(): T;
}

const REPOSITORY = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

function checkRepository(repo: string): void {
  if (!REPOSITORY.test(repo) || repo.length > 255) throw new Error(`invalid repository name: ${repo}`);
}

function checkReference(reference: string): void {
  if (!TAG.test(reference) && !DIGEST.test(reference)) throw new Error(`invalid tag or digest: ${reference}`);
}

/** The token scope a request to `path` needs when pushing (undefined for /v2/ itself). */
function pushScope(path: string): string | undefined {
  if (path === "/v2/_catalog") return "registry:catalog:*";
  const repository = /^\/v2\/(.+)\/(?:blobs|manifests|tags)\//.exec(path)?.[1];
  return repository ? `repository:${repository}:pull,push` : undefined;
}

export function basicAuth(auth: { username: string; password: string }): string {
  return "Basic " + Buffer.from(`${auth.username}:${auth.password}`, "utf8").toString("base64");
}

function flatHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (value !== undefined) out[key.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

/**
 * One request to the registry. `target` is a path (`/v2/...`), or an absolute
 * or relative URL (e.g. an upload `Location`), resolved against `registry.url`.
 * Sends the registry's Authorization for the path's scope, or its Basic
 * credentials, unless `auth: false`.
 */
export async function registryRequest(
  registry: RegistryTarget,
  method: "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE",
  target: string,
  options: { headers?: Record<string, string>; body?: Buffer | string; auth?: boolean } = {},
): Promise<RegistryAnswer> {
  const url = new URL(target, registry.url);
  const headers: Record<string, string> = { ...options.headers };
  const scope = registry.authorization && options.auth !== false ? pushScope(url.pathname) : undefined;
  if (scope) headers.authorization = await registry.authorization!(scope);
  else if (registry.auth && options.auth !== false) headers.authorization = basicAuth(registry.auth);
  const answer = await request(url, { method, headers, body: options.body });
  const body = method === "HEAD" ? (await answer.body.dump(), Buffer.alloc(0)) : Buffer.from(await answer.body.arrayBuffer());
  return {
    status: answer.statusCode,
    headers: flatHeaders(answer.headers),
    body,
    json: () => JSON.parse(body.toString("utf8")),
  };
}

export async function blobExists(registry: RegistryTarget, repo: string, digest: string): Promise<boolean> {
  checkRepository(repo);
  const answer = await registryRequest(registry, "HEAD", `/v2/${repo}/blobs/${digest}`);
  if (answer.status === 200) return true;
  if (answer.status === 404) return false;
  throw new RegistryError(`HEAD blob ${repo}@${digest}`, answer.status, "");
}

/** Uploads a blob unless the repository has it already; resolves true when it uploaded. */
export async function pushBlob(registry: RegistryTarget, repo: string, blob: ContentBlob): Promise<boolean> {
  if (await blobExists(registry, repo, blob.digest)) return false;
  const started = await registryRequest(registry, "POST", `/v2/${repo}/blobs/uploads/`);
  if (started.status !== 202 || !started.headers.location) {
    throw new RegistryError(`start upload to ${repo}`, started.status, started.body.toString());
  }
  const location = new URL(started.headers.location, registry.url);
  location.searchParams.set("digest", blob.digest);
  const done = await registryRequest(registry, "PUT", location.toString(), {
    headers: { "content-type": "application/octet-stream" },
    body: blob.bytes,
  });
  if (done.status !== 201) throw new RegistryError(`upload ${blob.digest} to ${repo}`, done.status, done.body.toString());
  const stored = done.headers["docker-content-digest"];
  if (stored && stored !== blob.digest) throw new Error(`registry stored ${stored}, expected ${blob.digest}`);
  return true;
}

/** PUTs a manifest under a tag or its digest; resolves its digest. */
export async function pushManifest(
  registry: RegistryTarget,
  repo: string,
  reference: string,
  manifest: Pick<BuiltManifest, "bytes" | "digest" | "mediaType">,
): Promise<string> {
  checkRepository(repo);
  checkReference(reference);
  const answer = await registryRequest(registry, "PUT", `/v2/${repo}/manifests/${reference}`, {
    headers: { "content-type": manifest.mediaType },
    body: manifest.bytes,
  });
  if (answer.status !== 201) throw new RegistryError(`PUT manifest ${repo}:${reference}`, answer.status, answer.body.toString());
  const stored = answer.headers["docker-content-digest"];
  if (stored && stored !== manifest.digest) throw new Error(`registry stored manifest ${stored}, expected ${manifest.digest}`);
  return manifest.digest;
}

export async function deleteManifest(registry: RegistryTarget, repo: string, digest: string): Promise<void> {
  const answer = await registryRequest(registry, "DELETE", `/v2/${repo}/manifests/${digest}`);
  if (answer.status !== 202) throw new RegistryError(`DELETE ${repo}@${digest}`, answer.status, answer.body.toString());
}

export interface PushedImage {
  manifestDigest: string;
  configDigest: string;
  /** The tag it was pushed under, or its digest. */
  reference: string;
  image: BuiltImage;
}

/** Pushes a built image's blobs, then its manifest under `tag` (or only by digest when `tag` is undefined). */
export async function pushBuiltImage(
  registry: RegistryTarget,
  repo: string,
  tag: string | undefined,
  image: BuiltImage,
): Promise<PushedImage> {
  checkRepository(repo);
  for (const blob of [image.config, ...image.layers]) await pushBlob(registry, repo, blob);
  const reference = tag ?? image.manifest.digest;
  await pushManifest(registry, repo, reference, image.manifest);
  return { manifestDigest: image.manifest.digest, configDigest: image.config.digest, reference, image };
}

/** Builds and pushes one image: `pushImage(registry, "team/api", "1.0", { layers, config, format: "oci" })`. */
export function pushImage(registry: RegistryTarget, repo: string, tag: string | undefined, spec: ImageSpec): Promise<PushedImage> {
  return pushBuiltImage(registry, repo, tag, buildImage(spec));
}

export interface PushedIndex {
  indexDigest: string;
  mediaType: string;
  images: PushedImage[];
  attestations: (PushedImage & { image: BuiltAttestation })[];
  built: BuiltMultiPlatform;
}

/** Pushes a built index: every child by digest first (the registry checks they exist), then the index under `tag`. */
export async function pushBuiltIndex(
  registry: RegistryTarget,
  repo: string,
  tag: string | undefined,
  built: BuiltMultiPlatform,
): Promise<PushedIndex> {
  const images: PushedImage[] = [];
  for (const image of built.images) images.push(await pushBuiltImage(registry, repo, undefined, image));
  const attestations: PushedIndex["attestations"] = [];
  for (const attestation of built.attestations) {
    attestations.push({ ...(await pushBuiltImage(registry, repo, undefined, attestation)), image: attestation });
  }
  await pushManifest(registry, repo, tag ?? built.index.digest, built.index);
  return { indexDigest: built.index.digest, mediaType: built.index.mediaType, images, attestations, built };
}

/**
 * Builds and pushes a multi-platform image: one image per platform, optional
 * BuildKit attestations, and an OCI index (or Docker manifest list) under `tag`.
 */
export function pushIndex(
  registry: RegistryTarget,
  repo: string,
  tag: string | undefined,
  platforms: PlatformImageSpec[],
  options: MultiPlatformOptions = {},
): Promise<PushedIndex> {
  return pushBuiltIndex(registry, repo, tag, buildMultiPlatform(platforms, { name: `${repo}@${tag ?? "latest"}`, ...options }));
}
