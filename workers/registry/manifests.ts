/** Manifest media types and the shapes drydock reads (OCI image spec, Docker schema 2). */
export const MediaType = {
  DOCKER_MANIFEST: "application/vnd.docker.distribution.manifest.v2+json",
  DOCKER_LIST: "application/vnd.docker.distribution.manifest.list.v2+json",
  OCI_MANIFEST: "application/vnd.oci.image.manifest.v1+json",
  OCI_INDEX: "application/vnd.oci.image.index.v1+json",
} as const;

export interface Descriptor {
  mediaType?: string;
  digest: string;
  size?: number;
  platform?: { os?: string; architecture?: string; variant?: string };
  annotations?: Record<string, string>;
}

export interface ImageManifest {
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
}

export interface ImageIndex {
  mediaType?: string;
  manifests: Descriptor[];
}

export interface FetchedManifest {
  digest: string;
  mediaType: string;
  json: unknown;
}

export interface ImageConfig {
  created?: string;
  os?: string;
  architecture?: string;
  variant?: string;
}

export function isIndex(manifest: FetchedManifest): boolean {
  const json = manifest.json as Partial<ImageIndex>;
  return manifest.mediaType === MediaType.OCI_INDEX || manifest.mediaType === MediaType.DOCKER_LIST || Array.isArray(json?.manifests);
}

/** BuildKit lists attestations in an index as platform unknown/unknown with this annotation. */
export function isAttestation(entry: Descriptor): boolean {
  return (
    entry.annotations?.["vnd.docker.reference.type"] === "attestation-manifest" ||
    (entry.platform?.os === "unknown" && entry.platform?.architecture === "unknown")
  );
}

export function platformOf(p: { os?: string; architecture?: string; variant?: string } | undefined): string | null {
  if (!p?.os || !p.architecture) return null;
  return [p.os, p.architecture, p.variant].filter(Boolean).join("/");
}

/**
 * Whether an image's platform satisfies a wanted `os/arch[/variant]`: a
 * wanted platform without a variant accepts any variant of that os/arch.
 */
export function platformMatches(actual: string, wanted: string): boolean {
  if (actual === wanted) return true;
  const [os, arch, variant] = wanted.split("/");
  return variant === undefined && actual.startsWith(`${os}/${arch}/`);
}
