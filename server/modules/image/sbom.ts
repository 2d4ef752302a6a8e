import { Enums, Models, Serialize, Spec } from "@cyclonedx/cyclonedx-library";
import { PackageURL } from "packageurl-js";
import type { Artifact, ArtifactPackage, Image, Registry } from "../../../db/entities";
import { PackageType } from "../../../db/enums";

const serializer = new Serialize.JsonSerializer(new Serialize.JSON.Normalize.Factory(Spec.Spec1dot5));

/** purl types whose namespace is what CycloneDX calls the group (Maven groupId, npm scope). */
const GROUPED = new Set<PackageType>([PackageType.maven, PackageType.npm]);

/** Percent-encodes a purl qualifier value, keeping `/` and `:` readable as the purl spec's examples do. */
function qualifierValue(value: string): string {
  return encodeURIComponent(value).replace(/%2F/gi, "/").replace(/%3A/gi, ":");
}

/** `pkg:oci/<name>@<digest>?repository_url=<host>/<repository>&tag=<tag>` (purl spec, type oci). */
export function imagePurl(image: Pick<Image, "repository" | "digest" | "tag">, registryUrl: string): string {
  const name = image.repository.split("/").pop()!;
  const qualifiers = [`repository_url=${qualifierValue(`${new URL(registryUrl).host}/${image.repository}`)}`];
  if (image.tag !== null) qualifiers.push(`tag=${qualifierValue(image.tag)}`);
  return `pkg:oci/${encodeURIComponent(name)}@${encodeURIComponent(image.digest)}?${qualifiers.join("&")}`;
}

function packageComponent(pkg: ArtifactPackage): Models.Component {
  let group: string | undefined;
  let name = pkg.name;
  if (GROUPED.has(pkg.type)) {
    try {
      const purl = PackageURL.fromString(pkg.purl);
      if (purl.namespace) [group, name] = [purl.namespace, purl.name];
    } catch {
      // A purl the parser refuses still names the package; it just has no group.
    }
  }
  const component = new Models.Component(Enums.ComponentType.Library, name, {
    bomRef: `package-${pkg.id}`,
    group,
    version: pkg.version,
    purl: pkg.purl,
  });
  component.properties.add(new Models.Property("drydock:path", pkg.path));
  component.properties.add(new Models.Property("drydock:layerDigest", pkg.layerDigest));
  return component;
}

/** The artifact's inventory as a CycloneDX 1.5 JSON document, the image as its subject. */
export function buildSbom(image: Image, registry: Registry, artifact: Artifact, packages: ArtifactPackage[]): Record<string, unknown> {
  const purl = imagePurl(image, registry.url);
  const subject = new Models.Component(Enums.ComponentType.Container, image.repository, { bomRef: purl, version: image.digest, purl });
  const bom = new Models.Bom({ metadata: new Models.Metadata({ timestamp: artifact.scannedAt, component: subject }) });
  for (const pkg of packages) {
    const component = packageComponent(pkg);
    bom.components.add(component);
    subject.dependencies.add(component.bomRef);
  }
  return JSON.parse(serializer.serialize(bom, { sortLists: false })) as Record<string, unknown>;
}
