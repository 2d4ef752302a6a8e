/**
 * The Container Registry REST API calls drydock makes (registry-apis.md §7.3,
 * REST transcoding of the gRPC API, camelCase JSON): repositories and images
 * of one registry, `pageSize` + `pageToken`, the next token in
 * `nextPageToken` (empty or absent on the last page). Errors are
 * google.rpc.Status bodies `{code, message, details}` (Yandex's API design
 * guide "Handling errors", checked with the search tool), whose `message` the
 * API client quotes.
 */
import type { ApiAnswer, VendorApiClient } from "../../vendor-api/api-client";

/** The API's maximum page size: the fewest calls for a large registry. */
const PAGE_SIZE = 1000;

export interface YandexRepository {
  /** `<registryId>/<path>` */
  name: string;
  id?: string;
}

export interface YandexImage {
  id?: string;
  /** `<registryId>/<path>` of its repository. */
  name: string;
  /** The manifest digest (an index's, for multi-platform images). */
  digest?: string;
  tags?: string[];
  /** When the image was created in the registry (pushed). */
  createdAt?: string;
}

type Page<K extends string, T> = { [key in K]?: T[] } & { nextPageToken?: string };

export class YandexApi {
  constructor(private readonly client: VendorApiClient) {}

  repositories(registryId: string, pageSize = PAGE_SIZE): AsyncIterable<YandexRepository> {
    return this.list("repositories", { registryId, pageSize });
  }

  /** The images of one repository (`repositoryName` = `<registryId>/<path>`), or of the whole registry. */
  images(where: { repositoryName: string } | { registryId: string }, pageSize = PAGE_SIZE): AsyncIterable<YandexImage> {
    return this.list("images", { ...where, pageSize });
  }

  private async *list<K extends "repositories" | "images", T>(key: K, query: Record<string, string | number>): AsyncIterable<T> {
    const first = this.client.url(key, query);
    const next = (answer: ApiAnswer<Page<K, T> | null>) => {
      const token = answer.body?.nextPageToken;
      if (!token) return undefined;
      const url = new URL(first);
      url.searchParams.set("pageToken", token);
      return url;
    };
    for await (const answer of this.client.pages<Page<K, T> | null>(first, next)) yield* answer.body?.[key] ?? [];
  }
}
