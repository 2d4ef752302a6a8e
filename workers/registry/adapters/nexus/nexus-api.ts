/**
 * The parts of the Nexus Repository 3 REST API (`<url>/service/rest/v1`,
 * registry-apis.md §5) discovery needs: the repository list and the search
 * API, paged by continuation token.
 */
import type { VendorApiClient } from "../../vendor-api/api-client";

export interface NexusRepository {
  name: string;
  /** `docker`, `maven2`, … */
  format: string;
  /** `hosted`, `proxy` or `group`. */
  type: string;
}

export interface NexusAsset {
  /** `v2/<image>/manifests/<tag>` for a Docker component's manifest. */
  path?: string;
  contentType?: string;
  checksum?: { sha256?: string };
  blobCreated?: string | null;
  lastModified?: string | null;
}

/** A search item; for Docker, `name` is the image path and `version` the tag. */
export interface NexusComponent {
  repository?: string;
  format?: string;
  name?: string;
  version?: string;
  assets?: NexusAsset[];
}

interface SearchPage {
  items?: NexusComponent[];
  continuationToken?: string | null;
}

export class NexusApi {
  constructor(private readonly client: VendorApiClient) {}

  /** Every repository the account may browse (Nexus leaves the others out). */
  async repositories(): Promise<NexusRepository[]> {
    const { body } = await this.client.getJson<unknown>("repositories");
    if (!Array.isArray(body)) return [];
    return body.filter(
      (r): r is NexusRepository => typeof r?.name === "string" && typeof r?.format === "string" && typeof r?.type === "string",
    );
  }

  /**
   * The Docker components (one per image tag) of one repository, optionally
   * of one image, page after page until the continuation token is null (the
   * page size is the server's).
   */
  async *components(repository: string, image?: string, signal?: AbortSignal): AsyncIterable<NexusComponent> {
    const first = this.client.url("search", { repository, format: "docker", name: image });
    const next = (page: { body: SearchPage | null }) => {
      const token = page.body?.continuationToken;
      return typeof token === "string" && token ? this.client.url(first, { continuationToken: token }) : undefined;
    };
    for await (const page of this.client.pages<SearchPage | null>(first, next, { signal })) {
      const items = page.body?.items;
      if (Array.isArray(items)) yield* items;
    }
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
