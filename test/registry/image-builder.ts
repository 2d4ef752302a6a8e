/**
 * Pure builders for container images the tests make themselves: tar layers
 * (files, directories, symlinks, hard links, whiteouts), image configs, Docker
 * schema 2 and OCI manifests, Docker manifest lists and OCI indexes, and
 * BuildKit-style attestation manifests. Nothing here does I/O; see push.ts.
 *
 * Everything is deterministic: the same input gives the same bytes and digests
 * (fixed mtimes, uid/gid 0, gzip without a timestamp).
 */
import { createHash } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";

// ---------------------------------------------------------------- media types

export const MediaTypes = {
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerManifestList: "application/vnd.docker.distribution.manifest.list.v2+json",
  dockerConfig: "application/vnd.docker.container.image.v1+json",
  dockerLayerGzip: "application/vnd.docker.image.rootfs.diff.tar.gzip",
  dockerLayerTar: "application/vnd.docker.image.rootfs.diff.tar",
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  ociIndex: "application/vnd.oci.image.index.v1+json",
  ociConfig: "application/vnd.oci.image.config.v1+json",
  ociLayerGzip: "application/vnd.oci.image.layer.v1.tar+gzip",
  ociLayerTar: "application/vnd.oci.image.layer.v1.tar",
  inToto: "application/vnd.in-toto+json",
} as const;

/** Every manifest type, for an `Accept` header. */
export const MANIFEST_ACCEPT = [
  MediaTypes.ociIndex,
  MediaTypes.ociManifest,
  MediaTypes.dockerManifestList,
  MediaTypes.dockerManifest,
].join(", ");

export type ManifestFormat = "docker" | "oci";

// ---------------------------------------------------------------- basics

export interface ContentBlob {
  bytes: Buffer;
  /** `sha256:<hex>` of `bytes` */
  digest: string;
  size: number;
}

export type { Descriptor, Platform } from "../../workers/registry/distribution/media-types";
import type { Descriptor, Platform } from "../../workers/registry/distribution/media-types";

export function sha256(bytes: Buffer | string): string {
  return "sha256:" + createHash("sha256").update(bytes).digest("hex");
}

export function blobOf(bytes: Buffer | string): ContentBlob {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
  return { bytes: buffer, digest: sha256(buffer), size: buffer.length };
}

export function jsonBlob(value: unknown): ContentBlob {
  return blobOf(JSON.stringify(value));
}

export const platformString = (p: Platform): string => [p.os, p.architecture, p.variant].filter(Boolean).join("/");

// ---------------------------------------------------------------- tar

/** Default mtime of tar entries: 2024-01-01T00:00:00Z. */
export const DEFAULT_MTIME = new Date("2024-01-01T00:00:00Z");

interface EntryCommon {
  /** Path inside the image, e.g. `etc/os-release` (a leading `/` or `./` is dropped). */
  path: string;
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: Date;
}
export type TarEntry =
  | (EntryCommon & { type?: "file"; content: string | Uint8Array })
  | (EntryCommon & { type: "dir" })
  | (EntryCommon & { type: "symlink"; target: string })
  | (EntryCommon & { type: "hardlink"; target: string })
  /** Deletes `path` from lower layers: written as `<dir>/.wh.<name>`. */
  | (EntryCommon & { type: "whiteout" })
  /** Hides everything lower layers put in directory `path`: `<path>/.wh..wh..opq`. */
  | (EntryCommon & { type: "opaque" });

export const file = (path: string, content: string | Uint8Array, mode?: number): TarEntry => ({ path, content, mode });
export const dir = (path: string, mode?: number): TarEntry => ({ type: "dir", path, mode });
export const symlink = (path: string, target: string): TarEntry => ({ type: "symlink", path, target });
export const hardlink = (path: string, target: string): TarEntry => ({ type: "hardlink", path, target });
export const whiteout = (path: string): TarEntry => ({ type: "whiteout", path });
export const opaqueWhiteout = (dirPath: string): TarEntry => ({ type: "opaque", path: dirPath });

const BLOCK = 512;

function cleanPath(p: string): string {
  let out = p.replace(/\/+/g, "/");
  while (out.startsWith("./")) out = out.slice(2);
  out = out.replace(/^\/+/, "").replace(/\/+$/, "");
  if (!out || out === ".") throw new Error(`empty tar path: ${JSON.stringify(p)}`);
  return out;
}

function splitPath(p: string): { parent: string; name: string } {
  const at = p.lastIndexOf("/");
  return at < 0 ? { parent: "", name: p } : { parent: p.slice(0, at + 1), name: p.slice(at + 1) };
}

function writeString(header: Buffer, offset: number, length: number, value: string): void {
  const bytes = Buffer.from(value, "utf8");
  if (bytes.length > length) throw new Error(`tar header field too long: ${value}`);
  bytes.copy(header, offset);
}

function writeOctal(header: Buffer, offset: number, length: number, value: number): void {
  const digits = Math.floor(value).toString(8);
  if (digits.length > length - 1) throw new Error(`tar header number too large: ${value}`);
  header.write(digits.padStart(length - 1, "0") + "\0", offset, length, "ascii");
}

interface RawEntry {
  name: string;
  typeflag: string;
  mode: number;
  uid: number;
  gid: number;
  mtime: Date;
  linkname?: string;
  body?: Buffer;
}

function header(raw: RawEntry): Buffer {
  const h = Buffer.alloc(BLOCK);
  writeString(h, 0, 100, raw.name);
  writeOctal(h, 100, 8, raw.mode & 0o7777);
  writeOctal(h, 108, 8, raw.uid);
  writeOctal(h, 116, 8, raw.gid);
  writeOctal(h, 124, 12, raw.body?.length ?? 0);
  writeOctal(h, 136, 12, Math.floor(raw.mtime.getTime() / 1000));
  h.write("        ", 148, 8, "ascii"); // checksum placeholder
  h.write(raw.typeflag, 156, 1, "ascii");
  if (raw.linkname) writeString(h, 157, 100, raw.linkname);
  h.write("ustar\0", 257, 6, "ascii");
  h.write("00", 263, 2, "ascii");
  writeString(h, 265, 32, raw.uid === 0 ? "root" : "");
  writeString(h, 297, 32, raw.gid === 0 ? "root" : "");
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148, 8, "ascii");
  return h;
}

function padded(body: Buffer): Buffer[] {
  const rest = body.length % BLOCK;
  return rest ? [body, Buffer.alloc(BLOCK - rest)] : [body];
}

function paxRecord(key: string, value: string): string {
  // "<length> <key>=<value>\n" where <length> counts the whole record, its own digits included
  const payload = ` ${key}=${value}\n`;
  const base = Buffer.byteLength(payload);
  let length = base + String(base).length;
  if (String(length).length !== String(base).length) length = base + String(length).length;
  return `${length}${payload}`;
}

function rawBlocks(raw: RawEntry): Buffer[] {
  const out: Buffer[] = [];
  const pax: string[] = [];
  let name = raw.name;
  let linkname = raw.linkname;
  if (Buffer.byteLength(name) > 100) {
    pax.push(paxRecord("path", name));
    name = Buffer.from(name).subarray(0, 100).toString("latin1").replace(/[^\x20-\x7e]/g, "_");
  }
  if (linkname && Buffer.byteLength(linkname) > 100) {
    pax.push(paxRecord("linkpath", linkname));
    linkname = linkname.slice(0, 100).replace(/[^\x20-\x7e]/g, "_");
  }
  if (pax.length) {
    const body = Buffer.from(pax.join(""), "utf8");
    out.push(header({ ...raw, name: "PaxHeaders/" + name.slice(0, 80), typeflag: "x", linkname: undefined, body }));
    out.push(...padded(body));
  }
  out.push(header({ ...raw, name, linkname }));
  if (raw.body?.length) out.push(...padded(raw.body));
  return out;
}

function toRaw(entry: TarEntry, mtime: Date): RawEntry {
  const path = cleanPath(entry.path);
  const common = { uid: entry.uid ?? 0, gid: entry.gid ?? 0, mtime: entry.mtime ?? mtime };
  switch (entry.type) {
    case undefined:
    case "file":
      return {
        ...common,
        name: path,
        typeflag: "0",
        mode: entry.mode ?? 0o644,
        body: Buffer.from(typeof entry.content === "string" ? Buffer.from(entry.content, "utf8") : entry.content),
      };
    case "dir":
      return { ...common, name: path + "/", typeflag: "5", mode: entry.mode ?? 0o755 };
    case "symlink":
      return { ...common, name: path, typeflag: "2", mode: entry.mode ?? 0o777, linkname: entry.target };
    case "hardlink":
      return { ...common, name: path, typeflag: "1", mode: entry.mode ?? 0o644, linkname: cleanPath(entry.target) };
    case "whiteout": {
      const { parent, name } = splitPath(path);
      return { ...common, name: `${parent}.wh.${name}`, typeflag: "0", mode: entry.mode ?? 0o644, body: Buffer.alloc(0) };
    }
    case "opaque":
      return { ...common, name: `${path}/.wh..wh..opq`, typeflag: "0", mode: entry.mode ?? 0o644, body: Buffer.alloc(0) };
  }
}

/** An uncompressed tar (ustar, PAX headers for names over 100 bytes), entries in the given order. */
export function buildTar(entries: TarEntry[], options: { mtime?: Date } = {}): Buffer {
  const mtime = options.mtime ?? DEFAULT_MTIME;
  const blocks = entries.flatMap((entry) => rawBlocks(toRaw(entry, mtime)));
  blocks.push(Buffer.alloc(BLOCK * 2)); // end of archive
  return Buffer.concat(blocks);
}

export interface ParsedTarEntry {
  path: string;
  type: "file" | "dir" | "symlink" | "hardlink" | "other";
  mode: number;
  uid: number;
  gid: number;
  mtime: Date;
  size: number;
  linkTarget?: string;
  content: Buffer;
}

function readString(h: Buffer, offset: number, length: number): string {
  const field = h.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return field.subarray(0, end < 0 ? length : end).toString("utf8");
}

function readOctal(h: Buffer, offset: number, length: number): number {
  const text = readString(h, offset, length).trim();
  return text ? parseInt(text, 8) : 0;
}

function parsePax(body: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let at = 0;
  while (at < body.length) {
    const space = body.indexOf(0x20, at);
    if (space < 0) break;
    const length = parseInt(body.subarray(at, space).toString("ascii"), 10);
    if (!length) break;
    const record = body.subarray(space + 1, at + length - 1).toString("utf8");
    const eq = record.indexOf("=");
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    at += length;
  }
  return out;
}

/** Reads a tar (gzip-compressed or not): enough of ustar, PAX and GNU long names for image layers. */
export function parseTar(archive: Buffer): ParsedTarEntry[] {
  const tar = archive[0] === 0x1f && archive[1] === 0x8b ? gunzipSync(archive) : archive;
  const entries: ParsedTarEntry[] = [];
  let pending: Record<string, string> = {};
  let at = 0;
  while (at + BLOCK <= tar.length) {
    const h = tar.subarray(at, at + BLOCK);
    at += BLOCK;
    if (h.every((byte) => byte === 0)) break;
    const size = readOctal(h, 124, 12);
    const body = tar.subarray(at, at + size);
    at += Math.ceil(size / BLOCK) * BLOCK;
    const typeflag = String.fromCharCode(h[156] || 0x30);
    if (typeflag === "x") {
      pending = { ...pending, ...parsePax(body) };
      continue;
    }
    if (typeflag === "g") continue;
    if (typeflag === "L" || typeflag === "K") {
      pending[typeflag === "L" ? "path" : "linkpath"] = body.toString("utf8").replace(/\0+$/, "");
      continue;
    }
    const prefix = readString(h, 345, 155);
    let path = pending.path ?? (prefix ? `${prefix}/${readString(h, 0, 100)}` : readString(h, 0, 100));
    const linkTarget = pending.linkpath ?? readString(h, 157, 100);
    pending = {};
    const type =
      typeflag === "0" || typeflag === "7"
        ? "file"
        : typeflag === "5"
          ? "dir"
          : typeflag === "2"
            ? "symlink"
            : typeflag === "1"
              ? "hardlink"
              : "other";
    if (type === "dir") path = path.replace(/\/+$/, "");
    entries.push({
      path,
      type,
      mode: readOctal(h, 100, 8),
      uid: readOctal(h, 108, 8),
      gid: readOctal(h, 116, 8),
      mtime: new Date(readOctal(h, 136, 12) * 1000),
      size,
      ...(type === "symlink" || type === "hardlink" ? { linkTarget } : {}),
      content: Buffer.from(body),
    });
  }
  return entries;
}

// ---------------------------------------------------------------- layers

export interface Layer extends ContentBlob {
  /** `sha256:` of the uncompressed tar: what the config's `rootfs.diff_ids` lists. */
  diffId: string;
  /** The uncompressed tar. */
  tar: Buffer;
  compression: "gzip" | "none";
}

/** A layer blob: a tar of `entries`, gzip-compressed unless `compression: "none"`. */
export function buildLayer(entries: TarEntry[], options: { mtime?: Date; compression?: "gzip" | "none" } = {}): Layer {
  const tar = buildTar(entries, options);
  const compression = options.compression ?? "gzip";
  const bytes = compression === "gzip" ? gzipSync(tar, { level: 6 }) : tar;
  return { ...blobOf(bytes), diffId: sha256(tar), tar, compression };
}

export function layerMediaType(format: ManifestFormat, compression: Layer["compression"]): string {
  if (format === "docker") return compression === "gzip" ? MediaTypes.dockerLayerGzip : MediaTypes.dockerLayerTar;
  return compression === "gzip" ? MediaTypes.ociLayerGzip : MediaTypes.ociLayerTar;
}

// ---------------------------------------------------------------- image config

export interface ImageConfigOptions {
  /** RFC 3339 string or Date; default 2024-01-01T00:00:00Z. */
  created?: string | Date;
  architecture?: string; // default amd64
  os?: string; // default linux
  variant?: string;
  author?: string;
  env?: string[];
  cmd?: string[];
  entrypoint?: string[];
  workingDir?: string;
  user?: string;
  labels?: Record<string, string>;
  exposedPorts?: string[];
  /** One history entry per layer (`created_by` as given, or a default); default true. */
  history?: boolean | string[];
}

export interface ImageConfigJson {
  created: string;
  author?: string;
  architecture: string;
  os: string;
  variant?: string;
  config: Record<string, unknown>;
  rootfs: { type: "layers"; diff_ids: string[] };
  history?: { created: string; created_by: string; empty_layer?: boolean }[];
}

export interface BuiltConfig extends ContentBlob {
  json: ImageConfigJson;
}

export function buildImageConfig(layers: Pick<Layer, "diffId">[], options: ImageConfigOptions = {}): BuiltConfig {
  const created =
    options.created instanceof Date ? options.created.toISOString() : (options.created ?? DEFAULT_MTIME.toISOString());
  const config: Record<string, unknown> = {};
  if (options.user) config.User = options.user;
  if (options.exposedPorts) config.ExposedPorts = Object.fromEntries(options.exposedPorts.map((p) => [p, {}]));
  config.Env = options.env ?? ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"];
  if (options.entrypoint) config.Entrypoint = options.entrypoint;
  if (options.cmd) config.Cmd = options.cmd;
  if (options.workingDir) config.WorkingDir = options.workingDir;
  if (options.labels) config.Labels = options.labels;
  const json: ImageConfigJson = {
    created,
    ...(options.author ? { author: options.author } : {}),
    architecture: options.architecture ?? "amd64",
    os: options.os ?? "linux",
    ...(options.variant ? { variant: options.variant } : {}),
    config,
    rootfs: { type: "layers", diff_ids: layers.map((layer) => layer.diffId) },
  };
  const history = options.history ?? true;
  if (history !== false) {
    json.history = layers.map((_, i) => ({
      created,
      created_by: Array.isArray(history) && history[i] ? history[i] : `/bin/sh -c #(nop) layer ${i + 1}`,
    }));
  }
  return { ...jsonBlob(json), json };
}

// ---------------------------------------------------------------- manifests

export interface BuiltManifest extends ContentBlob {
  mediaType: string;
  json: Record<string, unknown>;
}

function manifestBlob(json: Record<string, unknown>, mediaType: string): BuiltManifest {
  return { ...jsonBlob(json), mediaType, json };
}

function descriptorJson(d: Descriptor): Descriptor {
  // stable key order: mediaType, digest, size, urls, annotations, platform
  return {
    mediaType: d.mediaType,
    digest: d.digest,
    size: d.size,
    ...(d.urls ? { urls: d.urls } : {}),
    ...(d.annotations ? { annotations: d.annotations } : {}),
    ...(d.platform ? { platform: d.platform } : {}),
  };
}

/** A single-image manifest from descriptors: Docker schema 2 or OCI (with `mediaType` set, as BuildKit does). */
export function buildManifest(
  format: ManifestFormat,
  config: Descriptor,
  layers: Descriptor[],
  options: { annotations?: Record<string, string> } = {},
): BuiltManifest {
  const mediaType = format === "docker" ? MediaTypes.dockerManifest : MediaTypes.ociManifest;
  const json: Record<string, unknown> = {
    schemaVersion: 2,
    mediaType,
    config: descriptorJson(config),
    layers: layers.map(descriptorJson),
  };
  if (options.annotations) {
    if (format === "docker") throw new Error("Docker schema 2 manifests have no annotations");
    json.annotations = options.annotations;
  }
  return manifestBlob(json, mediaType);
}

/** An OCI index or a Docker manifest list of the given entries. */
export function buildIndex(
  format: ManifestFormat,
  manifests: Descriptor[],
  options: { annotations?: Record<string, string> } = {},
): BuiltManifest {
  const mediaType = format === "docker" ? MediaTypes.dockerManifestList : MediaTypes.ociIndex;
  const json: Record<string, unknown> = { schemaVersion: 2, mediaType, manifests: manifests.map(descriptorJson) };
  if (options.annotations) {
    if (format === "docker") throw new Error("Docker manifest lists have no annotations");
    json.annotations = options.annotations;
  }
  return manifestBlob(json, mediaType);
}

/** The descriptor of a built manifest (for an index entry). */
export function describe(
  manifest: Pick<BuiltManifest, "mediaType" | "digest" | "size">,
  extra: { platform?: Platform; annotations?: Record<string, string> } = {},
): Descriptor {
  return { mediaType: manifest.mediaType, digest: manifest.digest, size: manifest.size, ...extra };
}

// ---------------------------------------------------------------- images

export interface ImageSpec {
  layers: Layer[];
  /** Options for the config blob, or a ready config blob. */
  config?: ImageConfigOptions | BuiltConfig;
  format?: ManifestFormat; // default "docker"
  /** OCI only. */
  annotations?: Record<string, string>;
}

/** Everything one image is made of: push the blobs, then the manifest. */
export interface BuiltImage {
  format: ManifestFormat;
  manifest: BuiltManifest;
  config: BuiltConfig | ContentBlob;
  layers: ContentBlob[];
  platform: Platform;
}

const isBuiltConfig = (config: ImageSpec["config"]): config is BuiltConfig =>
  !!config && "bytes" in config && Buffer.isBuffer(config.bytes);

export function buildImage(spec: ImageSpec): BuiltImage {
  const format = spec.format ?? "docker";
  const config = isBuiltConfig(spec.config) ? spec.config : buildImageConfig(spec.layers, spec.config);
  const configJson = "json" in config ? config.json : undefined;
  const manifest = buildManifest(
    format,
    { mediaType: format === "docker" ? MediaTypes.dockerConfig : MediaTypes.ociConfig, digest: config.digest, size: config.size },
    spec.layers.map((layer) => ({ mediaType: layerMediaType(format, layer.compression), digest: layer.digest, size: layer.size })),
    spec.annotations ? { annotations: spec.annotations } : {},
  );
  const platform: Platform = {
    architecture: configJson?.architecture ?? "amd64",
    os: configJson?.os ?? "linux",
    ...(configJson?.variant ? { variant: configJson.variant } : {}),
  };
  return { format, manifest, config, layers: spec.layers, platform };
}

// ---------------------------------------------------------------- attestations

export const ATTESTATION_PLATFORM: Platform = { architecture: "unknown", os: "unknown" };

export interface BuiltAttestation extends BuiltImage {
  /** The index entry, as BuildKit writes it. */
  descriptor: Descriptor;
}

/**
 * A BuildKit-style attestation manifest for `subject` (an image manifest in
 * the same index): an OCI manifest whose config says unknown/unknown and
 * whose layer is an in-toto statement (SLSA provenance), listed in the index
 * with platform unknown/unknown and the `vnd.docker.reference.*` annotations.
 */
export function buildAttestation(
  subject: Pick<BuiltImage, "manifest" | "platform">,
  options: { name?: string; created?: string | Date } = {},
): BuiltAttestation {
  const created = options.created instanceof Date ? options.created.toISOString() : (options.created ?? DEFAULT_MTIME.toISOString());
  const statement = jsonBlob({
    _type: "https://in-toto.io/Statement/v0.1",
    predicateType: "https://slsa.dev/provenance/v0.2",
    subject: [
      {
        name: `pkg:docker/${options.name ?? "drydock/test"}?platform=${encodeURIComponent(platformString(subject.platform))}`,
        digest: { sha256: subject.manifest.digest.replace(/^sha256:/, "") },
      },
    ],
    predicate: {
      builder: { id: "" },
      buildType: "https://mobyproject.org/buildkit@v1",
      metadata: { buildStartedOn: created, buildFinishedOn: created, completeness: {}, reproducible: false },
      materials: [],
    },
  });
  const config = jsonBlob({
    architecture: ATTESTATION_PLATFORM.architecture,
    os: ATTESTATION_PLATFORM.os,
    config: {},
    rootfs: { type: "layers", diff_ids: [statement.digest] },
  });
  const manifest = buildManifest(
    "oci",
    { mediaType: MediaTypes.ociConfig, digest: config.digest, size: config.size },
    [
      {
        mediaType: MediaTypes.inToto,
        digest: statement.digest,
        size: statement.size,
        annotations: { "in-toto.io/predicate-type": "https://slsa.dev/provenance/v0.2" },
      },
    ],
  );
  return {
    format: "oci",
    manifest,
    config,
    layers: [statement],
    platform: ATTESTATION_PLATFORM,
    descriptor: describe(manifest, {
      annotations: {
        "vnd.docker.reference.digest": subject.manifest.digest,
        "vnd.docker.reference.type": "attestation-manifest",
      },
      platform: ATTESTATION_PLATFORM,
    }),
  };
}

// ---------------------------------------------------------------- multi-platform

export interface PlatformImageSpec {
  platform: Platform;
  /** Default: a base layer shared by all platforms plus one naming the platform. */
  layers?: Layer[];
  /** architecture/os/variant come from `platform`. */
  config?: Omit<ImageConfigOptions, "architecture" | "os" | "variant">;
}

export interface MultiPlatformOptions {
  /** Format of the index (and of the per-platform manifests); default "oci". */
  format?: ManifestFormat;
  /** Add one BuildKit attestation manifest per image; default false. */
  attestation?: boolean;
  /** Used in the attestation's in-toto subject. */
  name?: string;
  annotations?: Record<string, string>;
}

export interface BuiltMultiPlatform {
  index: BuiltManifest;
  images: BuiltImage[];
  attestations: BuiltAttestation[];
}

/** A shared base layer, so that multi-platform images share a blob as real ones do. */
export const BASE_LAYER = buildLayer([
  dir("etc"),
  file("etc/os-release", 'NAME="Drydock Test Linux"\nID=drydock\nVERSION_ID=1\n'),
  symlink("usr/lib/os-release", "../../etc/os-release"),
]);

export function defaultPlatformLayers(platform: Platform): Layer[] {
  return [BASE_LAYER, buildLayer([file("etc/platform", platformString(platform) + "\n")])];
}

/** Images per platform, optional attestations, and the index listing them (images first, as BuildKit does). */
export function buildMultiPlatform(platforms: PlatformImageSpec[], options: MultiPlatformOptions = {}): BuiltMultiPlatform {
  const format = options.format ?? "oci";
  const images = platforms.map((spec) =>
    buildImage({
      format,
      layers: spec.layers ?? defaultPlatformLayers(spec.platform),
      config: {
        ...spec.config,
        architecture: spec.platform.architecture,
        os: spec.platform.os,
        ...(spec.platform.variant ? { variant: spec.platform.variant } : {}),
      },
    }),
  );
  // the config holds architecture/os/variant only; keep os.version etc. from the spec
  images.forEach((image, i) => (image.platform = platforms[i].platform));
  const attestations = options.attestation ? images.map((image) => buildAttestation(image, { name: options.name })) : [];
  const index = buildIndex(
    format,
    [...images.map((image) => describe(image.manifest, { platform: image.platform })), ...attestations.map((a) => a.descriptor)],
    options.annotations ? { annotations: options.annotations } : {},
  );
  return { index, images, attestations };
}
