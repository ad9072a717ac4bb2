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
 * The cursor of the next page: the `cursor` parameter of the `rel="next"` link, or null on the
 * last page. The next page is the same query with this cursor (the server's link may name the
 * host otherwise, e.g. behind a proxy, so only the cursor is taken from it).
 */
export function nextCursor(header: string | null | undefined): string | null {
  const next = parseLinkHeader(header).next;
  if (!next) return null;
  try {
    return new URL(next, "http://localhost/").searchParams.get("cursor");
  } catch {
    return null;
  }
}
