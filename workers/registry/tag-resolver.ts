import type { DistributionApi } from "./adapter";
import type { Descriptor } from "./distribution/media-types";
import { type ImageConfig, isAttestation, platformMatches, platformOf } from "./platforms";
import { EARLIEST_BUILD_DATE, parseDate } from "./dates";

/** One platform image a tag resolves to. */
export interface PlatformImage {
  platform: string;
  digest: string;
  createdAt: Date | null;
}

export interface ResolvedTag {
  /** The tag's manifest digest (index or image). */
  digest: string;
  /** Wanted platforms only, in the order of the wanted list. */
  images: PlatformImage[];
}

/** Config `created`; one before 1980 is a reproducible-build placeholder: missing (DESIGN §2). */
export function configDate(config: ImageConfig): Date | null {
  return parseDate(config.created, EARLIEST_BUILD_DATE);
}

/**
 * Resolves tags to platform images through the distribution API, remembering
 * each manifest digest's answer and each config's date, so a digest shared by
 * many tags (or seen in an earlier run) is fetched once.
 */
export class TagResolver {
  private readonly byDigest = new Map<string, Promise<ResolvedTag>>();
  private readonly configDates = new Map<string, Promise<{ date: Date | null; platform: string | null }>>();
  /** Tag dates known from the stored listing, by tag digest. */
  private readonly knownDates = new Map<string, Date | null>();

  /** The wanted platforms, in order. */
  constructor(readonly platforms: readonly string[]) {}

  /** Seeds an answer known from an earlier run: nothing is fetched for this digest. */
  remember(resolved: ResolvedTag): void {
    this.byDigest.set(resolved.digest, Promise.resolve(resolved));
  }

  /** Seeds a tag date known from the stored listing, so listing does not fetch its config again. */
  rememberDate(digest: string, date: Date | null): void {
    this.knownDates.set(digest, date);
  }

  /** The date that counts for a tag (DESIGN §2), fetching manifests and configs only when unknown. */
  async dateOf(api: DistributionApi, repository: string, digest: string): Promise<Date | null> {
    if (!this.byDigest.has(digest) && this.knownDates.has(digest)) return this.knownDates.get(digest)!;
    return TagResolver.firstDate(await this.resolve(api, repository, digest, digest));
  }

  async resolve(api: DistributionApi, repository: string, reference: string, digest?: string): Promise<ResolvedTag> {
    // By digest the answer is claimed before fetching: tags of one digest resolved at once share one fetch.
    if (digest) {
      return this.once(digest, async () => this.resolveManifest(api, repository, digest, await api.getManifest(repository, digest)));
    }
    const manifest = await api.getManifest(repository, reference);
    return this.once(manifest.digest, () => this.resolveManifest(api, repository, manifest.digest, manifest));
  }

  /** The remembered (or pending) answer for a digest, else `work`'s, remembered unless it fails. */
  private once(digest: string, work: () => Promise<ResolvedTag>): Promise<ResolvedTag> {
    const known = this.byDigest.get(digest);
    if (known) return known;
    const pending = work();
    this.byDigest.set(digest, pending);
    pending.catch(() => {
      if (this.byDigest.get(digest) === pending) this.byDigest.delete(digest);
    });
    return pending;
  }

  /** The date that counts for the tag: that of the first wanted platform it holds. */
  static firstDate(resolved: ResolvedTag): Date | null {
    return resolved.images[0]?.createdAt ?? null;
  }

  private async resolveManifest(
    api: DistributionApi,
    repository: string,
    digest: string,
    manifest: Awaited<ReturnType<DistributionApi["getManifest"]>>,
  ): Promise<ResolvedTag> {
    if (manifest.kind === "image") {
      const config = await this.config(api, repository, manifest.json.config);
      const wanted = config.platform !== null && this.platforms.some((p) => platformMatches(config.platform!, p));
      return { digest, images: wanted ? [{ platform: config.platform!, digest, createdAt: config.date }] : [] };
    }
    const entries = manifest.json.manifests.filter((entry) => !isAttestation(entry));
    const images: PlatformImage[] = [];
    for (const wanted of this.platforms) {
      const entry = entries.find((e) => {
        const platform = platformOf(e.platform);
        return platform !== null && platformMatches(platform, wanted);
      });
      if (!entry || images.some((image) => image.digest === entry.digest)) continue;
      const child = await api.getManifest(repository, entry.digest);
      if (child.kind !== "image") continue;
      const config = await this.config(api, repository, child.json.config);
      images.push({ platform: platformOf(entry.platform)!, digest: entry.digest, createdAt: config.date });
    }
    return { digest, images };
  }

  private config(api: DistributionApi, repository: string, descriptor: Descriptor | undefined) {
    if (!descriptor?.digest) return Promise.resolve({ date: null, platform: null });
    let pending = this.configDates.get(descriptor.digest);
    if (!pending) {
      pending = api.getJsonBlob<ImageConfig>(repository, descriptor.digest).then((config) => ({
        date: configDate(config),
        platform: platformOf(config),
      }));
      this.configDates.set(descriptor.digest, pending);
      pending.catch(() => this.configDates.delete(descriptor.digest));
    }
    return pending;
  }
}
