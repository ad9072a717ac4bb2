import { describe, expect, it } from "vitest";
import {
  DEFAULT_FILTERS,
  filtersFromSearch,
  filtersToSearch,
  matchesStatus,
  PRIORITIES,
  parseTags,
  SORT_FIELDS,
  STATUSES,
  tasksQuery,
} from "./filters";

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
    const query = tasksQuery({
      ...DEFAULT_FILTERS,
      priorities: ["high", "medium"],
      tags: ["a", "b"],
      q: " 50% ",
      sort: "priority",
      dir: "desc",
    });
    expect(query).toEqual({ status: "all", priority: "high,medium", tag: ["a", "b"], q: "50%", sort: "-priority", limit: 50 });
    expect(tasksQuery({ ...DEFAULT_FILTERS, sort: "title", dir: "asc" }, 10)).toEqual({ status: "all", sort: "title", limit: 10 });
  });

  it("offers the statuses, sort fields and priorities the API documents", () => {
    expect(STATUSES).toEqual(["all", "pending", "completed"]);
    expect(SORT_FIELDS).toEqual(["created_at", "updated_at", "due_at", "priority", "title"]);
    expect(PRIORITIES).toEqual(["high", "medium", "low", "none"]);
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
