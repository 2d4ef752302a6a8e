/**
 * What the emulator reads from the real registry behind it, as the storage
 * Artifactory keeps: images of a repository are the registry's repositories
 * named `<key>/<image>`, tags its tags, and a tag's manifest file the manifest
 * the tag points at (its digest is the file's sha256; an index is a
 * `list.manifest.json`). Reads use tokens minted by the emulator's signer.
 */
import { request } from "undici";
import { MANIFEST_ACCEPT } from "../../../workers/registry/distribution/media-types";
import type { Access, TokenSigner } from "../shared";

export interface ManifestFile {
  digest: string;
  isList: boolean;
}

export class RegistryStore {
  constructor(
    private readonly registryUrl: string,
    private readonly signer: TokenSigner,
  ) {}

  private async get(path: string, access: Access[], method: "GET" | "HEAD" = "GET") {
    const token = this.signer.sign({ subject: "artifactory-storage", access, expiresInSeconds: 60 });
    const answer = await request(`${this.registryUrl}${path}`, { method, headers: { authorization: `Bearer ${token}`, accept: MANIFEST_ACCEPT } });
    const body = method === "HEAD" ? (await answer.body.dump(), null) : await answer.body.text();
    return { status: answer.statusCode, headers: answer.headers, body };
  }

  /** The images of repository `key`, sorted. */
  async images(key: string): Promise<string[]> {
    const prefix = `${key}/`;
    const names: string[] = [];
    let last: string | undefined;
    for (;;) {
      const query = new URLSearchParams({ n: "1000", ...(last ? { last } : {}) });
      const { status, body } = await this.get(`/v2/_catalog?${query}`, [{ type: "registry", name: "catalog", actions: ["*"] }]);
      if (status !== 200) throw new Error(`registry catalog answered ${status}`);
      const page = (JSON.parse(body!) as { repositories?: string[] }).repositories ?? [];
      names.push(...page.filter((name) => name.startsWith(prefix)).map((name) => name.slice(prefix.length)));
      if (page.length < 1000) break;
      last = page[page.length - 1];
    }
    return names.sort();
  }

  /** The tags of `<key>/<image>`, sorted; null when the image does not exist. */
  async tags(key: string, image: string): Promise<string[] | null> {
    const name = `${key}/${image}`;
    const { status, body } = await this.get(`/v2/${name}/tags/list?n=10000`, [{ type: "repository", name, actions: ["pull"] }]);
    if (status === 404) return null;
    if (status !== 200) throw new Error(`registry tags of ${name} answered ${status}`);
    return ((JSON.parse(body!) as { tags?: string[] | null }).tags ?? []).sort();
  }

  /** The manifest a tag points at, or null. */
  async manifest(key: string, image: string, tag: string): Promise<ManifestFile | null> {
    const name = `${key}/${image}`;
    const { status, headers } = await this.get(`/v2/${name}/manifests/${encodeURIComponent(tag)}`, [{ type: "repository", name, actions: ["pull"] }], "HEAD");
    if (status === 404) return null;
    if (status !== 200) throw new Error(`registry manifest ${name}:${tag} answered ${status}`);
    const mediaType = String(headers["content-type"] ?? "");
    return { digest: String(headers["docker-content-digest"]), isList: /index|manifest\.list/.test(mediaType) };
  }
}
