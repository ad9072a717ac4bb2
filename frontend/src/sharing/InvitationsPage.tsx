import { useQuery } from "@tanstack/react-query";
import type { IncomingInvitation } from "../api/openapi";
import { messageOf } from "../api/problem";
import { AuthLostError } from "../api/token";
import { Link, navigate } from "../router";
import { quote } from "../tasks/useTaskEditor";
import { useNotify } from "../ui/Toasts";
import { Avatar, ROLE_LABELS } from "./Avatars";
import { incomingQuery, useAcceptInvitation, useDeclineInvitation } from "./queries";

/** The sidebar's entry to the invitations, with how many are waiting. */
export function InvitationsLink({ active }: { active: boolean }) {
  const incoming = useQuery(incomingQuery());
  const count = incoming.data?.length ?? 0;
  return (
    <Link to="/invitations" aria-current={active ? "page" : undefined}>
      <span className="sidebar-name">Invitations</span>
      {count ? (
        <span className="count count-badge">
          <span className="visually-hidden">, </span>
          {count}
          <span className="visually-hidden"> waiting</span>
        </span>
      ) : null}
    </Link>
  );
}

/** The invitations waiting for the caller: accepting one adds the list to the sidebar and opens it. */
export function InvitationsPage() {
  const incoming = useQuery(incomingQuery());
  const accept = useAcceptInvitation();
  const decline = useDeclineInvitation();
  const notify = useNotify();
  const busy = accept.isPending || decline.isPending;

  async function onAccept(inv: IncomingInvitation) {
    try {
      const list = await accept.mutateAsync(inv.id);
      notify(`You joined ${quote(list.name)} as ${inv.role === "editor" ? "an editor" : "a viewer"}.`, "success");
      navigate(`/lists/${encodeURIComponent(list.id)}`);
    } catch (err) {
      if (!(err instanceof AuthLostError)) notify(`Could not accept the invitation to ${quote(inv.list_name)}: ${messageOf(err)}`, "error");
    }
  }

  async function onDecline(inv: IncomingInvitation) {
    try {
      await decline.mutateAsync(inv.id);
      notify(`Declined the invitation to ${quote(inv.list_name)}.`, "success");
    } catch (err) {
      if (!(err instanceof AuthLostError))
        notify(`Could not decline the invitation to ${quote(inv.list_name)}: ${messageOf(err)}`, "error");
    }
  }

  return (
    <section className="invitations-page" aria-labelledby="invitations-heading">
      <h1 id="invitations-heading">Invitations</h1>
      {incoming.isPending ? <p role="status">Loading your invitations…</p> : null}
      {incoming.isError ? (
        <div className="empty error-state">
          <p>Could not load your invitations: {messageOf(incoming.error)}</p>
          <button type="button" onClick={() => void incoming.refetch()}>
            Try again
          </button>
        </div>
      ) : null}
      {incoming.isSuccess && incoming.data.length === 0 ? (
        <div className="empty">
          <p>No invitations are waiting for you.</p>
          <p>
            When someone shares a list with your email address, it shows here. <Link to="/">Go to your tasks</Link>.
          </p>
        </div>
      ) : null}
      {incoming.data?.length ? (
        <ul className="invitation-list">
          {incoming.data.map((inv) => (
            <li key={inv.id} className="card invitation">
              <Avatar member={{ user_id: inv.invited_by ?? "", name: inv.inviter_name ?? "?", email: "" }} size="large" />
              <div className="member-who">
                <h2 className="invitation-list-name">{inv.list_name}</h2>
                <p className="muted">
                  {inv.inviter_name || "Someone"} invited you as {ROLE_LABELS[inv.role].toLowerCase()} · expires{" "}
                  <time dateTime={inv.expires_at}>{new Date(inv.expires_at).toLocaleDateString()}</time>
                </p>
              </div>
              <div className="member-actions">
                <button type="button" onClick={() => void onDecline(inv)} disabled={busy} aria-label={`Decline: ${inv.list_name}`}>
                  Decline
                </button>
                <button
                  type="button"
                  className="primary"
                  onClick={() => void onAccept(inv)}
                  disabled={busy}
                  aria-label={`Accept: ${inv.list_name}`}
                >
                  Accept
                </button>
              </div>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
