import assert from "node:assert/strict";

/** The URL of the next page from a Link header (path and query), or null. */
export function nextLink(link: unknown): string | null {
  if (link === undefined) return null;
  const m = /^<([^>]+)>; rel="next"$/.exec(String(link));
  assert.ok(m, `odd Link header: ${String(link)}`);
  const url = new URL(m[1] as string);
  return url.pathname + url.search;
}
