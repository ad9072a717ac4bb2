import type { ExpectedVersions } from "../domain/versions.ts";

/**
 * Conditional requests (RFC 9110 §13) at the edge: services speak of versions,
 * these turn them into ETags and read If-Match / If-None-Match.
 */

/** A resource's version as a strong ETag. */
export const etagOf = (version: number): string => `"${version}"`;

/** Parses If-Match into the versions it accepts. */
export function parseIfMatch(header: string | undefined): ExpectedVersions {
  if (header === undefined) return null;
  const trimmed = header.trim();
  if (trimmed === "*") return "any";
  const versions: number[] = [];
  for (const part of trimmed.split(",")) {
    const m = /^"(\d{1,9})"$/.exec(part.trim());
    if (m) versions.push(Number(m[1]));
  }
  // An If-Match that matches nothing we could have sent still must fail (412), not be ignored.
  return versions.length > 0 ? versions : [-1];
}

/** Whether If-None-Match names this ETag (weak comparison, as RFC 9110 asks for GET). */
export function ifNoneMatchMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.trim() === "*" || header.split(",").some((t) => t.trim().replace(/^W\//, "") === etag);
}
