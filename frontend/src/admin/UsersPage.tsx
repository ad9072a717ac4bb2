import { keepPreviousData, useInfiniteQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { messageOf } from "../api/problem";
import { Link, navigate, useLocation } from "../router";
import { formatDate } from "../tasks/datetime";
import { Field } from "../ui/Field";
import { LoadMore } from "../ui/LoadMore";
import { useDebouncedInput } from "../ui/useDebouncedInput";
import { AdminNav } from "./AdminNav";
import { ROLES, type Role, type UserFilters, userFiltersFromSearch, userFiltersToSearch, usersListQuery, usersQuery } from "./query";

const ROLE_LABELS: Record<Role, string> = { user: "User", admin: "Admin" };

export function UsersPage() {
  const { pathname, search } = useLocation();
  const filters = useMemo(() => userFiltersFromSearch(search), [search]);
  const list = useInfiniteQuery({ ...usersListQuery(usersQuery(filters)), placeholderData: keepPreviousData });
  const users = list.data ?? [];
  const loading = list.isPending || list.isPlaceholderData;
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
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {ROLE_LABELS[r]}
              </option>
            ))}
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
        {loading ? "Loading users…" : list.data ? `${users.length}${list.hasNextPage ? "+" : ""} users` : ""}
      </p>
      {list.isLoadingError ? (
        <div className="empty error-state">
          <p>Could not load users: {messageOf(list.error)}</p>
          <button type="button" onClick={() => void list.refetch()}>
            Try again
          </button>
        </div>
      ) : null}
      {users.length > 0 ? (
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
              {users.map((u) => (
                <tr key={u.id}>
                  <td>
                    <Link to={`/admin/users/${encodeURIComponent(u.id)}`}>{u.name || "(no name)"}</Link>
                  </td>
                  <td>{u.email}</td>
                  <td>{u.role === "admin" ? <span className="badge role-admin">{ROLE_LABELS.admin}</span> : ROLE_LABELS[u.role]}</td>
                  <td>{u.banned ? <span className="badge banned">Banned</span> : "Active"}</td>
                  <td className="num">{u.task_count}</td>
                  <td>{formatDate(u.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : list.isSuccess && !loading ? (
        <div className="empty">
          <p>No users match these filters.</p>
          <button type="button" onClick={() => setFilters({ q: "", role: "", banned: "" })}>
            Clear filters
          </button>
        </div>
      ) : null}
      {list.isFetchNextPageError ? (
        <p className="form-error" role="alert">
          Could not load more users: {messageOf(list.error)}
        </p>
      ) : null}
      <LoadMore list={list} label="Load more users" />
    </>
  );
}
