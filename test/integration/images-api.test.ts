import { Spec, Validation } from "@cyclonedx/cyclonedx-library";
import { graphql } from "graphql";
import type { DataSource } from "typeorm";
import type { Image } from "../../db/entities";
import { PackageType, Role, ScanJobStatus, Severity } from "../../db/enums";
import { openMysql } from "../../db/mysql";
import { type Context, createLoaders, type Services } from "../../server/context";
import { buildDrydockSchema } from "../../server/graphql/schema";
import { ImageService } from "../../server/modules/image/image.service";
import { allPages } from "../helpers/pages";
import { randomDigest, seedArtifact, seedFindings, seedImage, seedScanJob, type SeedPackage } from "../helpers/scan-rows";
import { errorCode, startTestServer, type TestServer } from "../helpers/server";

let server: TestServer;
let db: DataSource;
let registryA: string;
let registryB: string;

const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute));

async function addRegistry(name: string, url: string): Promise<string> {
  const answer = await server.gql(`mutation($input: AddRegistryInput!) { addRegistry(input: $input) { id } }`, {
    input: { name, type: "DOCKER_REGISTRY", url, authMethod: "NONE" },
  });
  return answer.data!.addRegistry.id;
}

beforeAll(async () => {
  server = await startTestServer();
  db = await openMysql(server.config.mysqlUrl, 2);
  registryA = await addRegistry("images-a", "https://registry.example.com");
  registryB = await addRegistry("images-b", "https://mirror.example.com:5000");
});

afterAll(async () => {
  await db?.destroy();
  await server?.stop();
});

describe("images", () => {
  const LIST = `query($first: Int, $after: String, $filter: ImageFilter) {
    images(first: $first, after: $after, filter: $filter) {
      totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id repository tag platform removed current } }
    }
  }`;
  let seeded: Image[];

  beforeAll(async () => {
    // firstSeenAt out of insertion order, so the order answered is not the order stored.
    seeded = [
      await seedImage(db, registryA, { repository: "list/app", tag: "1.0", platform: "linux/amd64", firstSeenAt: at(3) }),
      await seedImage(db, registryA, { repository: "list/app", tag: "1.0", platform: "linux/arm64", firstSeenAt: at(1) }),
      await seedImage(db, registryA, { repository: "list/app", tag: "2.0", removed: true, firstSeenAt: at(5) }),
      await seedImage(db, registryA, { repository: "list/web", tag: "1.0", current: false, firstSeenAt: at(4) }),
      await seedImage(db, registryB, { repository: "list/app", tag: "1.0", firstSeenAt: at(2) }),
    ];
  });

  const ids = (images: Image[]) => images.map((image) => image.id);
  const listIds = async (filter: Record<string, unknown>) =>
    (await allPages(server, LIST, { filter }, (d) => d.images, 500)).nodes.map((n) => n.id);

  test("newest first seen first, page by page, each page with the total", async () => {
    const { nodes, pages } = await allPages(server, LIST, { filter: { repository: "list/app" } }, (d) => d.images, 2);
    expect(pages).toBe(2);
    expect(nodes.map((n) => n.id)).toEqual(ids([seeded[2], seeded[0], seeded[4], seeded[1]]));
  });

  test("each filter field narrows the list", async () => {
    expect(await listIds({ registryId: registryA, repository: "list/app", tag: "1.0" })).toEqual(ids([seeded[0], seeded[1]]));
    expect(await listIds({ registryId: registryB })).toEqual(ids([seeded[4]]));
    expect(await listIds({ digest: seeded[3].digest })).toEqual(ids([seeded[3]]));
    expect(await listIds({ repository: "list/app", removed: true })).toEqual(ids([seeded[2]]));
    expect(await listIds({ repository: "list/web", current: false })).toEqual(ids([seeded[3]]));
    expect(await listIds({ repository: "list/none" })).toEqual([]);
  });

  test("a cursor that this API did not hand out is BAD_USER_INPUT", async () => {
    const answer = await server.gql(LIST, { first: 1, after: "not-a-cursor" });
    expect(errorCode(answer)).toBe("BAD_USER_INPUT");
  });

  test("image(id) answers the image; an unknown id is NOT_FOUND", async () => {
    const query = `query($id: ID!) { image(id: $id) { id registryId repository tag platform digest addedBy removed current registry { id name } } }`;
    const found = await server.gql(query, { id: seeded[0].id });
    expect(found.data!.image).toEqual({
      id: seeded[0].id,
      registryId: registryA,
      repository: "list/app",
      tag: "1.0",
      platform: "linux/amd64",
      digest: seeded[0].digest,
      addedBy: "MANUAL",
      removed: false,
      current: true,
      registry: { id: registryA, name: "images-a" },
    });
    const missing = await server.gql(query, { id: "00000000-0000-0000-0000-000000000000" });
    expect(errorCode(missing)).toBe("NOT_FOUND");
    expect(missing.data).toBeNull();
  });
});

describe("imageByReference", () => {
  const BY_REFERENCE = `query($registryId: ID!, $reference: String!) {
    imageByReference(registryId: $registryId, reference: $reference) { id tag platform }
  }`;
  const index = randomDigest();
  const amd64 = randomDigest();
  const images: Record<string, Image> = {};

  beforeAll(async () => {
    const multi = { repository: "ref/multi", tagDigest: index };
    images.amd64 = await seedImage(db, registryA, { ...multi, tag: "2.0", platform: "linux/amd64", digest: amd64 });
    images.arm64 = await seedImage(db, registryA, { ...multi, tag: "2.0", platform: "linux/arm64" });
    images.latest = await seedImage(db, registryA, { ...multi, tag: "latest", platform: "linux/amd64", digest: amd64 });
    images.history = await seedImage(db, registryA, { repository: "ref/multi", tag: "2.0", current: false });
    images.removed = await seedImage(db, registryA, { repository: "ref/multi", tag: "gone", removed: true });
    images.otherRegistry = await seedImage(db, registryB, { ...multi, tag: "2.0", digest: amd64 });
  });

  const resolve = async (reference: string) => {
    const answer = await server.gql(BY_REFERENCE, { registryId: registryA, reference });
    expect(answer.errors).toBeUndefined();
    return answer.data!.imageByReference.map((i: { id: string }) => i.id);
  };

  test("repo:tag answers the current image of every platform", async () => {
    expect(await resolve("ref/multi:2.0")).toEqual([images.amd64.id, images.arm64.id]);
  });

  test("repo@digest answers the images whose platform digest or index digest it is, under any tag", async () => {
    expect(await resolve(`ref/multi@${index}`)).toEqual([images.amd64.id, images.arm64.id, images.latest.id]);
    expect(await resolve(`ref/multi@${amd64}`)).toEqual([images.amd64.id, images.latest.id]);
  });

  test("history and removed images are not answered", async () => {
    expect(await resolve(`ref/multi@${images.history.digest}`)).toEqual([]);
    expect(await resolve("ref/multi:gone")).toEqual([]);
  });

  test("a malformed reference is BAD_USER_INPUT; an unknown registry NOT_FOUND", async () => {
    const malformed = await server.gql(BY_REFERENCE, { registryId: registryA, reference: "Bad Ref" });
    expect(errorCode(malformed)).toBe("BAD_USER_INPUT");
    expect(malformed.errors![0].extensions!.fields).toEqual([{ field: "reference", message: expect.stringContaining("repo:tag") }]);
    const unknown = await server.gql(BY_REFERENCE, { registryId: "00000000-0000-0000-0000-000000000000", reference: "ref/multi:2.0" });
    expect(errorCode(unknown)).toBe("NOT_FOUND");
  });
});

describe("a scanned image", () => {
  const FIELDS = `query($id: ID!) {
    image(id: $id) {
      lastScan { id status }
      scanJobs(first: 10) { totalCount nodes { id status } }
      os { id versionId prettyName versionCodename }
      sbom
    }
  }`;
  const PACKAGES = `query($id: ID!, $first: Int, $after: String, $filter: PackageFilter) {
    image(id: $id) {
      packages(first: $first, after: $after, filter: $filter) {
        totalCount pageInfo { hasNextPage endCursor } edges { cursor node { type name version purl path layerDigest installed } }
      }
    }
  }`;
  // Listed in the order the API answers: PackageType's order (OS, then languages), then name, version, path.
  const PACKAGES_SEEDED: SeedPackage[] = [
    { type: PackageType.apk, name: "musl", version: "1.2.4-r2", purl: "pkg:apk/alpine/musl@1.2.4-r2" },
    { type: PackageType.deb, name: "libc6", version: "2.36-9", purl: "pkg:deb/debian/libc6@2.36-9?arch=amd64" },
    { type: PackageType.deb, name: "openssl", version: "3.0.11-1", purl: "pkg:deb/debian/openssl@3.0.11-1?arch=amd64" },
    { type: PackageType.npm, name: "@angular/core", version: "17.0.0", purl: "pkg:npm/%40angular/core@17.0.0", path: "app/node_modules/@angular/core/package.json" },
    { type: PackageType.npm, name: "lodash", version: "4.17.21", purl: "pkg:npm/lodash@4.17.21", path: "app/node_modules/lodash/package.json" },
    { type: PackageType.npm, name: "lodash", version: "4.17.21", purl: "pkg:npm/lodash@4.17.21", path: "tool/node_modules/lodash/package.json" },
    { type: PackageType.maven, name: "org.apache.logging.log4j:log4j-core", version: "2.14.1", purl: "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", path: "app/lib/log4j-core-2.14.1.jar" },
  ];
  let scanned: Image;
  let unscanned: Image;
  let latestSuccess: string;

  beforeAll(async () => {
    scanned = await seedImage(db, registryB, { repository: "org/team/api", tag: "3.1", platform: "linux/amd64" });
    unscanned = await seedImage(db, registryB, { repository: "org/team/api", tag: "3.2" });
    await seedArtifact(db, scanned.digest, { id: "debian", versionId: "12", prettyName: "Debian GNU/Linux 12 (bookworm)", versionCodename: "bookworm" }, PACKAGES_SEEDED);
    await seedFindings(db, scanned.digest, [
      {
        advisoryId: "GHSA-jfh8-c2jp-5v3q",
        aliases: ["CVE-2021-44228"],
        packageType: PackageType.maven,
        packageName: "org.apache.logging.log4j:log4j-core",
        installedVersion: "2.14.1",
        fixedVersion: "2.15.0",
        severity: Severity.CRITICAL,
        cvssScore: 10,
        summary: "Remote code injection in Log4j",
      },
      { advisoryId: "GHSA-35jh-r3h4-6jhm", aliases: [], packageType: PackageType.npm, packageName: "lodash", installedVersion: "4.17.21", severity: Severity.MEDIUM },
      // Not in the inventory: listed without `affects`.
      { advisoryId: "DLA-3000-1", aliases: ["CVE-2022-37434", "DEBIAN-CVE-2022-37434"], packageName: "zlib1g", installedVersion: "1:1.2.13.dfsg-1", severity: Severity.LOW },
    ]);
    await seedScanJob(db, scanned, { status: ScanJobStatus.SUCCEEDED, queuedAt: at(1), finishedAt: at(2) });
    latestSuccess = (await seedScanJob(db, scanned, { status: ScanJobStatus.SUCCEEDED, queuedAt: at(3), finishedAt: at(4) })).id;
    await seedScanJob(db, scanned, { status: ScanJobStatus.FAILED, queuedAt: at(5), finishedAt: at(6), errorCode: "SCAN_TIMEOUT" });
  });

  test("lastScan is the latest SUCCEEDED job; scanJobs lists them all, newest first; os comes from the artifact", async () => {
    const answer = await server.gql(FIELDS, { id: scanned.id });
    expect(answer.errors).toBeUndefined();
    const image = answer.data!.image;
    expect(image.lastScan).toEqual({ id: latestSuccess, status: "SUCCEEDED" });
    expect(image.scanJobs.totalCount).toBe(3);
    expect(image.scanJobs.nodes.map((j: { status: string }) => j.status)).toEqual(["FAILED", "SUCCEEDED", "SUCCEEDED"]);
    expect(image.scanJobs.nodes[1].id).toBe(latestSuccess);
    expect(image.os).toEqual({ id: "debian", versionId: "12", prettyName: "Debian GNU/Linux 12 (bookworm)", versionCodename: "bookworm" });
  });

  test("before a scan: no lastScan, os, sbom or packages", async () => {
    const answer = await server.gql(FIELDS, { id: unscanned.id });
    expect(answer.data!.image).toEqual({ lastScan: null, scanJobs: { totalCount: 0, nodes: [] }, os: null, sbom: null });
    const packages = await server.gql(PACKAGES, { id: unscanned.id });
    expect(packages.data!.image.packages).toMatchObject({ totalCount: 0, edges: [], pageInfo: { hasNextPage: false, endCursor: null } });
  });

  test("packages page by type, name and version, and filter by type and name", async () => {
    const { nodes, pages } = await allPages(server, PACKAGES, { id: scanned.id }, (d) => d.image.packages, 2);
    expect(pages).toBe(4);
    expect(nodes.map((n) => [n.type, n.name, n.path])).toEqual(PACKAGES_SEEDED.map((p) => [p.type, p.name, p.path ?? "var/lib/dpkg/status"]));
    expect(nodes[0]).toMatchObject({ purl: "pkg:apk/alpine/musl@1.2.4-r2", installed: true, layerDigest: expect.stringMatching(/^sha256:/) });

    const debs = await allPages(server, PACKAGES, { id: scanned.id, filter: { type: "deb" } }, (d) => d.image.packages, 1);
    expect(debs.nodes.map((n) => n.name)).toEqual(["libc6", "openssl"]);
    const lodash = await allPages(server, PACKAGES, { id: scanned.id, filter: { type: "npm", name: "lodash" } }, (d) => d.image.packages, 500);
    expect(lodash.nodes.map((n) => n.path)).toEqual(["app/node_modules/lodash/package.json", "tool/node_modules/lodash/package.json"]);
  });

  test("sbom is a valid CycloneDX 1.5 document: the image as its subject, one component per package", async () => {
    const answer = await server.gql(FIELDS, { id: scanned.id });
    const sbom = answer.data!.image.sbom;
    expect(await new Validation.JsonStrictValidator(Spec.Version.v1dot5).validate(JSON.stringify(sbom))).toBeNull();
    expect(sbom).toMatchObject({ bomFormat: "CycloneDX", specVersion: "1.5" });

    const encodedDigest = scanned.digest.replace(":", "%3A");
    expect(sbom.metadata.component).toMatchObject({
      type: "container",
      name: "org/team/api",
      version: scanned.digest,
      purl: `pkg:oci/api@${encodedDigest}?repository_url=mirror.example.com:5000/org/team/api&tag=3.1`,
    });

    const components: { name: string; group?: string; version: string; purl: string; "bom-ref": string; type: string }[] = sbom.components;
    expect(components).toHaveLength(PACKAGES_SEEDED.length);
    expect(components.map((c) => c.purl).sort()).toEqual(PACKAGES_SEEDED.map((p) => p.purl).sort());
    expect(new Set(components.map((c) => c["bom-ref"])).size).toBe(components.length);
    expect(components.every((c) => c.type === "library")).toBe(true);
    expect(components.find((c) => c.purl.startsWith("pkg:maven/"))).toMatchObject({ group: "org.apache.logging.log4j", name: "log4j-core", version: "2.14.1" });
    expect(components.find((c) => c.purl.startsWith("pkg:npm/%40angular"))).toMatchObject({ group: "@angular", name: "core" });
    expect(components.find((c) => c.purl.startsWith("pkg:deb/debian/openssl"))).toMatchObject({ name: "openssl", version: "3.0.11-1" });
    expect(components.find((c) => c.purl.startsWith("pkg:deb/debian/openssl"))!.group).toBeUndefined();
  });

  test("sbom lists the findings as vulnerabilities, each affecting the components of its package", async () => {
    const answer = await server.gql(FIELDS, { id: scanned.id });
    const sbom = answer.data!.image.sbom;
    expect(await new Validation.JsonStrictValidator(Spec.Version.v1dot5).validate(JSON.stringify(sbom))).toBeNull();
    const refsOf = (name: string) => sbom.components.filter((c: { name: string }) => c.name === name).map((c: { "bom-ref": string }) => c["bom-ref"]);
    const osv = (id: string) => ({ name: "OSV", url: `https://osv.dev/vulnerability/${id}` });

    expect(sbom.vulnerabilities.map((v: { id: string }) => v.id)).toEqual(["GHSA-jfh8-c2jp-5v3q", "GHSA-35jh-r3h4-6jhm", "DLA-3000-1"]);
    const [log4j, lodash, zlib] = sbom.vulnerabilities;
    expect(log4j).toEqual({
      "bom-ref": expect.stringMatching(/^vulnerability-\d+$/),
      id: "GHSA-jfh8-c2jp-5v3q",
      source: osv("GHSA-jfh8-c2jp-5v3q"),
      references: [{ id: "CVE-2021-44228", source: { name: "NVD", url: "https://nvd.nist.gov/vuln/detail/CVE-2021-44228" } }],
      ratings: [{ source: osv("GHSA-jfh8-c2jp-5v3q"), severity: "critical", score: 10 }],
      description: "Remote code injection in Log4j",
      recommendation: "Upgrade org.apache.logging.log4j:log4j-core to 2.15.0",
      affects: [{ ref: refsOf("log4j-core")[0], versions: [{ version: "2.14.1", status: "affected" }] }],
      properties: [{ name: "drydock:fixedVersion", value: "2.15.0" }],
    });
    // lodash 4.17.21 is installed at two paths: two components, both affected.
    expect(new Set(sbom.vulnerabilities.map((v: { "bom-ref": string }) => v["bom-ref"])).size).toBe(3);
    expect(refsOf("lodash")).toHaveLength(2);
    expect(lodash.affects.map((a: { ref: string }) => a.ref).sort()).toEqual(refsOf("lodash").sort());
    expect(lodash.ratings).toEqual([{ source: osv("GHSA-35jh-r3h4-6jhm"), severity: "medium" }]);
    expect(lodash.recommendation).toBeUndefined();
    expect(zlib.affects).toBeUndefined();
    expect(zlib.references).toEqual([
      { id: "CVE-2022-37434", source: { name: "NVD", url: "https://nvd.nist.gov/vuln/detail/CVE-2022-37434" } },
      { id: "DEBIAN-CVE-2022-37434", source: osv("DEBIAN-CVE-2022-37434") },
    ]);
  });
});

test("a page of images reads its registries, last scans and artifacts (with their vulnerability summaries) in one statement each", async () => {
  for (let i = 0; i < 12; i++) {
    const image = await seedImage(db, i % 2 ? registryA : registryB, { repository: "batch/app", tag: `v${i}` });
    await seedScanJob(db, image, { status: ScanJobStatus.SUCCEEDED, finishedAt: at(i) });
    if (i % 3 === 0) {
      await seedArtifact(db, image.digest, { id: "alpine", versionId: "3.19", prettyName: null, versionCodename: null }, []);
      await seedFindings(db, image.digest, [{ advisoryId: `ALPINE-CVE-2026-${i}`, packageName: "musl", installedVersion: "1.2.4-r2", severity: Severity.CRITICAL }]);
    }
  }
  const counted = await openMysql(server.config.mysqlUrl, 2);
  try {
    let statements = 0;
    const logger = counted.logger;
    counted.logger = Object.assign(Object.create(logger), { logQuery: () => statements++ });
    const services = { images: new ImageService(counted, null as never) } as Services;
    const context: Context = { principal: { tokenId: "test", name: "test", role: Role.VIEWER }, services, loaders: createLoaders(counted) };
    const result = await graphql({
      schema: await buildDrydockSchema(),
      source: `{ images(first: 50, filter: { repository: "batch/app" }) {
        totalCount nodes { registry { id } lastScan { id } os { id } vulnerabilitySummary { critical } }
      } }`,
      contextValue: context,
    });
    expect(result.errors).toBeUndefined();
    const nodes = (result.data as any).images.nodes;
    expect(nodes).toHaveLength(12);
    expect(nodes.filter((n: any) => n.os?.id === "alpine")).toHaveLength(4);
    expect(nodes.every((n: any) => n.lastScan && n.registry)).toBe(true);
    expect(nodes.filter((n: any) => n.vulnerabilitySummary?.critical === 1)).toHaveLength(4);
    // the page with its count, registries, last scans, artifacts: the summaries are the artifacts' stored counts
    expect(statements).toBe(4);
  } finally {
    await counted.destroy();
  }
});
