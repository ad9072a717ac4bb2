import { keepPreviousData, useInfiniteQuery } from "@tanstack/react-query";
import { messageOf } from "../api/problem";
import { Link, useLocation } from "../router";
import { formatDateTime } from "../tasks/datetime";
import { LoadMore } from "../ui/LoadMore";
import { AdminNav } from "./AdminNav";
import { auditLogQuery, auditQuery, describeDetails } from "./query";

export function AuditPage() {
  const { search } = useLocation();
  const list = useInfiniteQuery({ ...auditLogQuery(auditQuery(search)), placeholderData: keepPreviousData });
  const entries = list.data ?? [];
  const params = new URLSearchParams(search);
  const filteredBy = params.get("target_user_id") ?? params.get("actor_id");

  return (
    <>
      <h1>Audit log</h1>
      <AdminNav />
      {filteredBy ? (
        <p className="notice">
          Showing entries for one user. <Link to="/admin/audit">Show all entries</Link>
        </p>
      ) : null}
      <p className="list-status" role="status">
        {list.isPending || list.isPlaceholderData ? "Loading the audit log…" : ""}
      </p>
      {list.isLoadingError ? (
        <div className="empty error-state">
          <p>Could not load the audit log: {messageOf(list.error)}</p>
          <button type="button" onClick={() => void list.refetch()}>
            Try again
          </button>
        </div>
      ) : null}
      {entries.length > 0 ? (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Audit log entries, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">Details</th>
                <th scope="col">Request</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id}>
                  <td className="nowrap">
                    <time dateTime={e.created_at}>{formatDateTime(e.created_at)}</time>
                  </td>
                  <td>{e.actor_email ?? e.actor_id}</td>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  <td>
                    {e.target_user_id ? (
                      <Link to={`/admin/users/${encodeURIComponent(e.target_user_id)}`}>User {e.target_user_id.slice(0, 8)}…</Link>
                    ) : null}
                    {e.target_task_id ? <span className="muted"> task {e.target_task_id.slice(0, 8)}…</span> : null}
                  </td>
                  <td className="details">{describeDetails(e.details).join("\n")}</td>
                  <td>
                    <code className="muted">{e.request_id}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : list.isSuccess && !list.isPlaceholderData ? (
        <div className="empty">
          <p>No audit entries yet. Admin actions and reads of users’ tasks appear here.</p>
        </div>
      ) : null}
      {list.isFetchNextPageError ? (
        <p className="form-error" role="alert">
          Could not load more entries: {messageOf(list.error)}
        </p>
      ) : null}
      <LoadMore list={list} label="Load more entries" />
    </>
  );
}
