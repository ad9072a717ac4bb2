import { uuidv7 } from "uuidv7";
import type { Queryable } from "../db/client.ts";
import { isoUtc, likePattern } from "../db/sql.ts";

/** The admin extension's SQL. Better Auth's tables keep Better Auth's camelCase columns. */

export interface CallerStanding {
  role: string;
  banned: boolean;
  email: string;
}

/** The caller's role and ban as the database has them now (the admin gate reads them on every call). */
export async function callerStanding(q: Queryable, userId: string): Promise<CallerStanding | undefined> {
  const rows = await q.query<CallerStanding>('SELECT role, banned, email FROM "user" WHERE id = $1', [userId], "admin_gate");
  return rows[0];
}

export interface AuditRecord {
  actorId: string;
  actorEmail: string | null;
  action: string;
  targetUserId: string | null;
  targetTaskId: string | null;
  requestId: string;
  details: Record<string, unknown>;
}

export async function insertAudit(q: Queryable, r: AuditRecord): Promise<void> {
  await q.query(
    `INSERT INTO audit_log (id, actor_id, actor_email, action, target_user_id, target_task_id, request_id, details)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)`,
    [uuidv7(), r.actorId, r.actorEmail, r.action, r.targetUserId, r.targetTaskId, r.requestId, JSON.stringify(r.details)],
    "audit_insert",
  );
}

/** A row of a keyset page: its JSON, its sort key and its id. */
export interface PageRow {
  j: string;
  k: string;
  id: string;
}

const USER_JSON = `json_build_object(
  'id', u.id, 'email', u.email, 'name', u.name, 'role', u.role, 'banned', u.banned,
  'created_at', ${isoUtc('u."createdAt"')},
  'task_count', (SELECT count(*)::int FROM tasks t WHERE t.user_id = u.id))`;

const USER_DETAIL_JSON = `(SELECT json_build_object(
  'id', u.id, 'email', u.email, 'name', u.name, 'role', u.role, 'banned', u.banned,
  'created_at', ${isoUtc('u."createdAt"')},
  'task_count', c.total,
  'ban_reason', u."banReason", 'ban_expires_at', ${isoUtc('u."banExpires"')},
  'task_counts', json_build_object('total', c.total, 'completed', c.completed, 'overdue', c.overdue))
  FROM (SELECT count(*)::int AS total,
               count(*) FILTER (WHERE completed)::int AS completed,
               -- Overdue as the user sees it: a floating day passes at midnight in their time zone.
               count(*) FILTER (WHERE NOT completed AND (due_at < now() OR due_date < (now() AT TIME ZONE
                 coalesce((SELECT timezone FROM user_preferences p WHERE p.user_id = u.id), 'UTC'))::date))::int AS overdue
          FROM tasks t WHERE t.user_id = u.id) c)::text`;

export interface UserFilter {
  q?: string;
  role?: string;
  banned?: boolean;
}

export async function listUsers(
  q: Queryable,
  f: UserFilter,
  after: { key: string | number; id: string } | null,
  limit: number,
): Promise<PageRow[]> {
  return q.query<PageRow>(
    `SELECT ${USER_JSON}::text AS j, ${isoUtc('u."createdAt"')} AS k, u.id FROM "user" u
      WHERE ($1::text IS NULL OR ((u.email || E'\\n' || u.name) ILIKE $1 AND (u.email ILIKE $1 OR u.name ILIKE $1)))
        AND ($2::text IS NULL OR u.role = $2)
        AND ($3::boolean IS NULL OR u.banned = $3)
        AND ($4::timestamptz IS NULL OR (u."createdAt", u.id) < ($4::timestamptz, $5::text))
      ORDER BY u."createdAt" DESC, u.id DESC
      LIMIT $6`,
    [f.q ? likePattern(f.q) : null, f.role ?? null, f.banned ?? null, after?.key ?? null, after?.id ?? null, limit + 1],
    "admin_users_list",
  );
}

export async function userDetail(q: Queryable, id: string): Promise<string | undefined> {
  const rows = await q.query<{ j: string }>(`SELECT ${USER_DETAIL_JSON} AS j FROM "user" u WHERE u.id = $1`, [id], "admin_user_detail");
  return rows[0]?.j;
}

export async function userExists(q: Queryable, id: string): Promise<boolean> {
  return (await q.query('SELECT 1 FROM "user" WHERE id = $1', [id], "admin_user_exists")).length > 0;
}

export async function userIdByEmail(q: Queryable, email: string): Promise<string | undefined> {
  const rows = await q.query<{ id: string }>('SELECT id FROM "user" WHERE lower(email) = lower($1)', [email]);
  return rows[0]?.id;
}

export interface AdminRow {
  id: string;
  role: "user" | "admin";
  banned: boolean;
}

/**
 * Locks every admin's row and the target's, in id order (so that two such
 * transactions cannot deadlock), and returns them.
 */
export async function lockAdminsAnd(tx: Queryable, id: string): Promise<AdminRow[]> {
  return tx.query<AdminRow>(`SELECT id, role, banned FROM "user" WHERE role = 'admin' OR id = $1 ORDER BY id FOR UPDATE`, [id]);
}

export interface UserChanges {
  role: "user" | "admin" | null;
  banned: boolean | null;
  /** undefined: keep; null: clear. */
  banReason?: string | null;
  banExpires?: string | null;
  clearBan: boolean;
}

export async function updateUser(tx: Queryable, id: string, c: UserChanges): Promise<void> {
  await tx.query(
    `UPDATE "user" SET
         role = coalesce($2, role),
         banned = coalesce($3, banned),
         "banReason" = CASE WHEN $6 THEN NULL WHEN $4 THEN $5 ELSE "banReason" END,
         "banExpires" = CASE WHEN $6 THEN NULL WHEN $7 THEN $8::timestamptz ELSE "banExpires" END,
         "updatedAt" = now()
       WHERE id = $1`,
    [id, c.role, c.banned, c.banReason !== undefined, c.banReason ?? null, c.clearBan, c.banExpires !== undefined, c.banExpires ?? null],
  );
}

export async function deleteSessions(tx: Queryable, userId: string): Promise<void> {
  await tx.query('DELETE FROM session WHERE "userId" = $1', [userId]);
}

export async function taskCount(q: Queryable, userId: string): Promise<number> {
  const rows = await q.query<{ n: number }>("SELECT count(*)::int AS n FROM tasks WHERE user_id = $1", [userId]);
  return rows[0]?.n ?? 0;
}

/** Deletes the user; their tasks, sessions, accounts and idempotency keys go with them (ON DELETE CASCADE). */
export async function deleteUser(tx: Queryable, id: string): Promise<void> {
  await tx.query('DELETE FROM "user" WHERE id = $1', [id]);
}

export async function statsJson(q: Queryable): Promise<string> {
  const rows = await q.query<{ j: string }>(
    `SELECT json_build_object(
       'users', (SELECT json_build_object(
                   'total', count(*)::int,
                   'admins', count(*) FILTER (WHERE role = 'admin')::int,
                   'banned', count(*) FILTER (WHERE banned)::int,
                   'new_last_7_days', count(*) FILTER (WHERE "createdAt" > now() - interval '7 days')::int) FROM "user"),
       'tasks', (SELECT json_build_object(
                   'total', count(*)::int,
                   'completed', count(*) FILTER (WHERE completed)::int,
                   'overdue', count(*) FILTER (WHERE NOT completed AND (due_at < now()
                     OR due_date < (now() AT TIME ZONE coalesce(p.timezone, 'UTC'))::date))::int)
                   FROM tasks t LEFT JOIN user_preferences p ON p.user_id = t.user_id),
       'lists', (SELECT json_build_object('total', count(*)::int) FROM lists))::text AS j`,
    [],
    "admin_stats",
  );
  return (rows[0] as { j: string }).j;
}

export interface AuditFilter {
  actorId?: string;
  targetUserId?: string;
  action?: string;
}

export async function listAudit(
  q: Queryable,
  f: AuditFilter,
  after: { key: string | number; id: string } | null,
  limit: number,
): Promise<PageRow[]> {
  return q.query<PageRow>(
    `SELECT json_build_object('id', id, 'actor_id', actor_id, 'actor_email', actor_email, 'action', action,
              'target_user_id', target_user_id, 'target_task_id', target_task_id, 'request_id', request_id,
              'details', details, 'created_at', ${isoUtc("created_at")})::text AS j,
            ${isoUtc("created_at")} AS k, id::text AS id
       FROM audit_log
      WHERE ($1::text IS NULL OR actor_id = $1)
        AND ($2::text IS NULL OR target_user_id = $2)
        AND ($3::text IS NULL OR action = $3)
        AND ($4::timestamptz IS NULL OR (created_at, id) < ($4::timestamptz, $5::uuid))
      ORDER BY created_at DESC, id DESC
      LIMIT $6`,
    [f.actorId ?? null, f.targetUserId ?? null, f.action ?? null, after?.key ?? null, after?.id ?? null, limit + 1],
    "admin_audit_list",
  );
}

export async function listAdmins(q: Queryable): Promise<{ email: string; name: string }[]> {
  return q.query<{ email: string; name: string }>(`SELECT email, name FROM "user" WHERE role = 'admin' ORDER BY "createdAt"`);
}
