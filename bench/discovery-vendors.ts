/**
 * Issue 6's benchmark targets: the discovery catalog (discovery-catalog.ts)
 * behind a vendor emulator (test/emulators/<vendor>), served with the
 * vendors' usual page sizes (Harbor and GitLab 100 a page, Nexus search
 * pages of 50), an account that reads all of it, and the floor of a run.
 *
 * The floor is a bare crawl of what a discovery run cannot avoid, 8 requests
 * in flight like each of the adapter's clients: the vendor API listing the
 * adapter needs (every page, and GitLab's detail call per tag), then, for the
 * tags the default policy selects (created within 60 days), what resolving
 * them takes through the registry with token auth (bare-crawl.ts, pullCrawl).
 * Listing and pulling are timed apart, as a run's are.
 *
 * Only the tags a run pulls are pushed as images (those created within 61
 * days: a day to spare); the others exist in the vendor API only, with
 * made-up digests (Harbor's metadata-only artifacts, `pushed: false` in the
 * GitLab and Nexus emulators). A run never fetches them, and pushing 10,000
 * images through token auth would take the setup tens of minutes.
 */
import type { IncomingHttpHeaders } from "node:http";
import { performance } from "node:perf_hooks";
import type { CatalogRepository, CatalogTag, DiscoveryCatalog } from "./discovery-catalog";
import { forEachIndex } from "./discovery-catalog";
import { type BareFetcher, bareFetcher, nextLink, type PulledTag, pullCrawl } from "./bare-crawl";

export const VENDOR_TYPES = ["harbor", "gitlab", "nexus"] as const;
export type VendorType = (typeof VENDOR_TYPES)[number];

const DAY = 24 * 3600_000;
/** The default pull policy: CREATED_WITHIN 60 days. */
const SELECTED_WITHIN_DAYS = 60;
/** Requests in flight: the vendor API client's and the distribution client's default. */
const IN_FLIGHT = 8;
const PUSH_CONCURRENCY = 16;
const USERNAME = "bench-scanner";
const SECRET = "bench-secret-0123456789";
const BASIC = `Basic ${Buffer.from(`${USERNAME}:${SECRET}`).toString("base64")}`;

export interface FloorRun {
  ms: number;
  cpuMs: number;
  /** Until the last tag was listed. */
  listingMs: number;
  tags: number;
  /** Tags resolved through the registry (the policy's selection). */
  selected: number;
}

export interface VendorUnderTest {
  /** The AddRegistryInput of an integration that reads the whole catalog (name aside). */
  integration: Record<string, unknown>;
  /** Tags pushed as images; the rest are listed only. */
  pushed: number;
  crawl(): Promise<FloorRun>;
  /** Drops the requests the emulator recorded (a big run would keep them all). */
  forgetRequests(): void;
  stop(): Promise<void>;
}

/** One listed tag: where it would be pulled from, and the date the policy reads. */
type ListedTag = PulledTag & { date: string | null | undefined };

export async function startVendor(type: VendorType, catalog: DiscoveryCatalog, now: number): Promise<VendorUnderTest> {
  const pulled = (tag: CatalogTag) => tag.date.getTime() >= now - (SELECTED_WITHIN_DAYS + 1) * DAY;
  const start = { harbor: startHarbor, gitlab: startGitLab, nexus: startNexus }[type];
  return start(catalog, pulled);
}

type Start = (catalog: DiscoveryCatalog, pulled: (tag: CatalogTag) => boolean) => Promise<VendorUnderTest>;

const groupsOf = (catalog: DiscoveryCatalog) => [...new Set(catalog.repositories.map((r) => r.group))];
const countPulled = (catalog: DiscoveryCatalog, pulled: (tag: CatalogTag) => boolean) =>
  catalog.repositories.reduce((sum, r) => sum + r.tags.filter(pulled).length, 0);

/** The floor: `list` as the adapter must, then pull the tags the policy selects. */
async function floor(list: (fetcher: BareFetcher) => Promise<ListedTag[]>): Promise<FloorRun> {
  const fetcher = bareFetcher(IN_FLIGHT);
  try {
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const listed = await list(fetcher);
    const listingMs = performance.now() - started;
    const since = Date.now() - SELECTED_WITHIN_DAYS * DAY;
    const selected = listed.filter((tag) => tag.date && Date.parse(tag.date) >= since);
    await pullCrawl(fetcher, selected, BASIC);
    const ms = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    return { ms, cpuMs: (cpu.user + cpu.system) / 1000, listingMs, tags: listed.length, selected: selected.length };
  } finally {
    await fetcher.close();
  }
}

/** A page as `next` sees it. */
interface Page {
  headers: IncomingHttpHeaders;
  url: URL;
  body: unknown;
}

/** Every page's items (the body, or its `items`), pages followed with `next`; `each` sees each page's items as they come. */
async function pages<T>(fetcher: BareFetcher, first: URL, headers: Record<string, string>, next: (page: Page) => URL | undefined, each: (items: T[]) => void): Promise<void> {
  for (let url: URL | undefined = first; url; ) {
    const answer = await fetcher.fetch("GET", url, headers);
    const body = answer.json();
    each(Array.isArray(body) ? body : (body.items ?? []));
    url = next({ headers: answer.headers, url, body });
  }
}

// ------------------------------------------------------------------ Harbor

const startHarbor: Start = async (catalog, pulled) => {
  const { startHarborEmulator, ROLE } = await import("../test/emulators/harbor");
  const groups = groupsOf(catalog);
  const harbor = await startHarborEmulator({
    accounts: [{ username: USERNAME, password: SECRET, roles: Object.fromEntries(groups.map((group) => [group, ROLE.limitedGuest])) }],
    projects: groups.map((name) => ({ name })),
    maxPageSize: 100,
  });
  try {
    // One repository's artifacts one after the other: the registry fails concurrent uploads of one blob to one repository.
    await forEachIndex(catalog.repositories.length, PUSH_CONCURRENCY, async (r) => {
      const { group, leaf, tags } = catalog.repositories[r];
      for (const tag of tags) {
        await harbor.push(group, leaf, pulled(tag) ? { tags: [tag.name], pushedAt: tag.date, image: tag.spec } : { tags: [tag.name], pushedAt: tag.date, created: tag.date });
      }
    });
  } catch (error) {
    await harbor.stop();
    throw error;
  }
  const api = `${harbor.url}/api/v2.0`;
  const headers = { authorization: BASIC, accept: "application/json" };
  const linkNext = ({ headers, url }: Page) => nextLink(headers.link, url);
  const first = (path: string, query = "") => new URL(`${api}/${path}?${query}page=1&page_size=100`);

  const list = async (fetcher: BareFetcher): Promise<ListedTag[]> => {
    const listed: ListedTag[] = [];
    const artifacts = (repository: string, project: string) =>
      pages<{ digest: string; extra_attrs?: { created?: string }; tags?: { name: string }[] | null }>(
        fetcher,
        first(`projects/${project}/repositories/${encodeURIComponent(encodeURIComponent(repository.slice(project.length + 1)))}/artifacts`, "with_tag=true&"),
        headers,
        linkNext,
        (items) => {
          for (const artifact of items) {
            for (const _ of artifact.tags ?? []) listed.push({ endpoint: harbor.url, name: repository, digest: artifact.digest, date: artifact.extra_attrs?.created });
          }
        },
      );
    // A robot is told apart by this answer; the adapter asks it first.
    await fetcher.fetch("GET", `${api}/users/current`, headers);
    const work: Promise<void>[] = [];
    await pages<{ name: string; current_user_role_id?: number }>(fetcher, first("projects"), headers, linkNext, (projects) => {
      for (const project of projects.filter((p) => (p.current_user_role_id ?? 0) > 0)) {
        work.push(
          (async () => {
            const inProject: Promise<void>[] = [];
            await pages<{ name: string }>(fetcher, first(`projects/${project.name}/repositories`), headers, linkNext, (repositories) => {
              for (const { name } of repositories) inProject.push(artifacts(name, project.name));
            });
            await Promise.all(inProject);
          })(),
        );
      }
    });
    await Promise.all(work);
    return listed;
  };

  return {
    integration: { type: "HARBOR", url: harbor.url, insecure: true, authMethod: "ACCOUNT", username: USERNAME, secret: SECRET },
    pushed: countPulled(catalog, pulled),
    crawl: () => floor(list),
    forgetRequests: () => harbor.base.server.clearRequests(),
    stop: () => harbor.stop(),
  };
};

// ------------------------------------------------------------------ GitLab

const startGitLab: Start = async (catalog, pulled) => {
  const { startGitLabEmulator } = await import("../test/emulators/gitlab");
  const { buildImage } = await import("../test/registry/image-builder");
  const REPORTER = 20;
  // One project per repository (its root image), in its team's group.
  const gitlab = await startGitLabEmulator({
    accounts: [{ username: USERNAME, token: SECRET, scopes: ["read_api", "read_registry"], members: Object.fromEntries(catalog.repositories.map((r) => [r.name, REPORTER])) }],
    projects: catalog.repositories.map((repository: CatalogRepository) => ({
      path: repository.name,
      repositories: [
        {
          name: "",
          tags: repository.tags.map((tag) => ({ name: tag.name, createdAt: tag.date.toISOString(), ...(pulled(tag) ? { image: buildImage(tag.spec) } : { pushed: false }) })),
        },
      ],
    })),
    maxPerPage: 100,
    pushConcurrency: PUSH_CONCURRENCY,
  });
  const headers = { authorization: `Bearer ${SECRET}`, accept: "application/json" };
  const nextPage = ({ headers, url }: Page) => {
    const page = String(headers["x-next-page"] ?? "");
    if (!page) return undefined;
    const next = new URL(url);
    next.searchParams.set("page", page);
    return next;
  };
  const first = (path: string, query = "") => new URL(`${gitlab.apiUrl}/${path}?${query}per_page=100&page=1`);

  const list = async (fetcher: BareFetcher): Promise<ListedTag[]> => {
    const listed: ListedTag[] = [];
    const work: Promise<unknown>[] = [];
    const tagsOf = async (projectId: number, repository: { id: number; path: string }) => {
      const base = `projects/${projectId}/registry/repositories/${repository.id}/tags`;
      const details: Promise<void>[] = [];
      await pages<{ name: string }>(fetcher, first(base), headers, nextPage, (tags) => {
        for (const { name } of tags) {
          details.push(
            fetcher.fetch("GET", `${gitlab.apiUrl}/${base}/${encodeURIComponent(name)}`, headers).then((answer) => {
              const detail = answer.json<{ digest: string; created_at: string | null }>();
              listed.push({ endpoint: gitlab.registryUrl, name: repository.path, digest: detail.digest, date: detail.created_at });
            }),
          );
        }
      });
      await Promise.all(details);
    };
    await pages<{ id: number }>(fetcher, first("projects", `min_access_level=${REPORTER}&simple=true&order_by=id&sort=asc&`), headers, nextPage, (projects) => {
      for (const { id } of projects) {
        work.push(
          (async () => {
            const inProject: Promise<void>[] = [];
            await pages<{ id: number; path: string }>(fetcher, first(`projects/${id}/registry/repositories`), headers, nextPage, (repositories) => {
              for (const repository of repositories) inProject.push(tagsOf(id, repository));
            });
            await Promise.all(inProject);
          })(),
        );
      }
    });
    await Promise.all(work);
    return listed;
  };

  return {
    integration: { type: "GITLAB", url: gitlab.registryUrl, apiUrl: gitlab.apiUrl, insecure: true, authMethod: "ACCOUNT", username: USERNAME, secret: SECRET },
    pushed: countPulled(catalog, pulled),
    crawl: () => floor(list),
    forgetRequests: () => {
      gitlab.registry.server.clearRequests();
      gitlab.registry.tokenServer.clearRequests();
    },
    stop: () => gitlab.stop(),
  };
};

// ------------------------------------------------------------------ Nexus

const startNexus: Start = async (catalog, pulled) => {
  const { startNexusEmulator } = await import("../test/emulators/nexus");
  // One hosted Docker repository per team, its services the images in it.
  const nexus = await startNexusEmulator({
    users: { [USERNAME]: { password: SECRET, privileges: ["nx-repository-view-docker-*-browse", "nx-repository-view-docker-*-read"] } },
    repositories: groupsOf(catalog).map((group) => ({
      name: group,
      images: Object.fromEntries(
        catalog.repositories
          .filter((r) => r.group === group)
          .map((r) => [r.leaf, r.tags.map((tag) => ({ tag: tag.name, blobCreated: tag.date, ...(pulled(tag) ? { image: tag.spec } : { pushed: false }) }))]),
      ),
    })),
    pageSize: 50,
    pushConcurrency: PUSH_CONCURRENCY,
  });
  const rest = `${nexus.url}/service/rest/v1`;
  const headers = { authorization: BASIC, accept: "application/json" };

  const list = async (fetcher: BareFetcher): Promise<ListedTag[]> => {
    const listed: ListedTag[] = [];
    const repositories = (await fetcher.fetch("GET", `${rest}/repositories`, headers)).json<{ name: string; format: string; type: string }[]>();
    await Promise.all(
      repositories
        .filter((r) => r.format === "docker" && r.type === "hosted")
        .map(({ name: key }) => {
          const first = new URL(`${rest}/search?repository=${encodeURIComponent(key)}&format=docker`);
          const next = ({ body }: Page) => {
            const token = (body as { continuationToken?: string | null }).continuationToken;
            if (!token) return undefined;
            const url = new URL(first);
            url.searchParams.set("continuationToken", token);
            return url;
          };
          return pages<{ name: string; assets: { path: string; checksum: { sha256: string }; blobCreated: string }[] }>(fetcher, first, headers, next, (components) => {
            for (const component of components) {
              const manifest = component.assets.find((asset) => asset.path.includes("/manifests/"))!;
              listed.push({ endpoint: `${nexus.url}/repository/${key}`, name: component.name, digest: `sha256:${manifest.checksum.sha256}`, date: manifest.blobCreated });
            }
          });
        }),
    );
    return listed;
  };

  return {
    integration: { type: "NEXUS", url: nexus.url, insecure: true, authMethod: "ACCOUNT", username: USERNAME, secret: SECRET },
    pushed: countPulled(catalog, pulled),
    crawl: () => floor(list),
    forgetRequests: () => nexus.base.server.clearRequests(),
    stop: () => nexus.stop(),
  };
};
