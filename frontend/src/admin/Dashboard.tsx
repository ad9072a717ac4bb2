import { useQuery } from "@tanstack/react-query";
import { messageOf } from "../api/problem";
import { Link } from "../router";
import { AdminNav } from "./AdminNav";
import { statsQuery } from "./query";

function Stat({ label, value }: { label: string; value: number }) {
  return (
    <div className="stat">
      <dt>{label}</dt>
      <dd>{value.toLocaleString()}</dd>
    </div>
  );
}

export function Dashboard() {
  const stats = useQuery(statsQuery);
  return (
    <>
      <h1>Administration</h1>
      <AdminNav />
      {stats.isPending ? <p role="status">Loading statistics…</p> : null}
      {stats.isError && !stats.data ? (
        <div className="empty error-state">
          <p>Could not load statistics: {messageOf(stats.error)}</p>
          <button type="button" onClick={() => void stats.refetch()}>
            Try again
          </button>
        </div>
      ) : null}
      {stats.data ? (
        <div className="stat-groups">
          <section aria-labelledby="stats-users" className="card">
            <h2 id="stats-users">Users</h2>
            <dl className="stats">
              <Stat label="Total" value={stats.data.users.total} />
              <Stat label="Admins" value={stats.data.users.admins} />
              <Stat label="Banned" value={stats.data.users.banned} />
              <Stat label="New in the last 7 days" value={stats.data.users.new_last_7_days} />
            </dl>
            <Link to="/admin/users">Manage users</Link>
          </section>
          <section aria-labelledby="stats-tasks" className="card">
            <h2 id="stats-tasks">Tasks</h2>
            <dl className="stats">
              <Stat label="Total" value={stats.data.tasks.total} />
              <Stat label="Completed" value={stats.data.tasks.completed} />
              <Stat label="Overdue" value={stats.data.tasks.overdue} />
            </dl>
            <Link to="/admin/audit">View the audit log</Link>
          </section>
          <section aria-labelledby="stats-lists" className="card">
            <h2 id="stats-lists">Lists</h2>
            <dl className="stats">
              <Stat label="Total" value={stats.data.lists.total} />
            </dl>
          </section>
        </div>
      ) : null}
    </>
  );
}
