import { describe, expect, it } from "vitest";
import type { Pages } from "../api/pages";
import { anchorFor, moveId, moveInArray, moveInPages, stepTarget } from "./order";
import { subtaskProgress } from "./progress";

const pages = (...groups: string[][]): Pages<{ id: string }> => ({
  pages: groups.map((g, i) => ({ items: g.map((id) => ({ id })), next: i < groups.length - 1 ? `c${i}` : null })),
  pageParams: groups.map((_, i) => (i === 0 ? null : `c${i - 1}`)),
});
const ids = (p: Pages<{ id: string }>) => p.pages.map((x) => x.items.map((i) => i.id));

describe("manual order", () => {
  it("moves an id to an index and names the neighbour the server should put it next to", () => {
    expect(moveId(["a", "b", "c", "d"], "a", 2)).toEqual(["b", "c", "a", "d"]);
    expect(moveId(["a", "b", "c"], "c", 0)).toEqual(["c", "a", "b"]);
    expect(moveId(["a", "b"], "x", 0)).toEqual(["a", "b"]);
    expect(anchorFor(["b", "c", "a", "d"], "a")).toEqual({ before: "d" });
    expect(anchorFor(["b", "c", "a"], "a")).toEqual({ after: "c" });
    expect(anchorFor(["a"], "a")).toBeNull();
  });

  it("steps up and down, and not past either end", () => {
    expect(stepTarget(["a", "b", "c"], "b", -1)).toBe(0);
    expect(stepTarget(["a", "b", "c"], "b", 1)).toBe(2);
    expect(stepTarget(["a", "b", "c"], "a", -1)).toBeNull();
    expect(stepTarget(["a", "b", "c"], "c", 1)).toBeNull();
  });

  it("moves across loaded pages, keeping each page's length (the next cursor still follows)", () => {
    const moved = moveInPages(pages(["a", "b"], ["c", "d"]), "a", 3);
    expect(ids(moved)).toEqual([
      ["b", "c"],
      ["d", "a"],
    ]);
    expect(moved.pages[0]?.next).toBe("c0");
    expect(moveInArray([{ id: "x" }, { id: "y" }], "y", 0).map((i) => i.id)).toEqual(["y", "x"]);
  });

  it("shows subtask progress as done/total", () => {
    expect(subtaskProgress({ subtask_count: 5, open_subtask_count: 3 })).toMatchObject({ text: "2/5", label: "2 of 5 subtasks done" });
    expect(subtaskProgress({ subtask_count: 0, open_subtask_count: 0 })).toBeNull();
  });
});
