import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { type KeyboardEvent, useState } from "react";
import type { List, Task } from "../api/openapi";
import { messageOf } from "../api/problem";
import { AuthLostError } from "../api/token";
import { AssigneeBadge } from "../collab/AssigneeBadge";
import { isPending } from "../tasks/optimistic";
import { TaskItem } from "../tasks/TaskItem";
import { quote, type useTaskEditor } from "../tasks/useTaskEditor";
import { LoadMore } from "../ui/LoadMore";
import { SortableGroup, useSortableItem } from "../ui/Sortable";
import { useNotify } from "../ui/Toasts";
import { anchorFor, moveId, stepTarget } from "./order";
import { subtaskProgress } from "./progress";
import { listsQuery, subtasksQuery, useMoveTask } from "./queries";

type Editor = ReturnType<typeof useTaskEditor>;
type TaskQuery = ReturnType<typeof subtasksQuery>;

/** Subtasks nest down to level 4 (a top-level task is level 1). */
export const MAX_DEPTH = 4;

interface TaskTreeProps {
  /** The siblings: a list's top level, or one task's subtasks. */
  query: TaskQuery;
  depth: number;
  editor: Editor;
  /** Completed tasks are listed too (otherwise only open ones). */
  showCompleted: boolean;
  onMoveTo: (task: Task) => void;
  emptyText?: string;
  /** A viewer's list: no drag handles, no edit, complete, move or delete. */
  readOnly?: boolean;
}

/** Tasks in their manual order, reordered by drag and drop or from the keyboard, with their subtasks below them. */
export function TaskTree({ query, depth, editor, showCompleted, onMoveTo, emptyText, readOnly = false }: TaskTreeProps) {
  const list = useInfiniteQuery(query);
  const move = useMoveTask();
  const notify = useNotify();
  const all = list.data ?? [];
  const items = showCompleted ? all : all.filter((t) => !t.completed);
  const ids = items.map((t) => t.id);

  async function reorder(id: string, to: number) {
    const task = items.find((t) => t.id === id);
    const anchor = anchorFor(moveId(ids, id, to), id);
    if (!task || !anchor) return;
    // The index in the loaded list (hidden completed tasks included) that the optimistic move uses.
    const neighbour = "before" in anchor ? anchor.before : anchor.after;
    const at = all.filter((t) => t.id !== id).findIndex((t) => t.id === neighbour);
    const index = "before" in anchor ? at : at + 1;
    try {
      await move.mutateAsync({ task, siblings: query.queryKey, to: index, body: anchor });
    } catch (err) {
      if (!(err instanceof AuthLostError)) notify(`Could not move ${quote(task.title)}: ${messageOf(err)}`, "error");
    }
  }

  if (list.isPending) return <p className="list-status">Loading tasks…</p>;
  if (list.isError && !list.data)
    return (
      <div className="empty error-state">
        <p>Could not load tasks: {messageOf(list.error)}</p>
        <button type="button" onClick={() => void list.refetch()}>
          Try again
        </button>
      </div>
    );
  if (items.length === 0) return emptyText ? <p className="empty">{emptyText}</p> : null;

  return (
    <>
      <SortableGroup ids={ids} nameOf={(id) => items.find((t) => t.id === id)?.title ?? "task"} onMove={(id, to) => void reorder(id, to)}>
        <ul className={depth === 1 ? "task-list task-tree" : "task-list subtask-list"}>
          {items.map((t) => (
            <TaskRow
              key={t.id}
              task={t}
              ids={ids}
              depth={depth}
              editor={editor}
              showCompleted={showCompleted}
              readOnly={readOnly}
              onStep={(step) => {
                const to = stepTarget(ids, t.id, step);
                if (to !== null) void reorder(t.id, to);
              }}
              onMoveTo={onMoveTo}
            />
          ))}
        </ul>
      </SortableGroup>
      {list.isFetchNextPageError ? (
        <p className="form-error" role="alert">
          Could not load more tasks: {messageOf(list.error)}
        </p>
      ) : null}
      <LoadMore list={list} label="Load more tasks" />
    </>
  );
}

interface TaskRowProps {
  task: Task;
  ids: string[];
  depth: number;
  editor: Editor;
  showCompleted: boolean;
  readOnly: boolean;
  onStep: (step: -1 | 1) => void;
  onMoveTo: (task: Task) => void;
}

function TaskRow({ task, ids, depth, editor, showCompleted, readOnly, onStep, onMoveTo }: TaskRowProps) {
  const pending = isPending(task);
  const sortable = useSortableItem(task.id, pending);
  const [open, setOpen] = useState(false);
  const progress = subtaskProgress(task);
  const index = ids.indexOf(task.id);

  // The arrow buttons keep focus on themselves as the row moves, so that the next press moves it again.
  const step = (dir: -1 | 1) => (e: { currentTarget: HTMLButtonElement }) => {
    const button = e.currentTarget;
    onStep(dir);
    requestAnimationFrame(() => button.isConnected && button.focus());
  };
  const onHandleKey = (e: KeyboardEvent<HTMLButtonElement>) => {
    // Alt+arrow moves at once, without picking the task up.
    if (e.altKey && (e.key === "ArrowUp" || e.key === "ArrowDown")) {
      e.preventDefault();
      e.stopPropagation();
      step(e.key === "ArrowUp" ? -1 : 1)(e);
    } else (sortable.listeners?.onKeyDown as ((e: KeyboardEvent<HTMLButtonElement>) => void) | undefined)?.(e);
  };

  const addSubtask = () => {
    setOpen(true);
    editor.openCreate({
      list: subtasksQuery(task.id).queryKey,
      body: { parent_id: task.id },
      atEnd: true,
      context: `Subtask of ${quote(task.title)}`,
    });
  };

  return (
    <TaskItem
      task={task}
      itemRef={sortable.ref}
      style={sortable.style}
      className={sortable.dragging ? "task-dragging" : undefined}
      readOnly={readOnly}
      onToggle={(t) => void editor.toggle(t)}
      onEdit={editor.openEdit}
      onDelete={editor.askDelete}
      onView={editor.openEdit}
      lead={
        <div className="task-lead">
          {readOnly ? null : (
            <button
              type="button"
              className="drag-handle icon-button"
              disabled={pending}
              {...sortable.handle}
              onKeyDown={onHandleKey}
              aria-label={`Reorder: ${task.title}`}
            >
              <span aria-hidden="true">⠿</span>
            </button>
          )}
          {task.subtask_count > 0 ? (
            <button
              type="button"
              className="icon-button expander"
              aria-expanded={open}
              onClick={() => setOpen((o) => !o)}
              aria-label={`${open ? "Hide" : "Show"} subtasks of ${task.title}`}
            >
              <span aria-hidden="true">{open ? "▾" : "▸"}</span>
            </button>
          ) : (
            <span className="expander-space" />
          )}
        </div>
      }
      meta={
        <>
          {progress ? (
            <span className="badge progress" title={progress.label}>
              <span className="visually-hidden">{progress.label}: </span>
              <span aria-hidden="true">☑ </span>
              {progress.text}
            </span>
          ) : null}
          <AssigneeBadge task={task} />
        </>
      }
      actions={
        <>
          <button
            type="button"
            className="icon-button"
            onClick={step(-1)}
            disabled={pending || index <= 0}
            aria-label={`Move up: ${task.title}`}
          >
            <span aria-hidden="true">↑</span>
          </button>
          <button
            type="button"
            className="icon-button"
            onClick={step(1)}
            disabled={pending || index === ids.length - 1}
            aria-label={`Move down: ${task.title}`}
          >
            <span aria-hidden="true">↓</span>
          </button>
          {depth < MAX_DEPTH ? (
            <button type="button" onClick={addSubtask} disabled={pending} aria-label={`Add subtask: ${task.title}`}>
              + Subtask
            </button>
          ) : null}
          <button type="button" onClick={() => onMoveTo(task)} disabled={pending} aria-label={`Move to another list: ${task.title}`}>
            Move…
          </button>
        </>
      }
    >
      {open ? (
        <div className="subtasks">
          <TaskTree
            query={subtasksQuery(task.id)}
            depth={depth + 1}
            editor={editor}
            showCompleted={showCompleted}
            onMoveTo={onMoveTo}
            readOnly={readOnly}
          />
        </div>
      ) : null}
    </TaskItem>
  );
}

/** The lists a task can move to, for the "Move to…" dialog (not those the caller only views). */
export function useMoveTargets(from: string): List[] {
  const lists = useQuery(listsQuery());
  return (lists.data ?? []).filter((l) => l.id !== from && l.role !== "viewer");
}
