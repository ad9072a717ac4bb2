import type { AuditEntry } from "../api/types";
import { Link, useLocation } from "../router";
import { formatDateTime } from "../tasks/datetime";
import { LoadMore } from "../ui/LoadMore";
import { usePagedList } from "../ui/usePagedList";
import { AdminNav } from "./AdminNav";
import { auditPath, describeDetails } from "./query";

export function AuditPage() {
  const { search } = useLocation();
  const { state, loadMore, reload } = usePagedList<AuditEntry>(auditPath(search));
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
        {state.phase === "loading" ? "Loading the audit log…" : ""}
      </p>
      {state.phase === "error" ? (
        <div className="empty error-state">
          <p>Could not load the audit log: {state.error}</p>
          <button type="button" onClick={reload}>
            Try again
          </button>
        </div>
      ) : null}
      {state.items.length > 0 ? (
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
              {state.items.map((e) => (
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
      ) : state.phase === "ready" ? (
        <div className="empty">
          <p>No audit entries yet. Admin actions and reads of users’ tasks appear here.</p>
        </div>
      ) : null}
      {state.error && state.phase === "ready" ? (
        <p className="form-error" role="alert">
          Could not load more entries: {state.error}
        </p>
      ) : null}
      <LoadMore
        hasMore={Boolean(state.next) && state.phase !== "error"}
        loading={state.phase === "loadingMore"}
        onLoadMore={loadMore}
        label="Load more entries"
      />
    </>
  );
}
