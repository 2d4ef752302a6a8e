import { Enums, Models, Serialize, Spec } from "@cyclonedx/cyclonedx-library";
import { PackageURL } from "packageurl-js";
import type { Artifact, ArtifactPackage, Finding, Image, Registry } from "../../../db/entities";
import { PackageType, Severity } from "../../../db/enums";

const serializer = new Serialize.JsonSerializer(new Serialize.JSON.Normalize.Factory(Spec.Spec1dot5));

/** purl types whose namespace is what CycloneDX calls the group (Maven groupId, npm scope). */
const GROUPED = new Set<PackageType>([PackageType.maven, PackageType.npm]);

const CDX_SEVERITY: Record<Severity, Enums.Vulnerability.Severity> = {
  [Severity.CRITICAL]: Enums.Vulnerability.Severity.Critical,
  [Severity.HIGH]: Enums.Vulnerability.Severity.High,
  [Severity.MEDIUM]: Enums.Vulnerability.Severity.Medium,
  [Severity.LOW]: Enums.Vulnerability.Severity.Low,
  [Severity.UNKNOWN]: Enums.Vulnerability.Severity.Unknown,
};

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

const osvSource = (id: string) => new Models.Vulnerability.Source({ name: "OSV", url: `https://osv.dev/vulnerability/${encodeURIComponent(id)}` });

/** Where an alias is described: NVD for a CVE id, else OSV (which serves GHSA, DLA, PYSEC… ids too). */
function aliasSource(id: string): Models.Vulnerability.Source {
  if (!/^CVE-/i.test(id)) return osvSource(id);
  return new Models.Vulnerability.Source({ name: "NVD", url: `https://nvd.nist.gov/vuln/detail/${encodeURIComponent(id)}` });
}

/** A finding as a CycloneDX vulnerability, affecting `components` (none when its package is not in the inventory). */
function findingVulnerability(finding: Finding, components: readonly Models.Component[]): Models.Vulnerability.Vulnerability {
  const source = osvSource(finding.advisoryId);
  const vulnerability = new Models.Vulnerability.Vulnerability({
    bomRef: `vulnerability-${finding.id}`,
    id: finding.advisoryId,
    source,
    description: finding.summary ?? undefined,
    recommendation: finding.fixedVersion === null ? undefined : `Upgrade ${finding.packageName} to ${finding.fixedVersion}`,
  });
  vulnerability.ratings.add(
    new Models.Vulnerability.Rating({ source, severity: CDX_SEVERITY[finding.severity], score: finding.cvssScore ?? undefined }),
  );
  for (const alias of finding.aliases) vulnerability.references.add(new Models.Vulnerability.Reference(alias, aliasSource(alias)));
  for (const component of components) {
    const installed = new Models.Vulnerability.AffectedSingleVersion(finding.installedVersion, { status: Enums.Vulnerability.AffectStatus.Affected });
    const versions = new Models.Vulnerability.AffectedVersionRepository([installed]);
    vulnerability.affects.add(new Models.Vulnerability.Affect(component.bomRef, { versions }));
  }
  if (finding.fixedVersion !== null) vulnerability.properties.add(new Models.Property("drydock:fixedVersion", finding.fixedVersion));
  return vulnerability;
}

const packageKey = (type: string, name: string, version: string) => JSON.stringify([type, name, version]);

/** The artifact's inventory and findings as a CycloneDX 1.5 JSON document, the image as its subject. */
export function buildSbom(
  image: Image,
  registry: Registry,
  artifact: Artifact,
  packages: ArtifactPackage[],
  findings: Finding[],
): Record<string, unknown> {
  const purl = imagePurl(image, registry.url);
  const subject = new Models.Component(Enums.ComponentType.Container, image.repository, { bomRef: purl, version: image.digest, purl });
  const bom = new Models.Bom({ metadata: new Models.Metadata({ timestamp: artifact.scannedAt, component: subject }) });
  // One name and version may be installed at several paths: a finding affects each of them.
  const componentsByPackage = new Map<string, Models.Component[]>();
  for (const pkg of packages) {
    const component = packageComponent(pkg);
    bom.components.add(component);
    subject.dependencies.add(component.bomRef);
    const key = packageKey(pkg.type, pkg.name, pkg.version);
    componentsByPackage.set(key, [...(componentsByPackage.get(key) ?? []), component]);
  }
  for (const finding of findings) {
    const components = componentsByPackage.get(packageKey(finding.packageType, finding.packageName, finding.installedVersion)) ?? [];
    bom.vulnerabilities.add(findingVulnerability(finding, components));
  }
  return JSON.parse(serializer.serialize(bom, { sortLists: false })) as Record<string, unknown>;
}
