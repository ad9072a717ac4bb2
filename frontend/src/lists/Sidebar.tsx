import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { List } from "../api/openapi";
import { messageOf } from "../api/problem";
import { AuthLostError } from "../api/token";
import { Link, navigate, useLocation } from "../router";
import { InvitationsLink } from "../sharing/InvitationsPage";
import { quote } from "../tasks/useTaskEditor";
import { SortableGroup, useSortableItem } from "../ui/Sortable";
import { useNotify } from "../ui/Toasts";
import { ListDialog } from "./ListDialogs";
import { anchorFor, moveId } from "./order";
import { listsQuery, useCreateList, useMoveList } from "./queries";

const current = (on: boolean) => (on ? ("page" as const) : undefined);

/** Inbox, Today, Upcoming and the user's lists (in their order, reordered by drag and drop or the keyboard). */
export function Sidebar() {
  const lists = useQuery(listsQuery());
  const createList = useCreateList();
  const moveList = useMoveList();
  const notify = useNotify();
  const { pathname } = useLocation();
  const [creating, setCreating] = useState(false);
  const all = lists.data ?? [];
  const inbox = all.find((l) => l.is_inbox);
  const others = all.filter((l) => !l.is_inbox);
  const ids = others.map((l) => l.id);

  async function reorder(id: string, to: number) {
    const order = moveId(ids, id, to);
    const anchor = anchorFor(order, id);
    const list = others.find((l) => l.id === id);
    if (!anchor || !list) return;
    // The cached array holds the Inbox too: the index is in that array (without the moved list).
    const neighbour = "before" in anchor ? anchor.before : anchor.after;
    const at = all.filter((l) => l.id !== id).findIndex((l) => l.id === neighbour) + ("before" in anchor ? 0 : 1);
    try {
      await moveList.mutateAsync({ id, to: at, anchor });
    } catch (err) {
      if (!(err instanceof AuthLostError)) notify(`Could not move ${quote(list.name)}: ${messageOf(err)}`, "error");
    }
  }

  return (
    <nav aria-label="Lists" className="sidebar">
      <ul className="sidebar-views">
        {inbox ? (
          <li>
            <Link to={`/lists/${inbox.id}`} aria-current={current(pathname === `/lists/${inbox.id}`)}>
              <span className="sidebar-name">{inbox.name}</span>
              <Count list={inbox} />
            </Link>
          </li>
        ) : null}
        <li>
          <Link to="/today" aria-current={current(pathname === "/today")}>
            Today
          </Link>
        </li>
        <li>
          <Link to="/upcoming" aria-current={current(pathname === "/upcoming")}>
            Upcoming
          </Link>
        </li>
        <li>
          <Link to="/assigned" aria-current={current(pathname === "/assigned")}>
            Assigned to me
          </Link>
        </li>
        <li>
          <Link to="/" aria-current={current(pathname === "/" || pathname === "/tasks")}>
            All tasks
          </Link>
        </li>
        <li>
          <InvitationsLink active={pathname === "/invitations"} />
        </li>
      </ul>
      <div className="sidebar-heading">
        <h2 id="my-lists">My lists</h2>
        <button type="button" className="icon-button" onClick={() => setCreating(true)} aria-label="New list">
          +
        </button>
      </div>
      {lists.isError ? (
        <p className="form-error">
          Could not load your lists: {messageOf(lists.error)}{" "}
          <button type="button" className="link-button" onClick={() => void lists.refetch()}>
            Try again
          </button>
        </p>
      ) : null}
      <SortableGroup ids={ids} nameOf={(id) => others.find((l) => l.id === id)?.name ?? "list"} onMove={(id, to) => void reorder(id, to)}>
        <ul className="sidebar-lists" aria-labelledby="my-lists">
          {others.map((l) => (
            <SidebarList key={l.id} list={l} active={pathname === `/lists/${l.id}`} />
          ))}
        </ul>
      </SortableGroup>
      {lists.isSuccess && others.length === 0 ? <p className="hint">No lists yet. Add one with +.</p> : null}
      <Link to="/lists/archived" className="sidebar-archived" aria-current={current(pathname === "/lists/archived")}>
        Archived lists
      </Link>
      {creating ? (
        <ListDialog
          onClose={() => setCreating(false)}
          onSubmit={async (values) => {
            const list = await createList.mutateAsync(values);
            setCreating(false);
            notify(`Created the list ${quote(list.name)}.`, "success");
            navigate(`/lists/${list.id}`);
          }}
        />
      ) : null}
    </nav>
  );
}

function Count({ list }: { list: List }) {
  if (!list.open_task_count) return null;
  return (
    <span className="count">
      <span className="visually-hidden">, </span>
      {list.open_task_count}
      <span className="visually-hidden"> open</span>
    </span>
  );
}

function SidebarList({ list, active }: { list: List; active: boolean }) {
  const sortable = useSortableItem(list.id);
  return (
    <li ref={sortable.ref} style={sortable.style} className={sortable.dragging ? "sidebar-list task-dragging" : "sidebar-list"}>
      <button type="button" className="drag-handle icon-button" {...sortable.handle} aria-label={`Reorder list: ${list.name}`}>
        <span aria-hidden="true">⠿</span>
      </button>
      <Link to={`/lists/${list.id}`} aria-current={current(active)}>
        <span className="list-dot" style={list.color ? { background: list.color } : undefined} aria-hidden="true" />
        <span className="sidebar-name">{list.name}</span>
        <Count list={list} />
      </Link>
    </li>
  );
}
