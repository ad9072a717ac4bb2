import type { Task } from "../api/openapi";
import { formatDateTime, isOverdue } from "./datetime";
import { isPending } from "./optimistic";
import { PRIORITY_LABELS } from "./TaskDialog";

interface TaskItemProps {
  task: Task;
  readOnly?: boolean;
  onToggle?: (task: Task) => void;
  onEdit?: (task: Task) => void;
  onDelete?: (task: Task) => void;
  onTag?: (tag: string) => void;
}

export function TaskItem({ task, readOnly, onToggle, onEdit, onDelete, onTag }: TaskItemProps) {
  const pending = isPending(task);
  const overdue = isOverdue(task);
  const checkboxId = `done-${task.id}`;
  return (
    <li className={`task${task.completed ? " task-done" : ""}${pending ? " task-pending" : ""}`} aria-busy={pending || undefined}>
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
          {task.due_at ? (
            <span className={overdue ? "due overdue" : "due"}>
              {overdue ? "Overdue · " : "Due "}
              <time dateTime={task.due_at}>{formatDateTime(task.due_at)}</time>
            </span>
          ) : null}
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
      {readOnly ? null : (
        <div className="task-actions">
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
    </li>
  );
}
