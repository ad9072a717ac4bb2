import { useQuery } from "@tanstack/react-query";
import { messageOf } from "../api/problem";
import { AuthLostError } from "../api/token";
import { Link } from "../router";
import { quote } from "../tasks/useTaskEditor";
import { useNotify } from "../ui/Toasts";
import { listsQuery, useUpdateList } from "./queries";

/** Archived lists: out of the sidebar, still there; open one, or restore it. */
export function ArchivedLists() {
  const lists = useQuery(listsQuery("true"));
  const updateList = useUpdateList();
  const notify = useNotify();
  return (
    <section aria-labelledby="archived-heading">
      <h1 id="archived-heading">Archived lists</h1>
      {lists.isPending ? <p role="status">Loading…</p> : null}
      {lists.isError ? <p className="form-error">Could not load the lists: {messageOf(lists.error)}</p> : null}
      {lists.isSuccess && lists.data.length === 0 ? <p className="empty">No archived lists.</p> : null}
      {lists.data?.length ? (
        <ul className="plain-list">
          {lists.data.map((l) => (
            <li key={l.id}>
              <Link to={`/lists/${l.id}`}>{l.name}</Link> <span className="hint">{l.task_count} tasks</span>{" "}
              <button
                type="button"
                onClick={async () => {
                  try {
                    await updateList.mutateAsync({ id: l.id, patch: { archived: false } });
                    notify(`Restored ${quote(l.name)}.`, "success");
                  } catch (err) {
                    if (!(err instanceof AuthLostError)) notify(`Could not restore ${quote(l.name)}: ${messageOf(err)}`, "error");
                  }
                }}
              >
                Restore
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
