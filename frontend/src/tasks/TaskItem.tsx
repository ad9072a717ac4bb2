import type { CSSProperties, ReactNode } from "react";
import type { Task } from "../api/openapi";
import { useTimeZone } from "../auth/timezone";
import { isPending } from "./optimistic";
import { PRIORITY_LABELS } from "./TaskDialog";
import { formatDay, formatInZone, isOverdueIn } from "./zone";

interface TaskItemProps {
  task: Task;
  readOnly?: boolean;
  onToggle?: (task: Task) => void;
  onEdit?: (task: Task) => void;
  onDelete?: (task: Task) => void;
  /** Read-only rows (a viewer's): opens the task to read it and its comments. */
  onView?: (task: Task) => void;
  onTag?: (tag: string) => void;
  /** For the list pages: the drag handle and the subtasks toggle, before the checkbox. */
  lead?: ReactNode;
  /** More in the meta line (e.g. the list's name, the subtask progress). */
  meta?: ReactNode;
  /** More actions, before Edit and Delete. */
  actions?: ReactNode;
  /** Below the task, inside its item (its subtasks). */
  children?: ReactNode;
  itemRef?: (el: HTMLLIElement | null) => void;
  style?: CSSProperties;
  className?: string;
}

export function TaskItem({
  task,
  readOnly,
  onToggle,
  onEdit,
  onDelete,
  onView,
  onTag,
  lead,
  meta,
  actions,
  children,
  itemRef,
  style,
  className,
}: TaskItemProps) {
  const pending = isPending(task);
  const timeZone = useTimeZone();
  const overdue = isOverdueIn(task, timeZone);
  const checkboxId = `done-${task.id}`;
  return (
    <li
      ref={itemRef}
      style={style}
      className={`task${task.completed ? " task-done" : ""}${pending ? " task-pending" : ""}${className ? ` ${className}` : ""}`}
      aria-busy={pending || undefined}
    >
      {lead}
      <div className="task-check">
        <input
          type="checkbox"
          id={checkboxId}
          checked={task.completed}
          disabled={readOnly || pending}
          onChange={() => onToggle?.(task)}
          aria-label={`Completed: ${task.title}`}
        />
      </div>
      <div className="task-main">
        <p className="task-title">{task.title}</p>
        {task.description ? <p className="task-desc">{task.description}</p> : null}
        <div className="task-meta">
          {task.priority !== "none" ? (
            <span className={`badge priority-${task.priority}`}>{PRIORITY_LABELS[task.priority]} priority</span>
          ) : null}
          <DueBadge task={task} overdue={overdue} timeZone={timeZone} />
          {meta}
          {task.tags.map((tag) =>
            onTag ? (
              <button key={tag} type="button" className="tag" onClick={() => onTag(tag)} aria-label={`Filter by tag ${tag}`}>
                #{tag}
              </button>
            ) : (
              <span key={tag} className="tag">
                #{tag}
              </span>
            ),
          )}
          {pending ? <span className="saving">Saving…</span> : null}
        </div>
      </div>
      {readOnly ? (
        onView ? (
          <div className="task-actions">
            <button type="button" onClick={() => onView(task)} aria-label={`Open: ${task.title}`}>
              Open
            </button>
          </div>
        ) : null
      ) : (
        <div className="task-actions">
          {actions}
          <button type="button" onClick={() => onEdit?.(task)} disabled={pending} aria-label={`Edit: ${task.title}`}>
            Edit
          </button>
          <button
            type="button"
            className="danger-outline"
            onClick={() => onDelete?.(task)}
            disabled={pending}
            aria-label={`Delete: ${task.title}`}
          >
            Delete
          </button>
        </div>
      )}
      {children}
    </li>
  );
}

/** The due time in the user's zone, or the all-day date; "Overdue" once it has passed. */
export function DueBadge({ task, overdue, timeZone }: { task: Task; overdue: boolean; timeZone: string }) {
  const day = task.due_date;
  if (!task.due_at && !day) return null;
  return (
    <span className={overdue ? "due overdue" : "due"}>
      {overdue ? "Overdue · " : "Due "}
      {task.due_at ? (
        <time dateTime={task.due_at}>{formatInZone(task.due_at, timeZone)}</time>
      ) : (
        <time dateTime={day ?? ""}>{formatDay(day)}</time>
      )}
    </span>
  );
}
