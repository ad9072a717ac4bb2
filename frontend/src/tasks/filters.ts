import {
  type operations,
  pathsApiTasksGetParametersQuerySortValues,
  pathsApiTasksGetParametersQueryStatusValues,
  type Task,
  taskPriorityValues,
} from "../api/openapi";

/** The query of `GET /api/tasks` (and of an admin's `GET /api/admin/users/{id}/tasks`). */
export type TaskListQuery = NonNullable<operations["listTasks"]["parameters"]["query"]>;
export type Priority = Task["priority"];
export type StatusFilter = NonNullable<TaskListQuery["status"]>;
export type SortField = Exclude<NonNullable<TaskListQuery["sort"]>, `-${string}`>;
export type SortDir = "asc" | "desc";

// The value lists come from the OpenAPI document (npm run gen:api), so the screens offer what the API accepts.
export const STATUSES: readonly StatusFilter[] = pathsApiTasksGetParametersQueryStatusValues;
/** The sorts the filter bar offers (manual order needs a list: the list views use it). */
export const SORT_FIELDS: readonly SortField[] = pathsApiTasksGetParametersQuerySortValues.filter(
  (s): s is SortField => !s.startsWith("-") && s !== "position",
);
/** Highest first, as the form and the filters list them. */
export const PRIORITIES: readonly Priority[] = [...taskPriorityValues].reverse();

export interface TaskFilters {
  status: StatusFilter;
  priorities: Priority[];
  tags: string[];
  q: string;
  sort: SortField;
  dir: SortDir;
}

export const DEFAULT_FILTERS: TaskFilters = { status: "all", priorities: [], tags: [], q: "", sort: "created_at", dir: "desc" };
export const PAGE_SIZE = 50;

const isOneOf = <T extends string>(list: readonly T[], v: string | null): v is T => v !== null && (list as readonly string[]).includes(v);

/** Reads the filters from the page's query string; unknown values fall back to the defaults. */
export function filtersFromSearch(search: string): TaskFilters {
  const p = new URLSearchParams(search);
  const status = p.get("status");
  const rawSort = p.get("sort") ?? "";
  const sortField = rawSort.replace(/^-/, "");
  const priorities = (p.get("priority") ?? "").split(",").filter((v): v is Priority => isOneOf(PRIORITIES, v));
  return {
    status: isOneOf(STATUSES, status) ? status : DEFAULT_FILTERS.status,
    priorities: PRIORITIES.filter((x) => priorities.includes(x)),
    tags: normalizeTags(p.getAll("tag")),
    q: p.get("q") ?? "",
    sort: isOneOf(SORT_FIELDS, sortField) ? sortField : DEFAULT_FILTERS.sort,
    dir: isOneOf(SORT_FIELDS, sortField) ? (rawSort.startsWith("-") ? "desc" : "asc") : DEFAULT_FILTERS.dir,
  };
}

/** The page query string for these filters (defaults omitted), with leading `?` or empty. */
export function filtersToSearch(f: TaskFilters): string {
  const p = new URLSearchParams();
  if (f.status !== DEFAULT_FILTERS.status) p.set("status", f.status);
  if (f.priorities.length) p.set("priority", f.priorities.join(","));
  for (const t of f.tags) p.append("tag", t);
  if (f.q.trim()) p.set("q", f.q.trim());
  if (f.sort !== DEFAULT_FILTERS.sort || f.dir !== DEFAULT_FILTERS.dir) p.set("sort", (f.dir === "desc" ? "-" : "") + f.sort);
  const s = p.toString();
  return s ? `?${s}` : "";
}

/** The API query listing tasks with these filters (one page of `limit`). */
export function tasksQuery(f: TaskFilters, limit = PAGE_SIZE): TaskListQuery {
  const query: TaskListQuery = { status: f.status };
  if (f.priorities.length) query.priority = f.priorities.join(",");
  if (f.tags.length) query.tag = f.tags;
  if (f.q.trim()) query.q = f.q.trim();
  query.sort = f.dir === "desc" ? (`-${f.sort}` as const) : f.sort;
  query.limit = limit;
  return query;
}

/** Splits "Work, home ,work" into ["work", "home"]: trimmed, lower-cased, distinct, non-empty. */
export function parseTags(input: string): string[] {
  return normalizeTags(input.split(","));
}

export function normalizeTags(tags: string[]): string[] {
  const out: string[] = [];
  for (const raw of tags) {
    const t = raw.trim().toLowerCase();
    if (t && !out.includes(t)) out.push(t);
  }
  return out;
}

/** Whether a task belongs in the list for a status tab (used to hide tasks right after toggling). */
export function matchesStatus(task: { completed: boolean }, status: StatusFilter): boolean {
  return status === "all" || (status === "completed") === task.completed;
}
