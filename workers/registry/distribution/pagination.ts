/** RFC 8288 `Link` headers: the `rel="next"` target, resolved against the request URL (distribution sends relative ones). */

export function nextPageUrl(header: string | string[] | undefined, requestUrl: URL): URL | undefined {
  const text = Array.isArray(header) ? header.join(", ") : header;
  if (!text) return undefined;
  const link = /<([^>]*)>((?:\s*;\s*[^;,]*(?:"[^"]*")?[^;,]*)*)/g;
  for (let match = link.exec(text); match; match = link.exec(text)) {
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(match[2]);
    const relations = (rel?.[1] ?? rel?.[2] ?? "").toLowerCase().split(/\s+/);
    if (!relations.includes("next")) continue;
    try {
      return new URL(match[1], requestUrl);
    } catch {
      return undefined;
    }
  }
  return undefined;
}
