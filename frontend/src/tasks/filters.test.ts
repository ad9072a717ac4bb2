import { describe, expect, it } from "vitest";
import { DEFAULT_FILTERS, filtersFromSearch, filtersToSearch, matchesStatus, parseTags, tasksApiPath } from "./filters";

describe("task filters", () => {
  it("defaults when the query is empty", () => {
    expect(filtersFromSearch("")).toEqual(DEFAULT_FILTERS);
    expect(filtersToSearch(DEFAULT_FILTERS)).toBe("");
  });

  it("round-trips through the page URL", () => {
    const f = {
      status: "pending",
      priorities: ["high", "low"],
      tags: ["work", "q1"],
      q: "milk & eggs",
      sort: "due_at",
      dir: "asc",
    } as const;
    const search = filtersToSearch({ ...f, priorities: [...f.priorities], tags: [...f.tags] });
    expect(search).toBe("?status=pending&priority=high%2Clow&tag=work&tag=q1&q=milk+%26+eggs&sort=due_at");
    expect(filtersFromSearch(search)).toEqual({ ...f, priorities: ["high", "low"], tags: ["work", "q1"] });
  });

  it("ignores unknown values instead of sending them to the API", () => {
    expect(filtersFromSearch("?status=done&priority=urgent,high&sort=-color&tag=%20Work%20&tag=work")).toEqual({
      ...DEFAULT_FILTERS,
      priorities: ["high"],
      tags: ["work"],
    });
  });

  it("orders priorities canonically", () => {
    expect(filtersFromSearch("?priority=none,high").priorities).toEqual(["high", "none"]);
  });

  it("builds the API query in the documented shape", () => {
    const path = tasksApiPath("/api/tasks", {
      ...DEFAULT_FILTERS,
      priorities: ["high", "medium"],
      tags: ["a", "b"],
      q: " 50% ",
      sort: "priority",
      dir: "desc",
    });
    expect(path).toBe("/api/tasks?status=all&priority=high%2Cmedium&tag=a&tag=b&q=50%25&sort=-priority&limit=50");
    expect(tasksApiPath("/api/admin/users/u1/tasks", DEFAULT_FILTERS, 10)).toBe(
      "/api/admin/users/u1/tasks?status=all&sort=-created_at&limit=10",
    );
  });

  it("parses tag input", () => {
    expect(parseTags("Work, home ,, work,  HOME , Errands")).toEqual(["work", "home", "errands"]);
    expect(parseTags("   ")).toEqual([]);
  });

  it("matches tasks to status tabs", () => {
    expect(matchesStatus({ completed: true }, "all")).toBe(true);
    expect(matchesStatus({ completed: true }, "pending")).toBe(false);
    expect(matchesStatus({ completed: false }, "pending")).toBe(true);
    expect(matchesStatus({ completed: true }, "completed")).toBe(true);
  });
});
