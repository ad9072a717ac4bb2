import { describe, expect, it } from "vitest";
import { nextCursor, parseLinkHeader } from "./link";

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

describe("nextCursor", () => {
  it("reads the cursor of an absolute or relative next link", () => {
    expect(nextCursor('<http://127.0.0.1:3000/api/tasks?limit=2&cursor=Zm9v>; rel="next"')).toBe("Zm9v");
    expect(nextCursor('</api/admin/users?q=a%20b&cursor=x%3D%3D>; rel="next"')).toBe("x==");
    expect(nextCursor('<?cursor=2>; rel="next"')).toBe("2");
  });

  it("is null without a next link, or a next link without a cursor", () => {
    expect(nextCursor('</a?cursor=1>; rel="prev"')).toBeNull();
    expect(nextCursor('</a?page=2>; rel="next"')).toBeNull();
    expect(nextCursor(null)).toBeNull();
  });
});
