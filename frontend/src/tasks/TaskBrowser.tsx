import { useMemo, useRef, useState } from "react";
import { api } from "../api/client";
import { ApiError, messageOf } from "../api/problem";
import { AuthLostError } from "../api/token";
import type { Task, TaskInput } from "../api/types";
import { useAuth } from "../auth/AuthProvider";
import { navigate, useLocation } from "../router";
import { ConfirmDialog } from "../ui/Dialog";
import { LoadMore } from "../ui/LoadMore";
import { useNotify } from "../ui/Toasts";
import { usePagedList } from "../ui/usePagedList";
import { DEFAULT_FILTERS, filtersFromSearch, filtersToSearch, matchesStatus, type TaskFilters, tasksApiPath } from "./filters";
import { createBody, type FormErrors, patchBody, type TaskForm } from "./form";
import { applyPatch, formErrorsFrom, newIdempotencyKey, placeholderTask } from "./optimistic";
import { TaskDialog } from "./TaskDialog";
import { STATUS_PANEL_ID, StatusTabs, statusTabId, TaskFilterBar } from "./TaskFilterBar";
import { TaskItem } from "./TaskItem";

interface DialogState {
  mode: "create" | "edit";
  task?: Task;
  etag?: string | null;
  form?: TaskForm;
  errors?: FormErrors;
  notice?: string;
}

interface TaskBrowserProps {
  /** `/api/tasks`, or an admin's `/api/admin/users/{id}/tasks`. */
  apiBase: string;
  readOnly?: boolean;
  /** Shown above the filters, e.g. the page heading and the "New task" button. */
  heading: string;
}

const quote = (title: string) => `“${title.length > 60 ? `${title.slice(0, 57)}…` : title}”`;

export function TaskBrowser({ apiBase, readOnly = false, heading }: TaskBrowserProps) {
  const { pathname, search } = useLocation();
  const filters = useMemo(() => filtersFromSearch(search), [search]);
  const path = tasksApiPath(apiBase, filters);
  const { state, dispatch, loadMore, reload } = usePagedList<Task>(path);
  const notify = useNotify();
  const auth = useAuth();
  const [dialog, setDialog] = useState<DialogState | null>(null);
  const [confirmDelete, setConfirmDelete] = useState<Task | null>(null);
  const seq = useRef(0);
  const idempotency = useRef<{ key: string; body: string } | null>(null);

  const setFilters = (f: TaskFilters) => navigate(pathname + filtersToSearch(f), { replace: true });
  const filtered = filtersToSearch({ ...filters, sort: DEFAULT_FILTERS.sort, dir: DEFAULT_FILTERS.dir }) !== "";
  const visible = state.items.filter((t) => matchesStatus(t, filters.status));
  const userId = auth.state.status === "signedIn" ? auth.state.me.id : "";

  function failed(action: string, err: unknown) {
    if (err instanceof AuthLostError) return;
    notify(`${action}: ${messageOf(err)}`, "error");
  }

  async function toggle(task: Task) {
    const completed = !task.completed;
    dispatch({ type: "upsert", item: applyPatch(task, { completed }) });
    try {
      const res = await api.request<Task>(`/api/tasks/${encodeURIComponent(task.id)}/complete`, { method: "PATCH", body: { completed } });
      dispatch({ type: "upsert", item: res.data });
      notify(completed ? `Completed ${quote(task.title)}.` : `Reopened ${quote(task.title)}.`, "success");
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) {
        dispatch({ type: "remove", id: task.id });
        notify(`${quote(task.title)} no longer exists; it was removed from the list.`, "error");
      } else {
        dispatch({ type: "upsert", item: task });
        failed(`Could not update ${quote(task.title)}`, err);
      }
    }
  }

  async function remove(task: Task) {
    setConfirmDelete(null);
    const index = state.items.findIndex((t) => t.id === task.id);
    dispatch({ type: "remove", id: task.id });
    try {
      await api.request<null>(`/api/tasks/${encodeURIComponent(task.id)}`, { method: "DELETE" });
      notify(`Deleted ${quote(task.title)}.`, "success");
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return; // already gone
      dispatch({ type: "insertAt", item: task, index });
      failed(`Could not delete ${quote(task.title)}`, err);
    }
  }

  function openEdit(task: Task) {
    setDialog({ mode: "edit", task, etag: null });
    // Fetch the latest version and its ETag, so a save can't silently overwrite someone else's change.
    api.request<Task>(`/api/tasks/${encodeURIComponent(task.id)}`).then(
      (res) => {
        dispatch({ type: "upsert", item: res.data });
        setDialog((d) => (d?.mode === "edit" && d.task?.id === task.id ? { ...d, task: res.data, etag: res.etag } : d));
      },
      () => undefined, // the save will report any problem
    );
  }

  async function create(form: TaskForm) {
    const body = createBody(form);
    const bodyKey = JSON.stringify(body);
    if (idempotency.current?.body !== bodyKey) idempotency.current = { key: newIdempotencyKey(), body: bodyKey };
    const placeholder = placeholderTask(body, userId, ++seq.current);
    setDialog(null);
    dispatch({ type: "upsert", item: placeholder });
    try {
      const res = await api.request<Task>("/api/tasks", { method: "POST", body, headers: { "idempotency-key": idempotency.current.key } });
      idempotency.current = null;
      dispatch({ type: "remove", id: placeholder.id });
      dispatch({ type: "upsert", item: res.data });
      notify(`Created ${quote(res.data.title)}.`, "success");
    } catch (err) {
      dispatch({ type: "remove", id: placeholder.id });
      if (err instanceof AuthLostError) return;
      setDialog({ mode: "create", form, errors: formErrorsFrom(err) });
    }
  }

  async function save(original: Task, etag: string | null | undefined, form: TaskForm) {
    const patch: TaskInput = patchBody(original, form);
    setDialog(null);
    if (Object.keys(patch).length === 0) return;
    dispatch({ type: "upsert", item: applyPatch(original, patch) });
    try {
      const res = await api.request<Task>(`/api/tasks/${encodeURIComponent(original.id)}`, {
        method: "PATCH",
        body: patch,
        headers: etag ? { "if-match": etag } : {},
      });
      dispatch({ type: "upsert", item: res.data });
      notify(`Saved ${quote(res.data.title)}.`, "success");
    } catch (err) {
      if (err instanceof AuthLostError) return;
      if (err instanceof ApiError && err.status === 404) {
        dispatch({ type: "remove", id: original.id });
        notify(`${quote(original.title)} no longer exists; it was removed from the list.`, "error");
        return;
      }
      if (err instanceof ApiError && err.status === 412) {
        try {
          const fresh = await api.request<Task>(`/api/tasks/${encodeURIComponent(original.id)}`);
          dispatch({ type: "upsert", item: fresh.data });
          setDialog({
            mode: "edit",
            task: fresh.data,
            etag: fresh.etag,
            notice: "This task was changed elsewhere — the latest version has been loaded. Make your changes again and save.",
          });
        } catch (e2) {
          dispatch({ type: "upsert", item: original });
          failed("Could not reload the task", e2);
        }
        return;
      }
      dispatch({ type: "upsert", item: original });
      setDialog({ mode: "edit", task: original, etag, form, errors: formErrorsFrom(err) });
    }
  }

  const hasItems = visible.length > 0;
  const firstLoad = state.phase === "loading" && state.items.length === 0;

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
      <div id={STATUS_PANEL_ID} role="tabpanel" aria-labelledby={statusTabId(filters.status)} aria-busy={state.phase === "loading"}>
        <p className="list-status" role="status">
          {state.phase === "loading"
            ? "Loading tasks…"
            : state.phase === "ready"
              ? `${visible.length}${state.next ? "+" : ""} ${visible.length === 1 ? "task" : "tasks"}`
              : ""}
        </p>
        {state.phase === "error" ? (
          <div className="empty error-state">
            <p>Could not load tasks: {state.error}</p>
            <button type="button" onClick={reload}>
              Try again
            </button>
          </div>
        ) : firstLoad ? null : hasItems ? (
          <ul className="task-list">
            {visible.map((t) => (
              <TaskItem
                key={t.id}
                task={t}
                readOnly={readOnly}
                onToggle={toggle}
                onEdit={openEdit}
                onDelete={setConfirmDelete}
                onTag={(tag) => setFilters({ ...filters, tags: filters.tags.includes(tag) ? filters.tags : [...filters.tags, tag] })}
              />
            ))}
          </ul>
        ) : state.phase === "ready" ? (
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
        {state.error && state.phase === "ready" ? (
          <p className="form-error" role="alert">
            Could not load more tasks: {state.error}
          </p>
        ) : null}
        <LoadMore
          hasMore={Boolean(state.next) && state.phase !== "error"}
          loading={state.phase === "loadingMore"}
          onLoadMore={loadMore}
          label="Load more tasks"
        />
      </div>
      {dialog ? (
        <TaskDialog
          key={`${dialog.mode}-${dialog.task?.id ?? "new"}-${dialog.notice ?? ""}`}
          mode={dialog.mode}
          task={dialog.task}
          form={dialog.form}
          errors={dialog.errors}
          notice={dialog.notice}
          onClose={() => {
            setDialog(null);
            idempotency.current = null;
          }}
          onSubmit={(form) => (dialog.mode === "create" ? void create(form) : dialog.task && void save(dialog.task, dialog.etag, form))}
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
