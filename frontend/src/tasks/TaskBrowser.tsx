import { keepPreviousData, useInfiniteQuery, useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo, useRef, useState } from "react";
import type { Task } from "../api/openapi";
import { ApiError, messageOf } from "../api/problem";
import { AuthLostError } from "../api/token";
import { useAuth } from "../auth/AuthProvider";
import { navigate, useLocation } from "../router";
import { ConfirmDialog } from "../ui/Dialog";
import { LoadMore } from "../ui/LoadMore";
import { useNotify } from "../ui/Toasts";
import { DEFAULT_FILTERS, filtersFromSearch, filtersToSearch, matchesStatus, type TaskFilters, tasksQuery } from "./filters";
import { createBody, type FormErrors, patchBody, type TaskForm } from "./form";
import { formErrorsFrom, newIdempotencyKey, placeholderTask } from "./optimistic";
import { type TaskScope, taskListQuery, taskQuery, useCreateTask, useDeleteTask, useSaveTask, useToggleTask } from "./queries";
import { TaskDialog } from "./TaskDialog";
import { STATUS_PANEL_ID, StatusTabs, statusTabId, TaskFilterBar } from "./TaskFilterBar";
import { TaskItem } from "./TaskItem";

interface DialogState {
  mode: "create" | "edit";
  /** The task as the list showed it when the editor opened. */
  task?: Task;
  form?: TaskForm;
  errors?: FormErrors;
  notice?: string;
}

interface TaskBrowserProps {
  /** The caller's own tasks, or (read-only) a user's as an admin sees them. */
  scope: TaskScope;
  readOnly?: boolean;
  /** Shown above the filters, e.g. the page heading and the "New task" button. */
  heading: string;
}

const quote = (title: string) => `“${title.length > 60 ? `${title.slice(0, 57)}…` : title}”`;

export function TaskBrowser({ scope, readOnly = false, heading }: TaskBrowserProps) {
  const { pathname, search } = useLocation();
  const filters = useMemo(() => filtersFromSearch(search), [search]);
  const listQuery = taskListQuery(scope, tasksQuery(filters));
  // While another query loads, the previous results stay on screen (no flicker while typing).
  const list = useInfiniteQuery({ ...listQuery, placeholderData: keepPreviousData });
  const queryClient = useQueryClient();
  const toggleTask = useToggleTask();
  const deleteTask = useDeleteTask();
  const createTask = useCreateTask();
  const saveTask = useSaveTask();
  const notify = useNotify();
  const auth = useAuth();
  const [dialog, setDialog] = useState<DialogState | null>(null);
  const [confirmDelete, setConfirmDelete] = useState<Task | null>(null);
  const seq = useRef(0);
  const idempotency = useRef<{ key: string; body: string } | null>(null);
  // The editor shows the latest version, and its ETag goes with the save, so a save can't silently overwrite someone else's change.
  const editing = dialog?.mode === "edit" && dialog.task ? dialog.task.id : null;
  const latest = useQuery({ ...taskQuery(editing ?? ""), enabled: editing !== null });
  const current = editing !== null && latest.data?.task.id === editing ? latest.data : null;

  const setFilters = (f: TaskFilters) => navigate(pathname + filtersToSearch(f), { replace: true });
  const filtered = filtersToSearch({ ...filters, sort: DEFAULT_FILTERS.sort, dir: DEFAULT_FILTERS.dir }) !== "";
  const items = list.data ?? [];
  const visible = items.filter((t) => matchesStatus(t, filters.status));
  const userId = auth.state.status === "signedIn" ? auth.state.me.id : "";

  function failed(action: string, err: unknown) {
    if (err instanceof AuthLostError) return;
    notify(`${action}: ${messageOf(err)}`, "error");
  }

  const isGone = (err: unknown) => err instanceof ApiError && err.status === 404;
  const goneMessage = (task: Task) => `${quote(task.title)} no longer exists; it was removed from the list.`;

  async function toggle(task: Task) {
    const completed = !task.completed;
    try {
      await toggleTask.mutateAsync(task);
      notify(completed ? `Completed ${quote(task.title)}.` : `Reopened ${quote(task.title)}.`, "success");
    } catch (err) {
      if (isGone(err)) notify(goneMessage(task), "error");
      else failed(`Could not update ${quote(task.title)}`, err);
    }
  }

  async function remove(task: Task) {
    setConfirmDelete(null);
    try {
      await deleteTask.mutateAsync(task);
      notify(`Deleted ${quote(task.title)}.`, "success");
    } catch (err) {
      if (!isGone(err)) failed(`Could not delete ${quote(task.title)}`, err);
    }
  }

  async function create(form: TaskForm) {
    const body = createBody(form);
    const bodyKey = JSON.stringify(body);
    if (idempotency.current?.body !== bodyKey) idempotency.current = { key: newIdempotencyKey(), body: bodyKey };
    const placeholder = placeholderTask(body, userId, ++seq.current);
    setDialog(null);
    try {
      const { data } = await createTask.mutateAsync({
        body,
        idempotencyKey: idempotency.current.key,
        placeholder,
        list: listQuery.queryKey,
      });
      idempotency.current = null;
      notify(`Created ${quote(data.title)}.`, "success");
    } catch (err) {
      if (err instanceof AuthLostError) return;
      setDialog({ mode: "create", form, errors: formErrorsFrom(err) });
    }
  }

  async function save(original: Task, etag: string | null, form: TaskForm) {
    const patch = patchBody(original, form);
    setDialog(null);
    if (Object.keys(patch).length === 0) return;
    try {
      const { data } = await saveTask.mutateAsync({ original, patch, etag });
      notify(`Saved ${quote(data.title)}.`, "success");
    } catch (err) {
      if (err instanceof AuthLostError) return;
      if (isGone(err)) return notify(goneMessage(original), "error");
      if (err instanceof ApiError && err.status === 412) {
        try {
          const fresh = await queryClient.fetchQuery({ ...taskQuery(original.id), staleTime: 0 });
          setDialog({
            mode: "edit",
            task: fresh.task,
            notice: "This task was changed elsewhere — the latest version has been loaded. Make your changes again and save.",
          });
        } catch (e2) {
          failed("Could not reload the task", e2);
        }
        return;
      }
      setDialog({ mode: "edit", task: original, form, errors: formErrorsFrom(err) });
    }
  }

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
          <button type="button" className="primary" onClick={() => setDialog({ mode: "create" })}>
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
                onToggle={toggle}
                onEdit={(task) => setDialog({ mode: "edit", task })}
                onDelete={setConfirmDelete}
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
      {dialog ? (
        <TaskDialog
          key={`${dialog.mode}-${dialog.task?.id ?? "new"}-${dialog.notice ?? ""}`}
          mode={dialog.mode}
          task={current?.task ?? dialog.task}
          form={dialog.form}
          errors={dialog.errors}
          notice={dialog.notice}
          onClose={() => {
            setDialog(null);
            idempotency.current = null;
          }}
          onSubmit={(form) =>
            dialog.mode === "create"
              ? void create(form)
              : dialog.task && void save(current?.task ?? dialog.task, current?.etag ?? null, form)
          }
        />
      ) : null}
      {confirmDelete ? (
        <ConfirmDialog
          title="Delete task?"
          confirmLabel="Delete"
          danger
          onConfirm={() => void remove(confirmDelete)}
          onCancel={() => setConfirmDelete(null)}
        >
          <p>{quote(confirmDelete.title)} will be deleted permanently.</p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
