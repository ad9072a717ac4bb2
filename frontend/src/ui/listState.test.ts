import { describe, expect, it } from "vitest";
import { initialListState, type ListAction, type ListState, listReducer } from "./listState";

interface Item {
  id: string;
  v?: number;
}
const run = (actions: ListAction<Item>[], start: ListState<Item> = initialListState<Item>()) => actions.reduce(listReducer<Item>, start);
const ids = (s: ListState<Item>) => s.items.map((i) => i.id);

describe("listReducer", () => {
  it("loads a first page", () => {
    const s = run([
      { type: "load", key: "q1" },
      { type: "loaded", key: "q1", items: [{ id: "a" }, { id: "b" }], next: "/p2", append: false },
    ]);
    expect(s).toMatchObject({ key: "q1", phase: "ready", next: "/p2", error: null });
    expect(ids(s)).toEqual(["a", "b"]);
  });

  it("appends further pages without duplicates", () => {
    const s = run([
      { type: "load", key: "q" },
      { type: "loaded", key: "q", items: [{ id: "a" }, { id: "b" }], next: "/p2", append: false },
      { type: "loadMore", key: "q" },
      { type: "loaded", key: "q", items: [{ id: "b" }, { id: "c" }], next: null, append: true },
    ]);
    expect(ids(s)).toEqual(["a", "b", "c"]);
    expect(s.next).toBeNull();
    expect(s.phase).toBe("ready");
  });

  it("ignores responses for an older query", () => {
    const s = run([
      { type: "load", key: "old" },
      { type: "load", key: "new" },
      { type: "loaded", key: "old", items: [{ id: "stale" }], next: null, append: false },
      { type: "failed", key: "old", error: "x" },
    ]);
    expect(s).toMatchObject({ key: "new", phase: "loading", items: [] });
  });

  it("keeps items visible while a new query loads", () => {
    const loaded = run([
      { type: "load", key: "a" },
      { type: "loaded", key: "a", items: [{ id: "1" }], next: "/n", append: false },
    ]);
    const s = listReducer(loaded, { type: "load", key: "b" });
    expect(ids(s)).toEqual(["1"]);
    expect(s.next).toBeNull();
  });

  it("refuses loadMore without a next page or while busy", () => {
    const ready = run([
      { type: "load", key: "a" },
      { type: "loaded", key: "a", items: [], next: null, append: false },
    ]);
    expect(listReducer(ready, { type: "loadMore", key: "a" })).toBe(ready);
    const loading = run([{ type: "load", key: "a" }]);
    expect(listReducer(loading, { type: "loadMore", key: "a" })).toBe(loading);
  });

  it("reports errors: first page empties, next page keeps the list", () => {
    const first = run([
      { type: "load", key: "a" },
      { type: "failed", key: "a", error: "down" },
    ]);
    expect(first).toMatchObject({ phase: "error", error: "down", items: [] });
    const more = run([
      { type: "load", key: "a" },
      { type: "loaded", key: "a", items: [{ id: "1" }], next: "/2", append: false },
      { type: "loadMore", key: "a" },
      { type: "failed", key: "a", error: "down" },
    ]);
    expect(more).toMatchObject({ phase: "ready", error: "down", next: "/2" });
    expect(ids(more)).toEqual(["1"]);
  });

  it("upserts, removes and restores items (optimistic updates and rollback)", () => {
    const base = run([
      { type: "load", key: "a" },
      { type: "loaded", key: "a", items: [{ id: "1" }, { id: "2" }, { id: "3" }], next: null, append: false },
    ]);
    const edited = listReducer(base, { type: "upsert", item: { id: "2", v: 9 } });
    expect(edited.items[1]).toEqual({ id: "2", v: 9 });
    expect(base.items[1]).toEqual({ id: "2" }); // immutable
    const created = listReducer(edited, { type: "upsert", item: { id: "new" } });
    expect(ids(created)).toEqual(["new", "1", "2", "3"]);
    const removed = listReducer(created, { type: "remove", id: "2" });
    expect(ids(removed)).toEqual(["new", "1", "3"]);
    expect(listReducer(removed, { type: "remove", id: "zzz" })).toBe(removed);
    const restored = listReducer(removed, { type: "insertAt", item: { id: "2", v: 9 }, index: 2 });
    expect(ids(restored)).toEqual(["new", "1", "2", "3"]);
    expect(listReducer(restored, { type: "insertAt", item: { id: "2" }, index: 0 })).toBe(restored);
    expect(ids(listReducer(removed, { type: "insertAt", item: { id: "x" }, index: 99 }))).toEqual(["new", "1", "3", "x"]);
  });
});
