import { isRepositoryName, isTag } from "../../../workers/registry/distribution/reference";

const DIGEST = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

export type ParsedReference = { repository: string; tag: string | null; reference: string } | { invalid: string };

/** `repo:tag` or `repo@sha256:…`; anything else says why not. */
export function parseImageReference(raw: string): ParsedReference {
  const text = raw.trim();
  const at = text.indexOf("@");
  if (at >= 0) {
    const repository = text.slice(0, at);
    const digest = text.slice(at + 1);
    if (!isRepositoryName(repository)) return { invalid: `"${repository}" is not a repository name` };
    if (!DIGEST.test(digest)) return { invalid: `"${digest}" is not a digest like sha256:<64 hex digits>` };
    return { repository, tag: null, reference: digest };
  }
  const colon = text.lastIndexOf(":");
  if (colon < 0 || text.indexOf("/", colon) >= 0) return { invalid: "name the tag or digest: repo:tag or repo@sha256:…" };
  const repository = text.slice(0, colon);
  const tag = text.slice(colon + 1);
  if (!isRepositoryName(repository)) return { invalid: `"${repository}" is not a repository name` };
  if (!isTag(tag)) return { invalid: `"${tag}" is not a tag` };
  return { repository, tag, reference: tag };
}
