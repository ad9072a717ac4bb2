import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { AdminUserUpdate } from "../api/openapi";
import { ApiError, messageOf } from "../api/problem";
import { AuthLostError } from "../api/token";
import { useAuth } from "../auth/AuthProvider";
import { Link, navigate } from "../router";
import { formatDate, formatDateTime, localInputToRfc3339 } from "../tasks/datetime";
import { TaskBrowser } from "../tasks/TaskBrowser";
import { ConfirmDialog } from "../ui/Dialog";
import { Field } from "../ui/Field";
import { useNotify } from "../ui/Toasts";
import { AdminNav } from "./AdminNav";
import { useDeleteUser, userQuery, useUpdateUser } from "./query";
import { UserLists } from "./UserLists";

type Action = "promote" | "demote" | "ban" | "unban" | "delete";

export function UserPage({ id }: { id: string }) {
  const detail = useQuery(userQuery(id));
  const updateUser = useUpdateUser(id);
  const deleteUser = useDeleteUser(id);
  const busy = updateUser.isPending || deleteUser.isPending;
  const [action, setAction] = useState<Action | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reason, setReason] = useState("");
  const [expires, setExpires] = useState("");
  const [expiresError, setExpiresError] = useState<string | undefined>();
  const notify = useNotify();
  const auth = useAuth();
  const myId = auth.state.status === "signedIn" ? auth.state.me.id : null;

  if (!detail.data) {
    const missing = detail.error instanceof ApiError && detail.error.status === 404;
    return (
      <>
        <h1>User</h1>
        <AdminNav />
        {detail.isPending ? <p role="status">Loading user…</p> : null}
        {detail.isError ? (
          <div className="empty error-state">
            <p>
              {missing ? "This user does not exist; they may have been deleted." : `Could not load the user: ${messageOf(detail.error)}`}
            </p>
            {missing ? (
              <Link to="/admin/users">Back to users</Link>
            ) : (
              <button type="button" onClick={() => void detail.refetch()}>
                Try again
              </button>
            )}
          </div>
        ) : null}
      </>
    );
  }
  const user = detail.data;
  const label = user.name || user.email;

  function open(a: Action) {
    setAction(a);
    setError(null);
    setReason("");
    setExpires("");
    setExpiresError(undefined);
  }

  async function run() {
    if (!action) return;
    let patch: AdminUserUpdate | null = null;
    if (action === "promote") patch = { role: "admin" };
    if (action === "demote") patch = { role: "user" };
    if (action === "unban") patch = { banned: false };
    if (action === "ban") {
      const at = localInputToRfc3339(expires);
      if (at === undefined) return setExpiresError("Enter a valid date and time, or leave it empty.");
      if (at !== null && Date.parse(at) <= Date.now()) return setExpiresError("Choose a time in the future.");
      patch = { banned: true, ban_reason: reason.trim() || null, ban_expires_at: at };
    }
    setError(null);
    try {
      if (action === "delete") {
        await deleteUser.mutateAsync();
        notify(`Deleted ${label} and all of their tasks.`, "success");
        navigate("/admin/users");
      } else if (patch) {
        await updateUser.mutateAsync(patch);
        setAction(null);
        notify(DONE[action](label), "success");
        if (user.id === myId) await auth.refreshMe();
      }
    } catch (err) {
      if (!(err instanceof AuthLostError)) setError(messageOf(err));
    }
  }

  const dialogProps = { busy, error, onConfirm: () => void run(), onCancel: () => setAction(null) };

  return (
    <>
      <h1>{label}</h1>
      <AdminNav />
      <section className="card user-card" aria-labelledby="user-details">
        <h2 id="user-details">Account</h2>
        <dl className="details-list">
          <dt>Email</dt>
          <dd>{user.email}</dd>
          <dt>Name</dt>
          <dd>{user.name || "—"}</dd>
          <dt>Role</dt>
          <dd>{user.role === "admin" ? "Admin" : "User"}</dd>
          <dt>Status</dt>
          <dd>
            {user.banned ? (
              <>
                <span className="badge banned">Banned</span>
                {user.ban_reason ? ` — ${user.ban_reason}` : ""}
                {user.ban_expires_at ? ` (until ${formatDateTime(user.ban_expires_at)})` : " (no end date)"}
              </>
            ) : (
              "Active"
            )}
          </dd>
          <dt>Joined</dt>
          <dd>{formatDate(user.created_at)}</dd>
          <dt>Tasks</dt>
          <dd>
            {user.task_counts.total} in total, {user.task_counts.completed} completed, {user.task_counts.overdue} overdue
          </dd>
        </dl>
        <div className="actions">
          {user.role === "admin" ? (
            <button type="button" onClick={() => open("demote")}>
              Remove admin role
            </button>
          ) : (
            <button type="button" onClick={() => open("promote")}>
              Make admin
            </button>
          )}
          {user.banned ? (
            <button type="button" onClick={() => open("unban")}>
              Unban
            </button>
          ) : (
            <button type="button" className="danger-outline" onClick={() => open("ban")}>
              Ban…
            </button>
          )}
          <button type="button" className="danger" onClick={() => open("delete")}>
            Delete user…
          </button>
          <Link to={`/admin/audit?target_user_id=${encodeURIComponent(user.id)}`}>Audit entries</Link>
        </div>
      </section>

      <UserLists userId={user.id} label={label} />

      <TaskBrowser scope={{ kind: "user", userId: user.id }} readOnly heading={`${label}’s tasks (read-only)`} />

      {action === "promote" ? (
        <ConfirmDialog title="Make this user an admin?" confirmLabel="Make admin" {...dialogProps}>
          <p>{label} will be able to see every user, their tasks and the audit log, and to ban or delete users.</p>
        </ConfirmDialog>
      ) : null}
      {action === "demote" ? (
        <ConfirmDialog title="Remove admin role?" confirmLabel="Remove admin role" danger {...dialogProps}>
          <p>{label} will lose access to the administration pages at once.</p>
        </ConfirmDialog>
      ) : null}
      {action === "unban" ? (
        <ConfirmDialog title="Unban this user?" confirmLabel="Unban" {...dialogProps}>
          <p>{label} will be able to sign in again.</p>
        </ConfirmDialog>
      ) : null}
      {action === "delete" ? (
        <ConfirmDialog title="Delete this user?" confirmLabel="Delete user and tasks" danger {...dialogProps}>
          <p>
            {label} ({user.email}) and all {user.task_counts.total} of their tasks will be deleted permanently. This cannot be undone.
          </p>
        </ConfirmDialog>
      ) : null}
      {action === "ban" ? (
        <ConfirmDialog title="Ban this user?" confirmLabel="Ban user" danger {...dialogProps}>
          <p>{label} will be signed out within seconds and cannot sign in until unbanned.</p>
          <Field label="Reason (shown to the user)">
            <textarea rows={3} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} />
          </Field>
          <Field label="Ban ends (optional, your local time)" hint="Leave empty to ban until unbanned." error={expiresError}>
            <input type="datetime-local" value={expires} onChange={(e) => setExpires(e.target.value)} />
          </Field>
        </ConfirmDialog>
      ) : null}
    </>
  );
}

const DONE: Record<Exclude<Action, "delete">, (label: string) => string> = {
  promote: (l) => `${l} is now an admin.`,
  demote: (l) => `${l} is no longer an admin.`,
  ban: (l) => `${l} is banned.`,
  unban: (l) => `${l} is no longer banned.`,
};
