import { useQuery } from "@tanstack/react-query";
import { useEffect } from "react";
import type { Task } from "../api/openapi";
import { ApiError, messageOf } from "../api/problem";
import { Link, navigate } from "../router";
import { taskQuery } from "../tasks/queries";

/** /tasks/:id — opens the task in its list (a link that can be shared or bookmarked). */
export function TaskLink({ id }: { id: string }) {
  const task = useQuery(taskQuery(id));
  const listId = (task.data?.task as Partial<Task> | undefined)?.list_id;
  useEffect(() => {
    if (listId) navigate(`/lists/${encodeURIComponent(listId)}?task=${encodeURIComponent(id)}`, { replace: true });
  }, [listId, id]);
  const missing = task.error instanceof ApiError && task.error.status === 404;
  return (
    <>
      <h1>Task</h1>
      {task.isPending ? <p role="status">Opening the task…</p> : null}
      {task.isError ? (
        <div className="empty error-state">
          <p>{missing ? "This task does not exist; it may have been deleted." : `Could not load the task: ${messageOf(task.error)}`}</p>
          <Link to="/">Go to your tasks</Link>
        </div>
      ) : null}
    </>
  );
}
