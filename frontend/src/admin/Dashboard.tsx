import type { AdminStats } from "../api/types";
import { Link } from "../router";
import { AdminNav } from "./AdminNav";
import { useResource } from "./useResource";

function Stat({ label, value }: { label: string; value: number }) {
  return (
    <div className="stat">
      <dt>{label}</dt>
      <dd>{value.toLocaleString()}</dd>
    </div>
  );
}

export function Dashboard() {
  const { state, reload } = useResource<AdminStats>("/api/admin/stats");
  return (
    <>
      <h1>Administration</h1>
      <AdminNav />
      {state.phase === "loading" ? <p role="status">Loading statistics…</p> : null}
      {state.phase === "error" ? (
        <div className="empty error-state">
          <p>Could not load statistics: {state.error}</p>
          <button type="button" onClick={reload}>
            Try again
          </button>
        </div>
      ) : null}
      {state.phase === "ready" ? (
        <div className="stat-groups">
          <section aria-labelledby="stats-users" className="card">
            <h2 id="stats-users">Users</h2>
            <dl className="stats">
              <Stat label="Total" value={state.data.users.total} />
              <Stat label="Admins" value={state.data.users.admins} />
              <Stat label="Banned" value={state.data.users.banned} />
              <Stat label="New in the last 7 days" value={state.data.users.new_last_7_days} />
            </dl>
            <Link to="/admin/users">Manage users</Link>
          </section>
          <section aria-labelledby="stats-tasks" className="card">
            <h2 id="stats-tasks">Tasks</h2>
            <dl className="stats">
              <Stat label="Total" value={state.data.tasks.total} />
              <Stat label="Completed" value={state.data.tasks.completed} />
              <Stat label="Overdue" value={state.data.tasks.overdue} />
            </dl>
            <Link to="/admin/audit">View the audit log</Link>
          </section>
        </div>
      ) : null}
    </>
  );
}
