import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import type { Task } from "../api/openapi";
import { ApiError, messageOf } from "../api/problem";
import { AuthLostError } from "../api/token";
import { Link, navigate, useLocation } from "../router";
import { ListMembers, ShareControls } from "../sharing/ShareDialog";
import { taskQuery } from "../tasks/queries";
import { quote, useTaskEditor } from "../tasks/useTaskEditor";
import { ConfirmDialog } from "../ui/Dialog";
import { useNotify } from "../ui/Toasts";
import { ListDialog, MoveToListDialog } from "./ListDialogs";
import { listQuery, listTasksQuery, useDeleteList, useMoveTask, useUpdateList } from "./queries";
import { TaskTree, useMoveTargets } from "./TaskTree";

/** One list: its tasks in their manual order, with their subtasks; `?task=<id>` opens that task. */
export function ListPage({ id }: { id: string }) {
  const list = useQuery(listQuery(id));
  const editor = useTaskEditor();
  const updateList = useUpdateList();
  const deleteList = useDeleteList();
  const moveTask = useMoveTask();
  const notify = useNotify();
  const { search } = useLocation();
  const [editing, setEditing] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [moving, setMoving] = useState<Task | null>(null);
  const [showCompleted, setShowCompleted] = useState(false);
  const targets = useMoveTargets(id);
  const query = listTasksQuery(id);

  // A deep link to a task (/tasks/:id lands here): open it once it is loaded.
  const linked = new URLSearchParams(search).get("task");
  const linkedTask = useQuery({ ...taskQuery(linked ?? ""), enabled: linked !== null });
  const opened = useRef<string | null>(null);
  const { openEdit } = editor;
  useEffect(() => {
    const task = linkedTask.data?.task;
    if (!task || opened.current === task.id) return;
    opened.current = task.id;
    openEdit(task);
    navigate(`/lists/${encodeURIComponent(id)}`, { replace: true });
  }, [linkedTask.data, openEdit, id]);

  if (!list.data) {
    const missing = list.error instanceof ApiError && list.error.status === 404;
    return (
      <>
        <h1>List</h1>
        {list.isPending ? <p role="status">Loading the list…</p> : null}
        {list.isError ? (
          <div className="empty error-state">
            <p>{missing ? "This list does not exist; it may have been deleted." : `Could not load the list: ${messageOf(list.error)}`}</p>
            {missing ? (
              <Link to="/">Go to your tasks</Link>
            ) : (
              <button type="button" onClick={() => void list.refetch()}>
                Try again
              </button>
            )}
          </div>
        ) : null}
      </>
    );
  }
  const l = list.data;
  const owner = l.role === "owner";
  const readOnly = l.role === "viewer";

  async function moveTo(task: Task, listId: string) {
    setMoving(null);
    const name = targets.find((t) => t.id === listId)?.name ?? "the list";
    try {
      await moveTask.mutateAsync({ task, siblings: query.queryKey, body: { list_id: listId, parent_id: null } });
      notify(`Moved ${quote(task.title)} to ${name}.`, "success");
    } catch (err) {
      if (!(err instanceof AuthLostError)) notify(`Could not move ${quote(task.title)}: ${messageOf(err)}`, "error");
    }
  }

  async function setArchived(archived: boolean) {
    try {
      await updateList.mutateAsync({ id, patch: { archived } });
      notify(archived ? `Archived ${quote(l.name)}.` : `Restored ${quote(l.name)}.`, "success");
    } catch (err) {
      if (!(err instanceof AuthLostError)) notify(`Could not change ${quote(l.name)}: ${messageOf(err)}`, "error");
    }
  }

  async function remove() {
    try {
      await deleteList.mutateAsync(id);
      setConfirmDelete(false);
      notify(`Deleted ${quote(l.name)} and its tasks.`, "success");
      navigate("/");
    } catch (err) {
      if (!(err instanceof AuthLostError)) notify(`Could not delete ${quote(l.name)}: ${messageOf(err)}`, "error");
      setConfirmDelete(false);
    }
  }

  return (
    <section className="list-page" aria-labelledby="list-heading">
      <div className="toolbar">
        <h1 id="list-heading">
          {l.color ? <span className="list-dot" style={{ background: l.color }} aria-hidden="true" /> : null}
          {l.name}
          {l.archived ? <span className="badge archived">Archived</span> : null}
        </h1>
        <p className="list-counts">
          {l.open_task_count} open of {l.task_count} {l.task_count === 1 ? "task" : "tasks"}
        </p>
        <ListMembers list={l} />
        {readOnly ? (
          <p className="view-only">
            <strong>View only</strong> — you can read this list, but not change its tasks.
          </p>
        ) : (
          <button
            type="button"
            className="primary"
            onClick={() => editor.openCreate({ list: query.queryKey, body: { list_id: id }, atEnd: true, context: `In ${l.name}` })}
          >
            + New task
          </button>
        )}
      </div>
      <div className="list-actions">
        <label className="inline-check">
          <input type="checkbox" checked={showCompleted} onChange={(e) => setShowCompleted(e.target.checked)} /> Show completed
        </label>
        <ShareControls list={l} />
        {owner ? (
          <button type="button" onClick={() => setEditing(true)}>
            Rename or recolour
          </button>
        ) : null}
        {l.is_inbox || !owner ? null : (
          <>
            <button type="button" onClick={() => void setArchived(!l.archived)}>
              {l.archived ? "Restore list" : "Archive list"}
            </button>
            <button type="button" className="danger-outline" onClick={() => setConfirmDelete(true)}>
              Delete list…
            </button>
          </>
        )}
        <Link to={`/lists/${encodeURIComponent(id)}/activity`} className="button-link">
          Activity
        </Link>
      </div>
      <TaskTree
        query={query}
        depth={1}
        editor={editor}
        showCompleted={showCompleted}
        onMoveTo={setMoving}
        readOnly={readOnly}
        emptyText={
          showCompleted ? "No tasks in this list yet." : readOnly ? "No open tasks here." : "No open tasks here. Add one with “New task”."
        }
      />
      {readOnly ? null : (
        <p className="hint">
          Reorder with the ⠿ handle (drag it, or focus it and press Space, the arrow keys, then Space), or with the ↑ ↓ buttons.
        </p>
      )}
      {editor.dialogs}
      {editing ? (
        <ListDialog
          list={l}
          onClose={() => setEditing(false)}
          onSubmit={async (values) => {
            await updateList.mutateAsync({ id, patch: values });
            setEditing(false);
            notify(`Saved ${quote(values.name)}.`, "success");
          }}
        />
      ) : null}
      {confirmDelete ? (
        <ConfirmDialog
          title="Delete list?"
          confirmLabel="Delete list and tasks"
          danger
          busy={deleteList.isPending}
          onConfirm={() => void remove()}
          onCancel={() => setConfirmDelete(false)}
        >
          <p>
            {quote(l.name)} and all {l.task_count} of its tasks will be deleted permanently. This cannot be undone.
          </p>
        </ConfirmDialog>
      ) : null}
      {moving ? (
        <MoveToListDialog
          title={moving.title}
          lists={targets}
          onClose={() => setMoving(null)}
          onMove={(listId) => void moveTo(moving, listId)}
        />
      ) : null}
    </section>
  );
}
