import { keepPreviousData, useInfiniteQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { messageOf } from "../api/problem";
import { navigate, useLocation } from "../router";
import { LoadMore } from "../ui/LoadMore";
import { DEFAULT_FILTERS, filtersFromSearch, filtersToSearch, matchesStatus, type TaskFilters, tasksQuery } from "./filters";
import { type TaskScope, taskListQuery } from "./queries";
import { STATUS_PANEL_ID, StatusTabs, statusTabId, TaskFilterBar } from "./TaskFilterBar";
import { TaskItem } from "./TaskItem";
import { useTaskEditor } from "./useTaskEditor";

interface TaskBrowserProps {
  /** The caller's own tasks, or (read-only) a user's as an admin sees them. */
  scope: TaskScope;
  readOnly?: boolean;
  /** Shown above the filters, e.g. the page heading and the "New task" button. */
  heading: string;
}

export function TaskBrowser({ scope, readOnly = false, heading }: TaskBrowserProps) {
  const { pathname, search } = useLocation();
  const filters = useMemo(() => filtersFromSearch(search), [search]);
  const listQuery = taskListQuery(scope, tasksQuery(filters));
  // While another query loads, the previous results stay on screen (no flicker while typing).
  const list = useInfiniteQuery({ ...listQuery, placeholderData: keepPreviousData });
  const editor = useTaskEditor();

  const setFilters = (f: TaskFilters) => navigate(pathname + filtersToSearch(f), { replace: true });
  const filtered = filtersToSearch({ ...filters, sort: DEFAULT_FILTERS.sort, dir: DEFAULT_FILTERS.dir }) !== "";
  const items = list.data ?? [];
  const visible = items.filter((t) => matchesStatus(t, filters.status));

  const hasItems = visible.length > 0;
  /** A query whose first page is not here yet (the previous query's tasks may be showing meanwhile). */
  const loading = list.isPending || list.isPlaceholderData;
  const ready = list.isSuccess && !list.isPlaceholderData;

  return (
    <section className="task-browser" aria-labelledby="task-browser-heading">
      <div className="toolbar">
        <h2 id="task-browser-heading" className={readOnly ? "" : "visually-hidden"}>
          {heading}
        </h2>
        <StatusTabs value={filters.status} onChange={(status) => setFilters({ ...filters, status })} />
        {readOnly ? null : (
          <button type="button" className="primary" onClick={() => editor.openCreate({ list: listQuery.queryKey })}>
            + New task
          </button>
        )}
      </div>
      <TaskFilterBar filters={filters} onChange={setFilters} />
      <div id={STATUS_PANEL_ID} role="tabpanel" aria-labelledby={statusTabId(filters.status)} aria-busy={loading}>
        <p className="list-status" role="status">
          {loading
            ? "Loading tasks…"
            : list.data
              ? `${visible.length}${list.hasNextPage ? "+" : ""} ${visible.length === 1 ? "task" : "tasks"}`
              : ""}
        </p>
        {list.isLoadingError ? (
          <div className="empty error-state">
            <p>Could not load tasks: {messageOf(list.error)}</p>
            <button type="button" onClick={() => void list.refetch()}>
              Try again
            </button>
          </div>
        ) : list.isPending ? null : hasItems ? (
          <ul className="task-list">
            {visible.map((t) => (
              <TaskItem
                key={t.id}
                task={t}
                readOnly={readOnly}
                onToggle={(task) => void editor.toggle(task)}
                onEdit={editor.openEdit}
                onDelete={editor.askDelete}
                onTag={(tag) => setFilters({ ...filters, tags: filters.tags.includes(tag) ? filters.tags : [...filters.tags, tag] })}
              />
            ))}
          </ul>
        ) : ready ? (
          filtered ? (
            <div className="empty">
              <p>No tasks match these filters.</p>
              <button type="button" onClick={() => setFilters({ ...DEFAULT_FILTERS, sort: filters.sort, dir: filters.dir })}>
                Clear filters
              </button>
            </div>
          ) : (
            <div className="empty">
              <p>{readOnly ? "This user has no tasks." : "No tasks yet. Create your first one with “New task”."}</p>
            </div>
          )
        ) : null}
        {list.isFetchNextPageError ? (
          <p className="form-error" role="alert">
            Could not load more tasks: {messageOf(list.error)}
          </p>
        ) : null}
        <LoadMore list={list} label="Load more tasks" />
      </div>
      {editor.dialogs}
    </section>
  );
}
