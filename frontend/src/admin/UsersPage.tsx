import { useMemo } from "react";
import type { AdminUser } from "../api/types";
import { Link, navigate, useLocation } from "../router";
import { formatDate } from "../tasks/datetime";
import { Field } from "../ui/Field";
import { LoadMore } from "../ui/LoadMore";
import { useDebouncedInput } from "../ui/useDebouncedInput";
import { usePagedList } from "../ui/usePagedList";
import { AdminNav } from "./AdminNav";
import { adminUsersPath, type UserFilters, userFiltersFromSearch, userFiltersToSearch } from "./query";

export function UsersPage() {
  const { pathname, search } = useLocation();
  const filters = useMemo(() => userFiltersFromSearch(search), [search]);
  const { state, loadMore, reload } = usePagedList<AdminUser>(adminUsersPath(filters));
  const setFilters = (f: UserFilters) => navigate(pathname + userFiltersToSearch(f), { replace: true });
  const [q, setQ] = useDebouncedInput(filters.q, (value) => {
    if (value.trim() !== filters.q) setFilters({ ...filters, q: value });
  });

  return (
    <>
      <h1>Users</h1>
      <AdminNav />
      <div className="filters user-filters">
        <Field label="Search by email or name" className="search">
          <input type="search" value={q} onChange={(e) => setQ(e.target.value)} autoComplete="off" />
        </Field>
        <Field label="Role">
          <select value={filters.role} onChange={(e) => setFilters({ ...filters, role: e.target.value as UserFilters["role"] })}>
            <option value="">Any role</option>
            <option value="user">User</option>
            <option value="admin">Admin</option>
          </select>
        </Field>
        <Field label="Ban status">
          <select value={filters.banned} onChange={(e) => setFilters({ ...filters, banned: e.target.value as UserFilters["banned"] })}>
            <option value="">Anyone</option>
            <option value="false">Not banned</option>
            <option value="true">Banned</option>
          </select>
        </Field>
      </div>
      <p className="list-status" role="status">
        {state.phase === "loading"
          ? "Loading users…"
          : state.phase === "ready"
            ? `${state.items.length}${state.next ? "+" : ""} users`
            : ""}
      </p>
      {state.phase === "error" ? (
        <div className="empty error-state">
          <p>Could not load users: {state.error}</p>
          <button type="button" onClick={reload}>
            Try again
          </button>
        </div>
      ) : null}
      {state.items.length > 0 ? (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Users</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">
                  Tasks
                </th>
                <th scope="col">Joined</th>
              </tr>
            </thead>
            <tbody>
              {state.items.map((u) => (
                <tr key={u.id}>
                  <td>
                    <Link to={`/admin/users/${encodeURIComponent(u.id)}`}>{u.name || "(no name)"}</Link>
                  </td>
                  <td>{u.email}</td>
                  <td>{u.role === "admin" ? <span className="badge role-admin">Admin</span> : "User"}</td>
                  <td>{u.banned ? <span className="badge banned">Banned</span> : "Active"}</td>
                  <td className="num">{u.task_count}</td>
                  <td>{formatDate(u.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : state.phase === "ready" ? (
        <div className="empty">
          <p>No users match these filters.</p>
          <button type="button" onClick={() => setFilters({ q: "", role: "", banned: "" })}>
            Clear filters
          </button>
        </div>
      ) : null}
      {state.error && state.phase === "ready" ? (
        <p className="form-error" role="alert">
          Could not load more users: {state.error}
        </p>
      ) : null}
      <LoadMore
        hasMore={Boolean(state.next) && state.phase !== "error"}
        loading={state.phase === "loadingMore"}
        onLoadMore={loadMore}
        label="Load more users"
      />
    </>
  );
}
