import type { RegistryType } from "../../db/enums";
import type { Readable } from "node:stream";
import type { FetchedManifest } from "./distribution/client";
import type { PullQuotaMeter } from "./pull-quota";

/**
 * Terminology: an *adapter* knows one registry type's way of listing (its
 * vendor API, or the plain catalog); *distribution* is the OCI API every type
 * pulls through; a *canonical name* is the repository name patterns match
 * (DESIGN §2).
 */

/** The part of the OCI distribution client the adapters and discovery use. */
export interface DistributionApi {
  /** GET /v2/ including the auth handshake. */
  ping(): Promise<{ status: number; auth: "none" | "basic" | "bearer" }>;
  repositories(pageSize?: number): AsyncIterable<string>;
  tags(repository: string, pageSize?: number): AsyncIterable<string>;
  getManifest(repository: string, reference: string): Promise<FetchedManifest>;
  headManifest(repository: string, reference: string): Promise<{ digest: string; mediaType: string; size: number }>;
  getJsonBlob<T>(repository: string, digest: string): Promise<T>;
  /** A blob's bytes as they arrive; the stream errors with DIGEST_MISMATCH at its end if they do not match `digest`. */
  openBlob(repository: string, digest: string, signal?: AbortSignal): Promise<Readable>;
  /** Releases connections. */
  close(): Promise<void>;
}

/** One tag as listed, with the dates DESIGN §2 assigns to the type. */
export interface ListedTag {
  repository: string;
  tag: string;
  /** The tag's manifest digest (an index digest for multi-platform tags). */
  digest: string | null;
  createdAt: Date | null;
  pushedAt: Date | null;
}

export type ListedRepository =
  | { repository: string; skipped?: undefined }
  /** Out of scope (remote, proxy, virtual, group repositories): reported, not integrated. */
  | { repository: string; skipped: string };

export interface ConnectionCheck {
  name: string;
  ok: boolean;
  message: string;
}

const NOT_LISTED = "not among the repositories this integration lists: outside its scope";

/**
 * pushedRepository by the adapter's own listing, so that a push obeys the
 * same scope rules as a sync, at the cost of one walk of the repository list
 * (no tags). Vendors skip a whole repository key (a proxy or remote one)
 * under which images are named <key>/<image>.
 */
export async function repositoryFromListing(adapter: Pick<RegistryAdapter, "listRepositories">, repository: string): Promise<ListedRepository> {
  for await (const entry of adapter.listRepositories()) {
    if (entry.repository === repository) return entry;
    if (entry.skipped !== undefined && repository.startsWith(`${entry.repository}/`)) return { repository, skipped: entry.skipped };
  }
  return { repository, skipped: NOT_LISTED };
}

/** What one registry type must provide. Pulling goes through `distribution(repository)`. */
export interface RegistryAdapter {
  readonly type: RegistryType;
  /** For registries that announce a pull quota (Docker Hub): its latest reading, from every registry answer. */
  readonly pullQuota?: PullQuotaMeter;
  /** One check per step (reachable, TLS, authenticated, can list, …); never throws for registry failures. */
  checkConnection(): Promise<ConnectionCheck[]>;
  /** Every repository in scope, by canonical name; skipped ones say why. */
  listRepositories(): AsyncIterable<ListedRepository>;
  /**
   * The repository a push webhook names, as listRepositories gives it:
   * skipped, saying why, when it is outside the integration's scope (a
   * proxy, remote, virtual or group repository, another namespace).
   */
  pushedRepository(repository: string): Promise<ListedRepository>;
  /** The tags of one repository with digest and dates (an index's date is its first wanted platform's). */
  listTags(repository: string): Promise<ListedTag[]>;
  /** The distribution endpoint and wire name of a repository. */
  distribution(repository: string): { api: DistributionApi; name: string };
  /** Releases the adapter's connections. */
  close(): Promise<void>;
}
