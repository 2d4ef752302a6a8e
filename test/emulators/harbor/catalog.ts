/**
 * The emulator's catalog: projects → repositories → artifacts, described by
 * a test (or a benchmark) and pushed to the real registry behind `/v2/`;
 * the emulator keeps what Harbor's database would hold (ids, push times,
 * `extra_attrs.created`, tags).
 */
import { createHash } from "node:crypto";
import { MediaTypes, type ImageSpec, type PlatformImageSpec } from "../../registry/image-builder";
import { pushBuiltImage, pushImage, pushIndex, pushManifest, type RegistryTarget } from "../../registry/push";

export interface HarborArtifactSpec {
  /** At least one: untagged artifacts are not described here. */
  tags: string[];
  /** `push_time`; default the time of the push. */
  pushedAt?: Date;
  /** A single image, pushed: `extra_attrs.created` is its config's `created`. */
  image?: ImageSpec;
  /** A multi-platform image (OCI index), pushed: no `extra_attrs.created` (Harbor sets it for single images only). */
  platforms?: PlatformImageSpec[];
  /** With neither `image` nor `platforms`: metadata only, nothing pushed (listing benchmarks); the `extra_attrs.created`. */
  created?: Date | string | null;
  /** Harbor's artifact type; default IMAGE (CHART, CNAB, … are not images). */
  type?: string;
}

export interface HarborRepositorySpec {
  /** Relative to the project; may hold `/` (`tools/cli`). */
  name: string;
  artifacts: HarborArtifactSpec[];
}

export interface HarborProjectSpec {
  name: string;
  public?: boolean;
  /** A proxy-cache project: the id of the upstream registry it mirrors (`registry_id`). */
  proxyCacheOf?: number;
  repositories?: HarborRepositorySpec[];
}

export interface StoredTag {
  id: number;
  name: string;
  pushTime: Date;
}

export interface StoredArtifact {
  id: number;
  type: string;
  digest: string;
  manifestMediaType: string;
  pushTime: Date;
  created: string | null;
  tags: StoredTag[];
}

export interface StoredRepository {
  id: number;
  /** With the project: `team/tools/cli`. */
  name: string;
  creationTime: Date;
  artifacts: StoredArtifact[];
}

export interface StoredProject {
  id: number;
  name: string;
  public: boolean;
  registryId: number | null;
  creationTime: Date;
  repositories: StoredRepository[];
}

const fakeDigest = (text: string) => `sha256:${createHash("sha256").update(text).digest("hex")}`;

export class HarborCatalog {
  readonly projects: StoredProject[] = [];
  private nextId = 1;

  constructor(private readonly target: RegistryTarget) {}

  project(name: string): StoredProject | undefined {
    return this.projects.find((p) => p.name === name);
  }

  addProject(spec: HarborProjectSpec): StoredProject {
    const project: StoredProject = {
      id: this.nextId++,
      name: spec.name,
      public: spec.public ?? false,
      registryId: spec.proxyCacheOf ?? null,
      creationTime: new Date(),
      repositories: [],
    };
    this.projects.push(project);
    return project;
  }

  async addRepository(project: StoredProject, spec: HarborRepositorySpec): Promise<void> {
    for (const artifact of spec.artifacts) await this.push(project.name, spec.name, artifact);
  }

  /** Pushes one artifact (or records it, metadata only) into `project/repository`, creating the repository. */
  async push(projectName: string, repositoryName: string, spec: HarborArtifactSpec): Promise<StoredArtifact> {
    const project = this.project(projectName) ?? this.addProject({ name: projectName });
    const name = `${project.name}/${repositoryName}`;
    let repository = project.repositories.find((r) => r.name === name);
    if (!repository) {
      repository = { id: this.nextId++, name, creationTime: new Date(), artifacts: [] };
      project.repositories.push(repository);
    }
    const [first, ...more] = spec.tags;
    let digest: string;
    let manifestMediaType: string;
    let created: string | null;
    if (spec.image) {
      const pushed = await pushImage(this.target, name, first, spec.image);
      for (const tag of more) await pushBuiltImage(this.target, name, tag, pushed.image);
      digest = pushed.manifestDigest;
      manifestMediaType = pushed.image.manifest.mediaType;
      created = "json" in pushed.image.config ? pushed.image.config.json.created : null;
    } else if (spec.platforms) {
      const pushed = await pushIndex(this.target, name, first, spec.platforms);
      for (const tag of more) await pushManifest(this.target, name, tag, pushed.built.index);
      digest = pushed.indexDigest;
      manifestMediaType = pushed.mediaType;
      created = null;
    } else {
      digest = fakeDigest(`${name}:${spec.tags.join(",")}`);
      manifestMediaType = MediaTypes.dockerManifest;
      created = spec.created instanceof Date ? spec.created.toISOString() : (spec.created ?? null);
    }
    const pushTime = spec.pushedAt ?? new Date();
    // Pushing a tag again moves it: Harbor detaches it from the artifact that held it.
    for (const other of repository.artifacts) other.tags = other.tags.filter((t) => !spec.tags.includes(t.name));
    let artifact = repository.artifacts.find((a) => a.digest === digest);
    if (!artifact) {
      artifact = { id: this.nextId++, type: spec.type ?? "IMAGE", digest, manifestMediaType, pushTime, created, tags: [] };
      repository.artifacts.push(artifact);
    }
    artifact.pushTime = pushTime;
    for (const tag of spec.tags) artifact.tags.push({ id: this.nextId++, name: tag, pushTime });
    return artifact;
  }
}
