import { describe, expect, it } from "vitest";
import { nextPagePath, parseLinkHeader } from "./link";

describe("parseLinkHeader", () => {
  it("reads a single next link", () => {
    expect(parseLinkHeader('</api/tasks?cursor=abc&limit=50>; rel="next"')).toEqual({ next: "/api/tasks?cursor=abc&limit=50" });
  });

  it("reads several links, unquoted rels and extra params", () => {
    const h = '<https://x.test/a?page=1>; rel=prev; title="p", <https://x.test/a?page=3>; type="application/json"; rel="next"';
    expect(parseLinkHeader(h)).toEqual({ prev: "https://x.test/a?page=1", next: "https://x.test/a?page=3" });
  });

  it("handles commas inside URLs and multiple rel values", () => {
    const h = '</api/tasks?priority=high,medium&cursor=x>; rel="next last"';
    expect(parseLinkHeader(h)).toEqual({
      next: "/api/tasks?priority=high,medium&cursor=x",
      last: "/api/tasks?priority=high,medium&cursor=x",
    });
  });

  it("is case-insensitive on rel and keeps the first occurrence", () => {
    expect(parseLinkHeader('</one>; REL="Next", </two>; rel="next"')).toEqual({ next: "/one" });
  });

  it("returns nothing for empty or junk headers", () => {
    expect(parseLinkHeader(null)).toEqual({});
    expect(parseLinkHeader("")).toEqual({});
    expect(parseLinkHeader("garbage; rel=next")).toEqual({});
    expect(parseLinkHeader('</x>; title="no rel"')).toEqual({});
  });
});

describe("nextPagePath", () => {
  it("keeps path and query of an absolute URL, dropping its origin", () => {
    expect(nextPagePath('<http://127.0.0.1:3000/api/tasks?limit=2&cursor=Zm9v>; rel="next"')).toBe("/api/tasks?limit=2&cursor=Zm9v");
  });

  it("resolves relative URLs against the base", () => {
    expect(nextPagePath('<?cursor=2>; rel="next"', "http://h/api/admin/users?limit=5")).toBe("/api/admin/users?cursor=2");
  });

  it("is null without a next link", () => {
    expect(nextPagePath('</a>; rel="prev"')).toBeNull();
    expect(nextPagePath(null)).toBeNull();
  });
});
