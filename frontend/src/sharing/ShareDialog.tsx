import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import type { List, Member } from "../api/openapi";
import { ApiError, messageOf } from "../api/problem";
import { AuthLostError } from "../api/token";
import { useAuth } from "../auth/AuthProvider";
import { navigate } from "../router";
import { quote } from "../tasks/useTaskEditor";
import { ConfirmDialog, Dialog } from "../ui/Dialog";
import { Field } from "../ui/Field";
import { useNotify } from "../ui/Toasts";
import { Avatar, MemberAvatars, ROLE_LABELS } from "./Avatars";
import {
  type InviteRole,
  invitationsQuery,
  membersQuery,
  useChangeRole,
  useInvite,
  useRemoveMember,
  useRevokeInvitation,
  useTransfer,
} from "./queries";

const ROLE_HINT = "Editors add, change, complete and delete tasks; viewers only read and comment.";

const article = (role: InviteRole) => (role === "editor" ? "an editor" : "a viewer");

/** Only lists with others in them show their members in the header (a private list costs no request). */
export function ListMembers({ list }: { list: List }) {
  const members = useQuery({ ...membersQuery(list.id), enabled: list.member_count > 1 });
  if (list.member_count < 2 || !members.data) return null;
  return <MemberAvatars members={members.data} />;
}

/** The list page's sharing buttons: Share (the owner) or Members and Leave list (the others); none on the Inbox. */
export function ShareControls({ list }: { list: List }) {
  const auth = useAuth();
  const notify = useNotify();
  const leave = useRemoveMember(list.id);
  const [open, setOpen] = useState(false);
  const [leaving, setLeaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const meId = auth.state.status === "signedIn" ? auth.state.me.id : "";
  if (list.is_inbox) return null;
  const owner = list.role === "owner";

  async function confirmLeave() {
    setError(null);
    try {
      await leave.mutateAsync({ userId: meId, self: true });
      setLeaving(false);
      notify(`You left ${quote(list.name)}.`, "success");
      navigate("/");
    } catch (err) {
      if (!(err instanceof AuthLostError)) setError(messageOf(err));
    }
  }

  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        {owner ? "Share…" : "Members"}
      </button>
      {owner ? null : (
        <button type="button" className="danger-outline" onClick={() => setLeaving(true)}>
          Leave list…
        </button>
      )}
      {open ? <ShareDialog list={list} meId={meId} onClose={() => setOpen(false)} /> : null}
      {leaving ? (
        <ConfirmDialog
          title="Leave list?"
          confirmLabel="Leave list"
          danger
          busy={leave.isPending}
          error={error}
          onConfirm={() => void confirmLeave()}
          onCancel={() => {
            setLeaving(false);
            setError(null);
          }}
        >
          <p>You will no longer see {quote(list.name)} and its tasks. The owner can invite you again.</p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}

type Confirm = { kind: "remove" | "transfer"; member: Member };
type Message = { text: string; kind: "success" | "error" };

interface ShareDialogProps {
  list: List;
  /** The caller's user id (to mark "you"). */
  meId: string;
  onClose: () => void;
}

/**
 * Who is in a list. Its owner invites by email, sees and revokes pending invitations, changes
 * roles, removes members and hands the list over; the others see the members.
 */
export function ShareDialog({ list, meId, onClose }: ShareDialogProps) {
  const owner = list.role === "owner";
  const members = useQuery(membersQuery(list.id));
  const changeRole = useChangeRole(list.id);
  const remove = useRemoveMember(list.id);
  const transfer = useTransfer(list.id);
  const [confirm, setConfirm] = useState<Confirm | null>(null);
  const [message, setMessage] = useState<Message | null>(null);
  const membersId = useId();

  const failed = (action: string, err: unknown) => {
    if (!(err instanceof AuthLostError)) setMessage({ text: `${action}: ${messageOf(err)}`, kind: "error" });
  };
  const nameOf = (m: Member) => m.name || m.email;

  async function setRole(m: Member, role: InviteRole) {
    setMessage(null);
    try {
      await changeRole.mutateAsync({ userId: m.user_id, role });
      setMessage({ text: `${nameOf(m)} is now ${article(role)}.`, kind: "success" });
    } catch (err) {
      failed(`Could not change the role of ${nameOf(m)}`, err);
    }
  }

  async function confirmed({ kind, member: m }: Confirm) {
    setMessage(null);
    try {
      if (kind === "remove") {
        await remove.mutateAsync({ userId: m.user_id });
        setMessage({ text: `Removed ${nameOf(m)} from the list.`, kind: "success" });
      } else {
        await transfer.mutateAsync(m.user_id);
        setMessage({ text: `${nameOf(m)} is now the owner; you are an editor.`, kind: "success" });
      }
    } catch (err) {
      failed(kind === "remove" ? `Could not remove ${nameOf(m)}` : `Could not transfer the list to ${nameOf(m)}`, err);
    }
    setConfirm(null);
  }

  return (
    <>
      <Dialog title={owner ? `Share ${quote(list.name)}` : `Members of ${quote(list.name)}`} onClose={onClose} wide>
        <div className="share-dialog">
          {message ? (
            message.kind === "error" ? (
              <p className="form-error" role="alert">
                {message.text}
              </p>
            ) : (
              <p className="notice" role="status">
                {message.text}
              </p>
            )
          ) : null}
          {owner ? <InviteForm list={list} onInvited={(text) => setMessage({ text, kind: "success" })} /> : null}
          {owner ? <PendingInvitations list={list} onMessage={setMessage} /> : null}
          <section aria-labelledby={membersId}>
            <h3 id={membersId}>Members</h3>
            {members.isPending ? <p className="list-status">Loading the members…</p> : null}
            {members.isError ? (
              <p className="form-error">
                Could not load the members: {messageOf(members.error)}{" "}
                <button type="button" className="link-button" onClick={() => void members.refetch()}>
                  Try again
                </button>
              </p>
            ) : null}
            <ul className="member-list">
              {(members.data ?? []).map((m) => (
                <li key={m.user_id} className="member">
                  <Avatar member={m} size="large" />
                  <div className="member-who">
                    <span className="member-name">
                      {nameOf(m)}
                      {m.user_id === meId ? <span className="muted"> (you)</span> : null}
                    </span>
                    {m.name ? <span className="muted member-email">{m.email}</span> : null}
                  </div>
                  {owner && m.role !== "owner" ? (
                    <div className="member-actions">
                      <select
                        aria-label={`Role of ${nameOf(m)}`}
                        value={m.role}
                        disabled={changeRole.isPending}
                        onChange={(e) => void setRole(m, e.target.value as InviteRole)}
                      >
                        <option value="editor">Editor</option>
                        <option value="viewer">Viewer</option>
                      </select>
                      <button
                        type="button"
                        onClick={() => setConfirm({ kind: "transfer", member: m })}
                        aria-label={`Make owner: ${nameOf(m)}`}
                      >
                        Make owner
                      </button>
                      <button
                        type="button"
                        className="danger-outline"
                        onClick={() => setConfirm({ kind: "remove", member: m })}
                        aria-label={`Remove ${nameOf(m)}`}
                      >
                        Remove
                      </button>
                    </div>
                  ) : (
                    <span className={`badge role-${m.role}`}>{ROLE_LABELS[m.role]}</span>
                  )}
                </li>
              ))}
            </ul>
          </section>
          <div className="dialog-actions">
            <button type="button" onClick={onClose}>
              Done
            </button>
          </div>
        </div>
      </Dialog>
      {confirm?.kind === "remove" ? (
        <ConfirmDialog
          title={`Remove ${nameOf(confirm.member)}?`}
          confirmLabel="Remove"
          danger
          busy={remove.isPending}
          onConfirm={() => void confirmed(confirm)}
          onCancel={() => setConfirm(null)}
        >
          <p>
            {nameOf(confirm.member)} will no longer see {quote(list.name)} and its tasks; the tasks assigned to them are unassigned.
          </p>
        </ConfirmDialog>
      ) : null}
      {confirm?.kind === "transfer" ? (
        <ConfirmDialog
          title="Transfer ownership?"
          confirmLabel="Transfer ownership"
          danger
          busy={transfer.isPending}
          onConfirm={() => void confirmed(confirm)}
          onCancel={() => setConfirm(null)}
        >
          <p>
            {nameOf(confirm.member)} becomes the owner of {quote(list.name)}. You stay in the list as an editor and can no longer share,
            rename or delete it.
          </p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}

function InviteForm({ list, onInvited }: { list: List; onInvited: (text: string) => void }) {
  const invite = useInvite(list.id);
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<InviteRole>("editor");
  const [error, setError] = useState<{ email?: string; form?: string }>({});

  async function submit(e: FormEvent) {
    e.preventDefault();
    const address = email.trim();
    if (!/^[^\s@]+@[^\s@]+$/.test(address)) return setError({ email: "Enter an email address, like name@example.com." });
    setError({});
    try {
      await invite.mutateAsync({ email: address, role });
      setEmail("");
      onInvited(`Invited ${address} as ${article(role)}. They see the invitation when they sign in with that address.`);
    } catch (err) {
      if (err instanceof AuthLostError) return;
      const byField = err instanceof ApiError ? err.byField() : {};
      setError(byField.email ? { email: byField.email } : { form: messageOf(err) });
    }
  }

  return (
    <form className="invite-form" onSubmit={(e) => void submit(e)} noValidate aria-label="Invite someone">
      {error.form ? (
        <p className="form-error" role="alert">
          {error.form}
        </p>
      ) : null}
      <div className="invite-row">
        <Field label="Email address" error={error.email} className="invite-email">
          <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="off" required />
        </Field>
        <Field label="Role">
          <select value={role} onChange={(e) => setRole(e.target.value as InviteRole)}>
            <option value="editor">Editor</option>
            <option value="viewer">Viewer</option>
          </select>
        </Field>
        <button type="submit" className="primary" disabled={invite.isPending}>
          {invite.isPending ? "Inviting…" : "Invite"}
        </button>
      </div>
      <p className="hint">{ROLE_HINT}</p>
    </form>
  );
}

function PendingInvitations({ list, onMessage }: { list: List; onMessage: (m: Message) => void }) {
  const invitations = useQuery(invitationsQuery(list.id));
  const revoke = useRevokeInvitation(list.id);
  const headingId = useId();
  const pending = invitations.data ?? [];

  async function revokeOne(id: string, email: string) {
    try {
      await revoke.mutateAsync(id);
      onMessage({ text: `Revoked the invitation to ${email}.`, kind: "success" });
    } catch (err) {
      if (!(err instanceof AuthLostError))
        onMessage({ text: `Could not revoke the invitation to ${email}: ${messageOf(err)}`, kind: "error" });
    }
  }

  return (
    <section aria-labelledby={headingId}>
      <h3 id={headingId}>Pending invitations</h3>
      {invitations.isError ? <p className="form-error">Could not load the invitations: {messageOf(invitations.error)}</p> : null}
      {invitations.isSuccess && pending.length === 0 ? <p className="muted">No pending invitations.</p> : null}
      {pending.length ? (
        <ul className="member-list">
          {pending.map((inv) => (
            <li key={inv.id} className="member">
              <div className="member-who">
                <span className="member-name">{inv.email}</span>
                <span className="muted">
                  {ROLE_LABELS[inv.role]} · expires <time dateTime={inv.expires_at}>{new Date(inv.expires_at).toLocaleDateString()}</time>
                </span>
              </div>
              <button
                type="button"
                className="danger-outline"
                disabled={revoke.isPending}
                onClick={() => void revokeOne(inv.id, inv.email)}
                aria-label={`Revoke the invitation to ${inv.email}`}
              >
                Revoke
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
