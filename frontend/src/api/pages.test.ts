import { describe, expect, it } from "vitest";
import { json } from "../test-utils";
import { ok } from "./client";
import { allItems, indexOfItem, insertItem, type Pages, page, removeItem, replaceItem } from "./pages";

interface Item {
  id: string;
  v?: number;
}
const pages = (...lists: string[][]): Pages<Item> => ({
  pages: lists.map((ids, i) => ({ items: ids.map((id) => ({ id })), next: i < lists.length - 1 ? `c${i + 1}` : null })),
  pageParams: lists.map((_, i) => (i === 0 ? null : `c${i}`)),
});
const ids = (data: Pages<Item>) => data.pages.map((p) => p.items.map((i) => i.id));

describe("paged lists", () => {
  it("reads a page and its next cursor from a response", async () => {
    const link = '<http://h/api/tasks?limit=2&cursor=abc>; rel="next"';
    const call = async () => ({ data: [{ id: "1" }], response: json([], { headers: { link } }) });
    expect(await page(call())).toEqual({ items: [{ id: "1" }], next: "abc" });
    const last = async () => ({ data: [], response: json([]) });
    expect(await page(last())).toEqual({ items: [], next: null });
    await expect(ok(Promise.resolve({ error: {}, response: new Response(null, { status: 503 }) }))).rejects.toMatchObject({ status: 503 });
  });

  it("lists every item once, in order", () => {
    expect(allItems(pages(["a", "b"], ["b", "c"])).map((i) => i.id)).toEqual(["a", "b", "c"]);
  });

  it("replaces an item wherever it is, and leaves the data alone when it is not there", () => {
    const data = pages(["a", "b"], ["c"]);
    const edited = replaceItem(data, { id: "c", v: 9 });
    expect(edited.pages[1]?.items).toEqual([{ id: "c", v: 9 }]);
    expect(edited.pages[0]).toBe(data.pages[0]); // untouched pages keep their identity
    expect(data.pages[1]?.items).toEqual([{ id: "c" }]); // not mutated
    expect(replaceItem(data, { id: "zzz" })).toBe(data);
    expect(ids(replaceItem(data, { id: "real" }, "b"))).toEqual([["a", "real"], ["c"]]);
  });

  it("removes an item, and puts it back where it was (a rolled-back delete)", () => {
    const data = pages(["a", "b"], ["c", "d"]);
    const index = indexOfItem(data, "c");
    expect(index).toBe(2);
    const removed = removeItem(data, "c");
    expect(ids(removed)).toEqual([["a", "b"], ["d"]]);
    expect(removeItem(removed, "c")).toBe(removed);
    expect(ids(insertItem(removed, { id: "c" }, index))).toEqual([
      ["a", "b"],
      ["c", "d"],
    ]);
    expect(ids(insertItem(removed, { id: "x" }))).toEqual([["x", "a", "b"], ["d"]]);
    expect(ids(insertItem(removed, { id: "x" }, 99))).toEqual([
      ["a", "b"],
      ["d", "x"],
    ]);
    expect(insertItem(data, { id: "a" }, 3)).toBe(data);
    expect(indexOfItem(data, "nope")).toBe(-1);
  });
});
