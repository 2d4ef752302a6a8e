import { randomUUID } from "node:crypto";
import type { DataSource } from "typeorm";
import { PullPolicy, Registry, SyncRun } from "../../db/entities";
import { ImageSource, PullCondition, PullMode, SyncStatus, type SyncTrigger } from "../../db/enums";
import type { SkippedRepository, SyncError } from "../../db/entities/sync-run.entity";
import type { UpdateNotifier } from "../../db/live-updates";
import { policyRulesOf } from "../policy/rules-of-policy";
import { compilePolicy } from "../policy/engine";
import type { ListedRepository, ListedTag, RegistryAdapter } from "../registry/adapter";
import { isRegistryError } from "../registry/errors";
import { keepPullQuota, pullPauseOf } from "../registry/pull-quota-store";
import { TagResolver } from "../registry/tag-resolver";
import { forEachBounded } from "./bounded";
import { markVanishedImages, type ResolvedImage, upsertImages } from "./image-store";
import { seedResolver, storeListing } from "./listing-store";
import { RunGuard, SyncCancelled } from "./run-guard";
import { queueScans, type ScanEnqueuer } from "./scan-queue";

/** Repositories listed at once; the distribution client bounds requests per registry on its own. */
const REPOSITORY_CONCURRENCY = 8;
const LIVENESS_MS = 1000;
/** A registry failing everywhere should not make a run's row unbounded. */
const MAX_RECORDED_ERRORS = 1000;

export interface SyncDependencies {
  db: DataSource;
  scans: ScanEnqueuer;
  /** Builds the adapter of a registry for one run, around that run's resolver. */
  adapterFor(registry: Registry, resolver: TagResolver): RegistryAdapter;
  now?: () => Date;
  /** Told when the run starts and ends (live updates). */
  updates?: UpdateNotifier;
}

/** A push webhook's run: one repository, and the pushed tag (its whole repository under LATEST). */
export interface PushScope {
  repository: string;
  tag: string;
}

function errorOf(error: unknown, repository: string | null): SyncError {
  if (isRegistryError(error)) return { repository, code: error.code, message: error.message };
  return { repository, code: "INTERNAL", message: error instanceof Error ? error.message : String(error) };
}

/**
 * One discovery run (DESIGN §3): list everything in scope, store the listing,
 * select with the policy, record images, queue scans. A repository that fails
 * is recorded and the run goes on; its images are never marked removed.
 *
 * With a `push` scope (a push webhook) only that repository is listed, only
 * the pushed tag is put through the policy — every tag of the repository
 * under LATEST, whose choice depends on the others — and new images are
 * added by WEBHOOK. Vanished tags are left to full runs.
 */
export async function syncRegistry(
  deps: SyncDependencies,
  registryId: string,
  trigger: SyncTrigger,
  signal?: AbortSignal,
  push?: PushScope,
): Promise<SyncRun | null> {
  const now = deps.now ?? (() => new Date());
  const registry = await deps.db.getRepository(Registry).findOneBy({ id: registryId });
  const policy = await deps.db.getRepository(PullPolicy).findOneBy({ registryId });
  if (!registry || !policy) return null;

  const run: SyncRun = deps.db.getRepository(SyncRun).create({
    id: randomUUID(),
    registryId,
    trigger,
    status: SyncStatus.RUNNING,
    startedAt: now(),
    skipped: [],
    errors: [],
  });
  await deps.db.getRepository(SyncRun).insert(run);
  await deps.updates?.announce("syncRun", [run]);

  const listed = new Map<string, ListedTag[]>();
  const failed = new Set<string>();
  const skipped: SkippedRepository[] = [];
  const errors: SyncError[] = [];
  let catalogComplete = false;
  let cleanup = async () => undefined as void;
  const guard = new RunGuard(() => deps.db.getRepository(Registry).existsBy({ id: registryId }), signal, LIVENESS_MS);

  try {
    const resolver = new TagResolver(policy.platforms);
    await seedResolver(deps.db.manager, registryId, policy.platforms, resolver);
    const adapter = deps.adapterFor(registry, resolver);
    // A reading that fails to be written is only a less current quota: the next answer brings another.
    const stopKeeping = keepPullQuota(deps.db, registryId, adapter, () => undefined);
    cleanup = async () => {
      await stopKeeping();
      await adapter.close();
    };
    try {
      const repositories: Iterable<ListedRepository> | AsyncIterable<ListedRepository> = push
        ? [await guard.until(adapter.pushedRepository(push.repository))]
        : adapter.listRepositories();
      await forEachBounded(repositories, REPOSITORY_CONCURRENCY, async (entry) => {
        guard.assertLive();
        if (entry.skipped !== undefined) {
          skipped.push({ repository: entry.repository, reason: entry.skipped });
          return;
        }
        try {
          listed.set(entry.repository, await guard.until(adapter.listTags(entry.repository)));
        } catch (error) {
          if (error instanceof SyncCancelled) throw error;
          failed.add(entry.repository);
          errors.push(errorOf(error, entry.repository));
        }
      });
      catalogComplete = true;
    } catch (error) {
      if (error instanceof SyncCancelled) throw error;
      errors.push(errorOf(error, null));
    }
    guard.assertLive();

    const listedAt = now();
    await deps.db.transaction((tx) => storeListing(tx, registryId, listed, catalogComplete && !push, failed, listedAt));
    const tags = [...listed.values()].flat();
    const evaluated = push && policy.condition !== PullCondition.LATEST ? tags.filter((t) => t.tag === push.tag) : tags;
    const decisions = policy.mode === PullMode.AUTOMATIC ? compilePolicy(policyRulesOf(policy)).evaluate(evaluated, listedAt) : [];
    const selected = decisions.filter((d) => d.selected);

    const images: ResolvedImage[] = [];
    await forEachBounded(selected, REPOSITORY_CONCURRENCY, async (tag) => {
      guard.assertLive();
      try {
        const { api, name } = adapter.distribution(tag.repository);
        const resolved = await guard.until(resolver.resolve(api, name, tag.tag, tag.digest ?? undefined));
        for (const image of resolved.images) {
          images.push({ repository: tag.repository, tag: tag.tag, tagDigest: resolved.digest, ...image, pushedAt: tag.pushedAt });
        }
      } catch (error) {
        if (error instanceof SyncCancelled) throw error;
        errors.push(errorOf(error, tag.repository));
      }
    });
    guard.assertLive();

    const imageIds = await deps.db.transaction(async (tx) => {
      const ids = await upsertImages(tx, registryId, images, push ? ImageSource.WEBHOOK : ImageSource.POLICY, listedAt);
      if (!push) await markVanishedImages(tx, registryId, failed);
      return ids;
    });
    const queued = await queueScans(deps.db, deps.scans, registryId, imageIds, policy.rescan, listedAt);
    const pause = await pullPauseOf(deps.db, registryId, adapter, now());

    Object.assign(run, {
      status: !catalogComplete || (push && failed.size > 0) ? SyncStatus.FAILED : failed.size > 0 || errors.length > 0 ? SyncStatus.PARTIAL : SyncStatus.SUCCEEDED,
      repositories: listed.size,
      tagsSeen: tags.length,
      selected: selected.length,
      queued,
      pullsPausedUntil: pause?.until ?? null,
      pullsPauseReason: pause?.reason ?? null,
    });
  } catch (error) {
    if (!(error instanceof SyncCancelled)) errors.push(errorOf(error, null));
    run.status = error instanceof SyncCancelled ? SyncStatus.CANCELLED : SyncStatus.FAILED;
  }
  guard.dispose();
  await cleanup();
  Object.assign(run, { finishedAt: now(), skipped, errors: errors.slice(0, MAX_RECORDED_ERRORS) });
  const { id, status, finishedAt, repositories, tagsSeen, selected, queued, pullsPausedUntil, pullsPauseReason } = run;
  await deps.db
    .getRepository(SyncRun)
    .update({ id }, { status, finishedAt, repositories, tagsSeen, selected, queued, skipped, errors: run.errors, pullsPausedUntil, pullsPauseReason });
  await deps.updates?.announce("syncRun", [run]);
  return run;
}
