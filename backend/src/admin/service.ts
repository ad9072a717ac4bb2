import { uuidv7 } from "uuidv7";
import type { RevocationList } from "../auth/revocation.ts";
import type { Database, Queryable } from "../db/client.ts";
import { isoUtc, likePattern } from "../db/sql.ts";
import { decodeCursor, encodeCursor } from "../domain/cursor.ts";
import { conflict, notFound, validationFailed } from "../domain/errors.ts";
import type { AdminUserListQuery, AdminUserUpdate, AuditQuery } from "./schemas.ts";

/** Who is acting, and the request to record in the audit log. */
export interface AdminContext {
  db: Database;
  revocations: RevocationList;
  actor: { id: string; email: string };
  requestId: string;
}

const userIdPattern = /^[A-Za-z0-9_-]{1,255}$/;
const latestDate = Date.parse("9999-12-31T23:59:59.999Z");

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
               count(*) FILTER (WHERE NOT completed AND due_at < now())::int AS overdue
          FROM tasks t WHERE t.user_id = u.id) c)::text`;

export interface Page {
  json: string;
  nextCursor: string | null;
}

export async function audit(
  q: Queryable,
  ctx: AdminContext,
  action: string,
  target: { userId?: string | null; taskId?: string | null },
  details: Record<string, unknown> = {},
): Promise<void> {
  await q.query(
    `INSERT INTO audit_log (id, actor_id, actor_email, action, target_user_id, target_task_id, request_id, details)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)`,
    [uuidv7(), ctx.actor.id, ctx.actor.email, action, target.userId ?? null, target.taskId ?? null, ctx.requestId, JSON.stringify(details)],
    "audit_insert",
  );
}

function pageOf(rows: { j: string; k: string; id: string }[], limit: number, sort: string): Page {
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  const last = page[page.length - 1];
  return {
    json: `[${page.map((r) => r.j).join(",")}]`,
    nextCursor: more && last ? encodeCursor({ sort, key: last.k, id: last.id }) : null,
  };
}

export async function listUsers(ctx: AdminContext, query: AdminUserListQuery): Promise<Page> {
  const limit = query.limit ?? 50;
  const after = query.cursor ? decodeCursor(query.cursor, "users", "timestamp", userIdPattern) : null;
  const rows = await ctx.db.query<{ j: string; k: string; id: string }>(
    `SELECT ${USER_JSON}::text AS j, ${isoUtc('u."createdAt"')} AS k, u.id FROM "user" u
      WHERE ($1::text IS NULL OR ((u.email || E'\\n' || u.name) ILIKE $1 AND (u.email ILIKE $1 OR u.name ILIKE $1)))
        AND ($2::text IS NULL OR u.role = $2)
        AND ($3::boolean IS NULL OR u.banned = $3)
        AND ($4::timestamptz IS NULL OR (u."createdAt", u.id) < ($4::timestamptz, $5::text))
      ORDER BY u."createdAt" DESC, u.id DESC
      LIMIT $6`,
    [query.q ? likePattern(query.q) : null, query.role ?? null, query.banned ?? null, after?.key ?? null, after?.id ?? null, limit + 1],
    "admin_users_list",
  );
  await audit(ctx.db, ctx, "users.list", {}, { q: query.q ?? null, role: query.role ?? null, banned: query.banned ?? null });
  return pageOf(rows, limit, "users");
}

async function userDetail(q: Queryable, id: string): Promise<string | undefined> {
  const rows = await q.query<{ j: string }>(`SELECT ${USER_DETAIL_JSON} AS j FROM "user" u WHERE u.id = $1`, [id], "admin_user_detail");
  return rows[0]?.j;
}

export async function getUser(ctx: AdminContext, id: string): Promise<string> {
  const json = userIdPattern.test(id) ? await userDetail(ctx.db, id) : undefined;
  if (!json) throw notFound("No such user.");
  await audit(ctx.db, ctx, "user.view", { userId: id });
  return json;
}

/** 404 unless the user exists; used before showing someone's tasks. */
export async function assertUserExists(ctx: AdminContext, id: string): Promise<void> {
  const rows = userIdPattern.test(id) ? await ctx.db.query('SELECT 1 FROM "user" WHERE id = $1', [id], "admin_user_exists") : [];
  if (rows.length === 0) throw notFound("No such user.");
}

interface LockedTarget {
  id: string;
  role: "user" | "admin";
  banned: boolean;
  otherActiveAdmins: number;
}

/**
 * Locks the admins' rows (and the target's) so that two admins demoting or
 * banning each other at once cannot both succeed and leave nobody in charge.
 */
async function lockTarget(tx: Queryable, id: string): Promise<LockedTarget> {
  const rows = await tx.query<{ id: string; role: "user" | "admin"; banned: boolean }>(
    `SELECT id, role, banned FROM "user" WHERE role = 'admin' OR id = $1 ORDER BY id FOR UPDATE`,
    [id],
  );
  const target = rows.find((r) => r.id === id);
  if (!target) throw notFound("No such user.");
  const otherActiveAdmins = rows.filter((r) => r.id !== id && r.role === "admin" && !r.banned).length;
  return { ...target, otherActiveAdmins };
}

export async function updateUser(ctx: AdminContext, id: string, input: AdminUserUpdate): Promise<string> {
  if (!userIdPattern.test(id)) throw notFound("No such user.");
  const self = id === ctx.actor.id;
  if (self && input.banned === true) throw conflict("You cannot ban yourself.");
  if (input.ban_expires_at && Date.parse(input.ban_expires_at) <= Date.now()) {
    throw validationFailed([{ field: "ban_expires_at", message: "must be in the future" }]);
  }
  // Timestamps go back out as RFC 3339, whose years have four digits.
  if (input.ban_expires_at && Date.parse(input.ban_expires_at) > latestDate) {
    throw validationFailed([{ field: "ban_expires_at", message: "must be before the year 10000 (UTC)" }]);
  }
  return ctx.db.transaction(async (tx) => {
    const target = await lockTarget(tx, id);
    const demoting = target.role === "admin" && input.role === "user";
    const banningAdmin = target.role === "admin" && input.banned === true && !target.banned;
    if ((demoting || banningAdmin) && target.otherActiveAdmins === 0) {
      throw conflict("This is the last active admin; promote someone else first.");
    }
    const willBeBanned = input.banned ?? target.banned;
    if (!willBeBanned && (input.ban_reason != null || input.ban_expires_at != null)) {
      throw validationFailed([
        { field: input.ban_reason != null ? "ban_reason" : "ban_expires_at", message: "only applies to a banned user" },
      ]);
    }
    const clearBan = input.banned === false;
    await tx.query(
      `UPDATE "user" SET
         role = coalesce($2, role),
         banned = coalesce($3, banned),
         "banReason" = CASE WHEN $6 THEN NULL WHEN $4 THEN $5 ELSE "banReason" END,
         "banExpires" = CASE WHEN $6 THEN NULL WHEN $7 THEN $8::timestamptz ELSE "banExpires" END,
         "updatedAt" = now()
       WHERE id = $1`,
      [
        id,
        input.role ?? null,
        input.banned ?? null,
        "ban_reason" in input,
        input.ban_reason ?? null,
        clearBan,
        "ban_expires_at" in input,
        input.ban_expires_at ?? null,
      ],
    );
    if (input.banned === true && !target.banned) {
      // Sign-in is refused by Better Auth (banned flag); sessions end now; JWTs fail within seconds everywhere.
      await tx.query('DELETE FROM session WHERE "userId" = $1', [id]);
      await ctx.revocations.revoke(tx, id, "banned");
    }
    await audit(tx, ctx, "user.update", { userId: id }, { changes: input, before: { role: target.role, banned: target.banned } });
    return (await userDetail(tx, id)) as string;
  });
}

export async function deleteUser(ctx: AdminContext, id: string): Promise<void> {
  if (!userIdPattern.test(id)) throw notFound("No such user.");
  if (id === ctx.actor.id) throw conflict("You cannot delete your own account here.");
  await ctx.db.transaction(async (tx) => {
    const target = await lockTarget(tx, id);
    if (target.role === "admin" && !target.banned && target.otherActiveAdmins === 0) {
      throw conflict("This is the last active admin; promote someone else first.");
    }
    const counts = await tx.query<{ n: number }>("SELECT count(*)::int AS n FROM tasks WHERE user_id = $1", [id]);
    // Tasks, sessions, accounts and idempotency keys go with the user (ON DELETE CASCADE).
    await tx.query('DELETE FROM "user" WHERE id = $1', [id]);
    await ctx.revocations.revoke(tx, id, "deleted");
    await audit(tx, ctx, "user.delete", { userId: id }, { role: target.role, tasks_deleted: counts[0]?.n ?? 0 });
  });
}

export async function stats(ctx: AdminContext): Promise<string> {
  const rows = await ctx.db.query<{ j: string }>(
    `SELECT json_build_object(
       'users', (SELECT json_build_object(
                   'total', count(*)::int,
                   'admins', count(*) FILTER (WHERE role = 'admin')::int,
                   'banned', count(*) FILTER (WHERE banned)::int,
                   'new_last_7_days', count(*) FILTER (WHERE "createdAt" > now() - interval '7 days')::int) FROM "user"),
       'tasks', (SELECT json_build_object(
                   'total', count(*)::int,
                   'completed', count(*) FILTER (WHERE completed)::int,
                   'overdue', count(*) FILTER (WHERE NOT completed AND due_at < now())::int) FROM tasks))::text AS j`,
    [],
    "admin_stats",
  );
  return (rows[0] as { j: string }).j;
}

export async function listAudit(ctx: AdminContext, query: AuditQuery): Promise<Page> {
  const limit = query.limit ?? 50;
  const after = query.cursor ? decodeCursor(query.cursor, "audit", "timestamp") : null;
  const rows = await ctx.db.query<{ j: string; k: string; id: string }>(
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
    [query.actor_id ?? null, query.target_user_id ?? null, query.action ?? null, after?.key ?? null, after?.id ?? null, limit + 1],
    "admin_audit_list",
  );
  return pageOf(rows, limit, "audit");
}
