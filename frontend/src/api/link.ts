/**
 * Parses an RFC 8288 `Link` header into a map of rel → URL.
 * Handles several links, several rel values per link, quoted and unquoted
 * parameters, and commas inside the URL.
 */
export function parseLinkHeader(header: string | null | undefined): Record<string, string> {
  const links: Record<string, string> = {};
  if (!header) return links;
  const re = /<([^>]*)>((?:\s*;\s*[^;,]+(?:=(?:"[^"]*"|[^;,]*))?)*)/g;
  for (const match of header.matchAll(re)) {
    const url = match[1] ?? "";
    const params = match[2] ?? "";
    for (const p of params.matchAll(/;\s*([^=;,\s]+)\s*=\s*(?:"([^"]*)"|([^;,]*))/g)) {
      if ((p[1] ?? "").toLowerCase() !== "rel") continue;
      const value = (p[2] ?? p[3] ?? "").trim();
      for (const rel of value.split(/\s+/)) {
        if (rel && !(rel.toLowerCase() in links)) links[rel.toLowerCase()] = url;
      }
    }
  }
  return links;
}

/**
 * The path + query of the `rel="next"` link, or null when there is no next page.
 * The host of an absolute URL is dropped on purpose: the app always talks to its
 * own origin (the server may know itself by another name, e.g. behind a proxy).
 */
export function nextPagePath(header: string | null | undefined, base = "http://localhost/"): string | null {
  const next = parseLinkHeader(header).next;
  if (!next) return null;
  try {
    const url = new URL(next, base);
    return url.pathname + url.search;
  } catch {
    return null;
  }
}
