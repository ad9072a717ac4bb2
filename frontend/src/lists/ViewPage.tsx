import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { messageOf } from "../api/problem";
import { useTimeZone } from "../auth/timezone";
import { AssigneeBadge } from "../collab/AssigneeBadge";
import { assignedQuery } from "../collab/queries";
import { Link } from "../router";
import { TaskItem } from "../tasks/TaskItem";
import { useTaskEditor } from "../tasks/useTaskEditor";
import { dayIn } from "../tasks/zone";
import { LoadMore } from "../ui/LoadMore";
import { listsQuery, type View, viewQuery } from "./queries";

type Page = View | "assigned";

const TITLES: Record<Page, { heading: string; empty: string; intro: string }> = {
  today: { heading: "Today", empty: "Nothing due today.", intro: "Due today, and open tasks that are overdue, from every list." },
  upcoming: {
    heading: "Upcoming",
    empty: "Nothing due in the next seven days.",
    intro: "Due today and in the next six days, from every list.",
  },
  assigned: {
    heading: "Assigned to me",
    empty: "Nothing is assigned to you.",
    intro: "Open tasks assigned to you, from every list shared with you, newest first.",
  },
};

/** Today or Upcoming (tasks from every list by due date), or the tasks assigned to the caller; each with its list's name. */
export function ViewPage({ view }: { view: Page }) {
  const query = view === "assigned" ? assignedQuery() : viewQuery(view);
  const tasks = useInfiniteQuery(query);
  const lists = useQuery(listsQuery("all"));
  const editor = useTaskEditor();
  const timeZone = useTimeZone();
  const names = new Map((lists.data ?? []).map((l) => [l.id, l]));
  const items = tasks.data ?? [];
  const t = TITLES[view];
  const inbox = (lists.data ?? []).find((l) => l.is_inbox);

  return (
    <section className="view-page" aria-labelledby="view-heading">
      <div className="toolbar">
        <h1 id="view-heading">{t.heading}</h1>
        {view === "assigned" ? null : (
          <button
            type="button"
            className="primary"
            onClick={() =>
              editor.openCreate({
                list: query.queryKey,
                initial: { dueDate: dayIn(Date.now(), timeZone) },
                ...(inbox ? { context: `In ${inbox.name}` } : {}),
              })
            }
          >
            + New task
          </button>
        )}
      </div>
      <p className="hint">{t.intro}</p>
      <p className="list-status" role="status">
        {tasks.isPending
          ? "Loading tasks…"
          : tasks.data
            ? `${items.length}${tasks.hasNextPage ? "+" : ""} ${items.length === 1 ? "task" : "tasks"}`
            : ""}
      </p>
      {tasks.isError && !tasks.data ? (
        <div className="empty error-state">
          <p>Could not load tasks: {messageOf(tasks.error)}</p>
          <button type="button" onClick={() => void tasks.refetch()}>
            Try again
          </button>
        </div>
      ) : null}
      {tasks.isSuccess && items.length === 0 ? <p className="empty">{t.empty}</p> : null}
      {items.length ? (
        <ul className="task-list">
          {items.map((task) => {
            const list = names.get(task.list_id);
            return (
              <TaskItem
                key={task.id}
                task={task}
                onToggle={(x) => void editor.toggle(x)}
                onEdit={editor.openEdit}
                onDelete={editor.askDelete}
                // In a list the caller only views: no changes, but the task and its comments open.
                readOnly={list?.role === "viewer"}
                onView={editor.openEdit}
                meta={
                  <>
                    {list ? (
                      <Link to={`/lists/${list.id}`} className="task-list-name">
                        {list.color ? <span className="list-dot" style={{ background: list.color }} aria-hidden="true" /> : null}
                        <span className="visually-hidden">In list </span>
                        {list.name}
                      </Link>
                    ) : null}
                    {view === "assigned" ? null : <AssigneeBadge task={task} />}
                  </>
                }
              />
            );
          })}
        </ul>
      ) : null}
      <LoadMore list={tasks} label="Load more tasks" />
      {editor.dialogs}
    </section>
  );
}
