import type { Queryable } from "../db/client.ts";
import { isoUtc } from "../db/sql.ts";

/*
 * The sharing data layer: invitations and memberships (SPEC §8). Every write
 * names its caller and the role it needs in its own WHERE clause (the owner's
 * list_members row); when it matches nothing, `standing` tells the service
 * which rule refused it. Times are the app's clock, passed in as ISO strings.
 */

const INVITATION_JSON = `json_build_object(
    'id', i.id, 'list_id', i.list_id, 'email', i.email, 'role', i.role, 'status', i.status,
    'invited_by', i.invited_by, 'created_at', ${isoUtc("i.created_at")}, 'expires_at', ${isoUtc("i.expires_at")})::text`;

/** A member's JSON (aliases: t = their list_members row, u = their "user" row). */
const MEMBER_JSON = `json_build_object(
    'user_id', t.user_id, 'name', u.name, 'email', u.email, 'image', u.image, 'role', t.role,
    'joined_at', ${isoUtc("t.created_at")})::text`;

/** The caller's membership of a list, for telling a miss (404) from a refusal (403, 409). */
export interface Standing {
  role: string;
  isInbox: boolean;
}

export async function standing(q: Queryable, userId: string, listId: string): Promise<Standing | undefined> {
  const rows = await q.query<{ role: string; is_inbox: boolean }>(
    "SELECT m.role, l.is_inbox FROM list_members m JOIN lists l ON l.id = m.list_id WHERE m.list_id = $1 AND m.user_id = $2",
    [listId, userId],
    "sharing_standing",
  );
  const r = rows[0];
  return r && { role: r.role, isInbox: r.is_inbox };
}

/** Another user's role in a list (the target of a role change or a removal); the caller's standing comes first. */
export async function memberRole(q: Queryable, listId: string, userId: string): Promise<string | undefined> {
  const rows = await q.query<{ role: string }>(
    "SELECT role FROM list_members WHERE list_id = $1 AND user_id = $2",
    [listId, userId],
    "sharing_member_role",
  );
  return rows[0]?.role;
}

/**
 * Locks the list's row for the rest of the transaction, when the caller is a
 * member: role changes, removals and transfers of one list then run one after
 * the other, each reading the memberships the previous one left.
 */
export async function lockList(q: Queryable, userId: string, listId: string): Promise<void> {
  await q.query(
    `SELECT 1 FROM lists l WHERE l.id = $1 AND EXISTS (SELECT 1 FROM list_members m WHERE m.list_id = l.id AND m.user_id = $2)
        FOR UPDATE OF l`,
    [listId, userId],
    "sharing_lock_list",
  );
}

export interface NewInvitation {
  id: string;
  listId: string;
  ownerId: string;
  email: string;
  role: string;
  now: string;
  expiresAt: string;
}

/**
 * Invites `email` to a list the caller owns that is not their Inbox, or renews
 * the pending invitation of that address (its role, its expiry, who invited).
 * The address is only stored: nothing looks up whether it has an account. At
 * most `maxPending` unexpired pending invitations per list (a renewal always
 * passes). Nothing returned: a refusal (see `standing`).
 */
export async function upsertInvitation(
  q: Queryable,
  inv: NewInvitation,
  maxPending: number,
): Promise<{ json: string; id: string } | undefined> {
  const rows = await q.query<{ j: string; id: string }>(
    `WITH l AS (SELECT l.id FROM lists l JOIN list_members m ON m.list_id = l.id AND m.user_id = $3 AND m.role = 'owner'
                 WHERE l.id = $2 AND NOT l.is_inbox),
     pending AS (SELECT count(*) AS n FROM invitations
                  WHERE list_id = $2 AND status = 'pending' AND expires_at > $6::timestamptz AND email <> $4)
     INSERT INTO invitations AS i (id, list_id, email, role, invited_by, created_at, expires_at)
     SELECT $1, l.id, $4, $5, $3, $6::timestamptz, $7::timestamptz FROM l, pending WHERE pending.n < $8
     ON CONFLICT (list_id, email) WHERE status = 'pending'
       DO UPDATE SET role = excluded.role, invited_by = excluded.invited_by, expires_at = excluded.expires_at
     RETURNING ${INVITATION_JSON} AS j, i.id`,
    [inv.id, inv.listId, inv.ownerId, inv.email, inv.role, inv.now, inv.expiresAt, maxPending],
    "invitation_upsert",
  );
  const r = rows[0];
  return r && { json: r.j, id: r.id };
}

/** Whether the list's pending invitations are at the limit (after an insert matched nothing for an owner). */
export async function pendingCount(q: Queryable, listId: string, now: string): Promise<number> {
  const rows = await q.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM invitations WHERE list_id = $1 AND status = 'pending' AND expires_at > $2::timestamptz",
    [listId, now],
    "invitation_pending_count",
  );
  return rows[0]?.n ?? 0;
}

/** The pending, unexpired invitations of a list the caller owns, newest first; undefined: not the owner. */
export async function selectListInvitations(q: Queryable, ownerId: string, listId: string, now: string): Promise<string | undefined> {
  const rows = await q.query<{ j: string }>(
    `SELECT (SELECT '[' || coalesce(string_agg(${INVITATION_JSON}, ',' ORDER BY i.created_at DESC, i.id DESC), '') || ']'
               FROM invitations i WHERE i.list_id = m.list_id AND i.status = 'pending' AND i.expires_at > $3::timestamptz) AS j
       FROM list_members m WHERE m.list_id = $1 AND m.user_id = $2 AND m.role = 'owner'`,
    [listId, ownerId, now],
    "invitations_of_list",
  );
  return rows[0]?.j;
}

/** Revokes a pending invitation of a list the caller owns. */
export async function revokeInvitation(q: Queryable, ownerId: string, listId: string, id: string, now: string): Promise<boolean> {
  const rows = await q.query(
    `UPDATE invitations i SET status = 'revoked', responded_at = $4::timestamptz
       FROM list_members m
      WHERE i.id = $3 AND i.list_id = $1 AND i.status = 'pending'
        AND m.list_id = i.list_id AND m.user_id = $2 AND m.role = 'owner'
     RETURNING 1`,
    [listId, ownerId, id, now],
    "invitation_revoke",
  );
  return rows.length > 0;
}

/** The caller's pending, unexpired invitations (addressed to their account's email), newest first. */
export async function selectIncoming(q: Queryable, userId: string, now: string): Promise<string> {
  const rows = await q.query<{ j: string }>(
    `SELECT '[' || coalesce(string_agg(json_build_object(
        'id', i.id, 'list_id', i.list_id, 'list_name', l.name, 'role', i.role, 'invited_by', i.invited_by,
        'inviter_name', inv.name, 'created_at', ${isoUtc("i.created_at")}, 'expires_at', ${isoUtc("i.expires_at")})::text,
        ',' ORDER BY i.created_at DESC, i.id DESC), '') || ']' AS j
       FROM "user" u
       JOIN invitations i ON i.email = lower(trim(u.email)) AND i.status = 'pending' AND i.expires_at > $2::timestamptz
       JOIN lists l ON l.id = i.list_id
       LEFT JOIN "user" inv ON inv.id = i.invited_by
      WHERE u.id = $1`,
    [userId, now],
    "invitations_incoming",
  );
  return rows[0]?.j ?? "[]";
}

/**
 * Answers a pending, unexpired invitation addressed to the caller's account
 * email. Returns the list and role it was for; undefined: no such invitation
 * for this caller (the same 404 for every reason).
 */
export async function respondToInvitation(
  q: Queryable,
  userId: string,
  id: string,
  status: "accepted" | "declined",
  now: string,
): Promise<{ listId: string; role: string } | undefined> {
  const rows = await q.query<{ list_id: string; role: string }>(
    `UPDATE invitations i SET status = $3, responded_at = $4::timestamptz
       FROM "user" u
      WHERE i.id = $2 AND u.id = $1 AND i.email = lower(trim(u.email)) AND i.status = 'pending' AND i.expires_at > $4::timestamptz
     RETURNING i.list_id, i.role`,
    [userId, id, status, now],
    "invitation_respond",
  );
  const r = rows[0];
  return r && { listId: r.list_id, role: r.role };
}

/**
 * Makes the caller a member of a list, at the end of their own order; the list
 * becomes shared (for good) and its JSON (member_count) changes, so its
 * version rises; the joining is activity. False: already a member (nothing
 * changes). Two joins that computed the same key: 23505 on
 * list_members_user_position_idx (the caller retries the transaction).
 */
export async function joinList(q: Queryable, userId: string, listId: string, role: string): Promise<boolean> {
  const rows = await q.query(
    `WITH last AS (SELECT max(position) AS k FROM list_members WHERE user_id = $1),
     m AS (INSERT INTO list_members (list_id, user_id, role, position)
             SELECT $2, $1, $3, coalesce(fi_key_after((SELECT k FROM last)), 'a0')
             ON CONFLICT (list_id, user_id) DO NOTHING RETURNING *),
     l AS (UPDATE lists SET shared = true, version = version + 1 WHERE id = $2 AND EXISTS (SELECT 1 FROM m) RETURNING id),
     a AS (INSERT INTO activity (list_id, actor_id, action, subject_user_id, data)
             SELECT m.list_id, m.user_id, 'member.joined', m.user_id, jsonb_build_object('role', m.role) FROM m)
     SELECT 1 FROM m`,
    [userId, listId, role],
    "list_join",
  );
  return rows.length > 0;
}

/** The members of a list the caller is a member of: the owner first, then by joining; undefined: not a member. */
export async function selectMembers(q: Queryable, userId: string, listId: string): Promise<string | undefined> {
  const rows = await q.query<{ j: string }>(
    `SELECT (SELECT '[' || string_agg(${MEMBER_JSON}, ',' ORDER BY t.role = 'owner' DESC, t.created_at, t.user_id) || ']'
               FROM list_members t JOIN "user" u ON u.id = t.user_id WHERE t.list_id = c.list_id) AS j
       FROM list_members c WHERE c.list_id = $1 AND c.user_id = $2`,
    [listId, userId],
    "members_select",
  );
  return rows[0]?.j;
}

/**
 * Gives a member who is not the owner another role, on a list the caller
 * owns; the member's view of the list (its `role`) changes, so the list's
 * version rises, and a real change is activity.
 */
export async function setMemberRole(
  q: Queryable,
  ownerId: string,
  listId: string,
  memberId: string,
  role: string,
): Promise<string | undefined> {
  const rows = await q.query<{ j: string }>(
    `WITH prev AS (SELECT t.user_id, t.role FROM list_members t
                     JOIN list_members o ON o.list_id = t.list_id AND o.user_id = $2 AND o.role = 'owner'
                    WHERE t.list_id = $1 AND t.user_id = $3 AND t.role <> 'owner'),
     t AS (UPDATE list_members t SET role = $4 FROM prev WHERE t.list_id = $1 AND t.user_id = prev.user_id
           RETURNING t.*, prev.role AS previous),
     l AS (UPDATE lists SET version = version + 1 WHERE id = $1 AND EXISTS (SELECT 1 FROM t WHERE t.previous <> t.role) RETURNING id),
     a AS (INSERT INTO activity (list_id, actor_id, action, subject_user_id, data)
             SELECT $1, $2, 'member.role_changed', t.user_id, jsonb_build_object('role', t.role, 'previous', t.previous)
               FROM t WHERE t.previous <> t.role)
     SELECT ${MEMBER_JSON} AS j FROM t JOIN "user" u ON u.id = t.user_id`,
    [listId, ownerId, memberId, role],
    "member_set_role",
  );
  return rows[0]?.j;
}

/**
 * Ends a membership that is not the owner's: the owner removes anyone, a
 * member removes themself (leaves). The list's version rises (member_count)
 * and the ending is activity. The removed member's assignments in the list
 * are undone by the caller (`unassign`) in the same transaction.
 */
export async function removeMember(q: Queryable, callerId: string, listId: string, memberId: string): Promise<boolean> {
  const rows = await q.query(
    `WITH t AS (DELETE FROM list_members t USING list_members c
                 WHERE t.list_id = $1 AND t.user_id = $3 AND t.role <> 'owner'
                   AND c.list_id = t.list_id AND c.user_id = $2 AND (c.role = 'owner' OR c.user_id = t.user_id)
                RETURNING t.user_id),
     l AS (UPDATE lists SET version = version + 1 WHERE id = $1 AND EXISTS (SELECT 1 FROM t) RETURNING id),
     a AS (INSERT INTO activity (list_id, actor_id, action, subject_user_id)
             SELECT $1, $2, CASE WHEN t.user_id = $2 THEN 'member.left' ELSE 'member.removed' END, t.user_id FROM t)
     SELECT 1 FROM t`,
    [listId, callerId, memberId],
    "member_remove",
  );
  return rows.length > 0;
}

/** Clears a former member's assignments in a list (the statement names its actor for the tasks' activity). */
export async function unassign(q: Queryable, actorId: string, listId: string, memberId: string): Promise<void> {
  await q.query(
    `UPDATE tasks SET assignee_id = NULL, version = version + 1, updated_at = now()
      WHERE list_id = $1 AND assignee_id = $2 AND set_config('doable.actor', $3, true) IS NOT NULL`,
    [listId, memberId, actorId],
    "member_unassign",
  );
}

/**
 * Hands a list the caller owns (not their Inbox) to another of its members:
 * their roles swap (the old owner becomes an editor), owner_id changes and the
 * list's version rises; the hand-over is activity. False: a refusal.
 */
export async function transferList(q: Queryable, ownerId: string, listId: string, newOwnerId: string): Promise<boolean> {
  const rows = await q.query(
    `WITH o AS (SELECT 1 FROM list_members c JOIN lists l ON l.id = c.list_id
                 WHERE c.list_id = $1 AND c.user_id = $2 AND c.role = 'owner' AND NOT l.is_inbox),
     n AS (UPDATE list_members t SET role = 'owner'
            WHERE t.list_id = $1 AND t.user_id = $3 AND t.user_id <> $2 AND EXISTS (SELECT 1 FROM o) RETURNING t.user_id),
     c AS (UPDATE list_members t SET role = 'editor' WHERE t.list_id = $1 AND t.user_id = $2 AND EXISTS (SELECT 1 FROM n) RETURNING 1),
     l AS (UPDATE lists SET owner_id = $3, version = version + 1, updated_at = now()
            WHERE id = $1 AND EXISTS (SELECT 1 FROM n) RETURNING id),
     a AS (INSERT INTO activity (list_id, actor_id, action, subject_user_id) SELECT $1, $2, 'list.transferred', n.user_id FROM n)
     SELECT 1 FROM n`,
    [listId, ownerId, newOwnerId],
    "list_transfer",
  );
  return rows.length > 0;
}

/** An activity entry of a list that no task statement writes (those come from the trigger on tasks). */
export async function insertActivity(
  q: Queryable,
  a: { listId: string; actorId: string; action: string; subjectUserId?: string; data?: Record<string, unknown> },
): Promise<void> {
  await q.query(
    "INSERT INTO activity (list_id, actor_id, action, subject_user_id, data) VALUES ($1, $2, $3, $4, $5::jsonb)",
    [a.listId, a.actorId, a.action, a.subjectUserId ?? null, JSON.stringify(a.data ?? {})],
    "activity_insert",
  );
}
