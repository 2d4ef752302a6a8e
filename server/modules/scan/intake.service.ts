import { type DataSource, In } from "typeorm";
import { PullPolicy, ScanJob } from "../../../db/entities";
import { ImageSource, ScanJobStatus } from "../../../db/enums";
import { BadUserInputError } from "../../../lib/errors";
import type { SecretBox } from "../../../lib/secret-box";
import type { UpdateNotifier } from "../../../db/live-updates";
import { announcingEnqueuer } from "../../../workers/discovery/announcing-enqueuer";
import { upsertImages } from "../../../workers/discovery/image-store";
import { createScanJobs, type ScanEnqueuer } from "../../../workers/discovery/scan-queue";
import type { RegistryAdapter } from "../../../workers/registry/adapter";
import { isRegistryError } from "../../../workers/registry/errors";
import { createAdapter } from "../../../workers/registry/registry";
import { TagResolver } from "../../../workers/registry/tag-resolver";
import { BoundedRegistryCalls, type ServerClientOptions } from "../../registry-calls/bounded-calls";
import type { RegistryService } from "../registry/registry.service";
import { type AddScanJobResult, IntakeStatus } from "./intake.objects";
import { parseImageReference } from "./intake.parse";

export const MAX_REFERENCES = 100;

/** Manual intake (DESIGN §3, MANUAL): each reference is checked, stored and queued at once. */
export class IntakeService {
  private readonly calls = new BoundedRegistryCalls();

  constructor(
    private readonly db: DataSource,
    private readonly secrets: SecretBox,
    private readonly registries: RegistryService,
    private readonly scans: ScanEnqueuer,
    private readonly updates: UpdateNotifier,
    private readonly clientOptions: ServerClientOptions,
  ) {}

  async add(registryId: string, references: string[]): Promise<AddScanJobResult[]> {
    if (references.length === 0 || references.length > MAX_REFERENCES) {
      throw new BadUserInputError([{ field: "references", message: `give 1 to ${MAX_REFERENCES} references` }]);
    }
    const registry = await this.registries.get(registryId);
    const policy = await this.db.getRepository(PullPolicy).findOneByOrFail({ registryId });
    const resolver = new TagResolver(policy.platforms);
    const adapter = createAdapter(registry, this.secrets, resolver, this.clientOptions(registry.id));
    try {
      const results: AddScanJobResult[] = [];
      for (const reference of references) results.push(await this.addOne(adapter, resolver, registryId, reference));
      return results;
    } finally {
      await adapter.close();
    }
  }

  private async addOne(adapter: RegistryAdapter, resolver: TagResolver, registryId: string, reference: string): Promise<AddScanJobResult> {
    const answer = (status: IntakeStatus, message: string, scanJobs: ScanJob[] = []): AddScanJobResult => ({
      reference,
      status,
      message,
      scanJob: scanJobs[0] ?? null,
      scanJobs,
    });
    const parsed = parseImageReference(reference);
    if ("invalid" in parsed) return answer(IntakeStatus.INVALID, parsed.invalid);

    let resolved;
    try {
      const { api, name } = adapter.distribution(parsed.repository);
      resolved = await this.calls.run(`checking ${reference}`, async () => {
        const head = await api.headManifest(name, parsed.reference);
        return resolver.resolve(api, name, parsed.reference, head.digest);
      });
    } catch (error) {
      if (!isRegistryError(error)) throw error;
      if (["MANIFEST_UNKNOWN", "NAME_UNKNOWN", "BLOB_UNKNOWN"].includes(error.code)) {
        return answer(IntakeStatus.NOT_FOUND, `the registry has no ${reference} (${error.code})`);
      }
      return answer(IntakeStatus.REGISTRY_ERROR, `${error.code}: ${error.message}`);
    }
    if (resolved.images.length === 0) {
      return answer(IntakeStatus.NOT_FOUND, "the image exists but has none of the policy's platforms");
    }

    const now = new Date();
    const imageIds = await this.db.transaction((tx) =>
      upsertImages(
        tx,
        registryId,
        resolved.images.map((image) => ({ ...image, repository: parsed.repository, tag: parsed.tag, tagDigest: resolved.digest, pushedAt: null })),
        ImageSource.MANUAL,
        now,
      ),
    );
    const active = await this.db.getRepository(ScanJob).find({
      where: { imageId: In(imageIds), status: In([ScanJobStatus.QUEUED, ScanJobStatus.RUNNING]) },
    });
    const idle = imageIds.filter((id) => !active.some((job) => job.imageId === id));
    const created = await createScanJobs(this.db, announcingEnqueuer(this.scans, this.updates, registryId), registryId, idle);
    const jobs = await this.db.getRepository(ScanJob).findBy({ id: In([...active.map((j) => j.id), ...created]) });
    const ordered = imageIds.map((id) => jobs.find((job) => job.imageId === id)!).filter(Boolean);
    if (created.length === 0) return answer(IntakeStatus.ALREADY_QUEUED, "a scan of this image is already queued or running", ordered);
    return answer(IntakeStatus.QUEUED, `queued ${ordered.length} platform image(s): ${resolved.images.map((i) => i.platform).join(", ")}`, ordered);
  }
}
