import type { Descriptor } from "./distribution/media-types";

/** The part of an image config drydock reads. */
export interface ImageConfig {
  created?: string;
  os?: string;
  architecture?: string;
  variant?: string;
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
