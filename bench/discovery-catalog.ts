/**
 * The catalog every discovery benchmark lists, whatever the registry type:
 * `team-<r % 25>/service-<r>` repositories, tags `latest`, `1.0.1`, … each
 * an image of its own (two layers shared by all, a config of its own whose
 * `created` lies within the last year, seeded: the same dates on every run),
 * Docker and OCI manifests alternating.
 */
import type { ImageSpec, Layer } from "../test/registry/image-builder";
import { mulberry32 } from "../lib/seeded-random";

const DAY = 24 * 3600_000;

export interface CatalogTag {
  name: string;
  /** The image's `created`: the date every type's listing reports for the tag. */
  date: Date;
  /** What is pushed under the tag (where it is pushed). */
  spec: ImageSpec;
}

export interface CatalogRepository {
  /** `team-07/service-007`: the canonical name on every type. */
  name: string;
  /** `team-07`: Harbor's project, GitLab's group, Nexus's hosted repository. */
  group: string;
  /** `service-007` */
  leaf: string;
  tags: CatalogTag[];
}

export interface DiscoveryCatalog {
  /** The two layers every image shares. */
  layers: Layer[];
  repositories: CatalogRepository[];
}

const pad = (value: number, width: number) => String(value).padStart(width, "0");

export async function discoveryCatalog(repositories: number, tagsPerRepository: number, now: number): Promise<DiscoveryCatalog> {
  const { buildLayer, file } = await import("../test/registry/image-builder");
  const layers = [
    buildLayer([file("etc/os-release", 'ID=bench\nVERSION_ID="1"\n'), file("bin/sh", "#!/bench\n")]),
    buildLayer([file("app/server", "bench application\n")]),
  ];
  const random = mulberry32(0xd15c0);
  const dates = Array.from({ length: repositories * tagsPerRepository }, () => new Date(now - Math.floor(random() * 365 * DAY)));
  return {
    layers,
    repositories: Array.from({ length: repositories }, (_, r) => {
      const group = `team-${pad(r % 25, 2)}`;
      const leaf = `service-${pad(r, 3)}`;
      const name = `${group}/${leaf}`;
      const tags = Array.from({ length: tagsPerRepository }, (_, t): CatalogTag => {
        const tag = t === 0 ? "latest" : `1.${Math.floor(t / 5)}.${t % 5}`;
        const date = dates[r * tagsPerRepository + t];
        return { name: tag, date, spec: { layers, config: { created: date, labels: { "org.example.tag": `${name}:${tag}` } }, format: t % 2 === 0 ? "docker" : "oci" } };
      });
      return { name, group, leaf, tags };
    }),
  };
}

/** Runs `work` on 0..count-1, `limit` at a time. */
export async function forEachIndex(count: number, limit: number, work: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < count) await work(next++);
    }),
  );
}
