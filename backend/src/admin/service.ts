import type { RevocationList } from "../auth/revocation.ts";
import type { Database, Queryable } from "../db/client.ts";
import { decodeCursor, encodeCursor } from "../domain/cursor.ts";
import { conflict, notFound, validationFailed } from "../domain/errors.ts";
import * as queries from "./queries.ts";
import type { AdminUserListQuery, AdminUserUpdate, AuditQuery } from "./schemas.ts";

/** Who is acting, and the request to record in the audit log. */
export interface AdminContext {
  db: Database;
  revocations: RevocationList;
  /** An administrator, or the operator's command line (`npm run admin`: id "cli", no email). */
  actor: { id: string; email: string | null };
  requestId: string;
}

const userIdPattern = /^[A-Za-z0-9_-]{1,255}$/;
const latestDate = Date.parse("9999-12-31T23:59:59.999Z");

export interface Page {
  json: string;
  nextCursor: string | null;
}

export async function audit(
  q: Queryable,
  ctx: Pick<AdminContext, "actor" | "requestId">,
  action: string,
  target: { userId?: string | null; taskId?: string | null },
  details: Record<string, unknown> = {},
): Promise<void> {
  await queries.insertAudit(q, {
    actorId: ctx.actor.id,
    actorEmail: ctx.actor.email,
    action,
    targetUserId: target.userId ?? null,
    targetTaskId: target.taskId ?? null,
    requestId: ctx.requestId,
    details,
  });
}

function pageOf(rows: queries.PageRow[], limit: number, sort: string): Page {
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
  const rows = await queries.listUsers(ctx.db, { q: query.q, role: query.role, banned: query.banned }, after, limit);
  await audit(ctx.db, ctx, "users.list", {}, { q: query.q ?? null, role: query.role ?? null, banned: query.banned ?? null });
  return pageOf(rows, limit, "users");
}

export async function getUser(ctx: AdminContext, id: string): Promise<string> {
  const json = userIdPattern.test(id) ? await queries.userDetail(ctx.db, id) : undefined;
  if (!json) throw notFound("No such user.");
  await audit(ctx.db, ctx, "user.view", { userId: id });
  return json;
}

/** 404 unless the user exists; used before showing someone's tasks. */
export async function assertUserExists(ctx: AdminContext, id: string): Promise<void> {
  if (!userIdPattern.test(id) || !(await queries.userExists(ctx.db, id))) throw notFound("No such user.");
}

interface LockedTarget extends queries.AdminRow {
  otherActiveAdmins: number;
}

/**
 * Locks the admins' rows (and the target's) so that two admins demoting or
 * banning each other at once — or an admin and the command line — cannot
 * both succeed and leave nobody in charge.
 */
async function lockTarget(tx: Queryable, id: string): Promise<LockedTarget> {
  const rows = await queries.lockAdminsAnd(tx, id);
  const target = rows.find((r) => r.id === id);
  if (!target) throw notFound("No such user.");
  const otherActiveAdmins = rows.filter((r) => r.id !== id && r.role === "admin" && !r.banned).length;
  return { ...target, otherActiveAdmins };
}

/**
 * The last-admin rule, for the API and `npm run admin` alike: a change that
 * would leave no active (unbanned) admin is refused. Call it on a target
 * locked by `lockTarget`.
 */
export function assertKeepsAnActiveAdmin(
  target: LockedTarget,
  change: { role?: "user" | "admin"; banned?: boolean; deleted?: boolean },
): void {
  const activeAdmin = target.role === "admin" && !target.banned;
  const stopsBeing = change.deleted === true || change.role === "user" || change.banned === true;
  if (activeAdmin && stopsBeing && target.otherActiveAdmins === 0) {
    throw conflict("This is the last active admin; promote someone else first.");
  }
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
    assertKeepsAnActiveAdmin(target, { role: input.role, banned: input.banned });
    const willBeBanned = input.banned ?? target.banned;
    if (!willBeBanned && (input.ban_reason != null || input.ban_expires_at != null)) {
      throw validationFailed([
        { field: input.ban_reason != null ? "ban_reason" : "ban_expires_at", message: "only applies to a banned user" },
      ]);
    }
    const clearBan = input.banned === false;
    await queries.updateUser(tx, id, {
      role: input.role ?? null,
      banned: input.banned ?? null,
      ...("ban_reason" in input ? { banReason: input.ban_reason ?? null } : {}),
      ...("ban_expires_at" in input ? { banExpires: input.ban_expires_at ?? null } : {}),
      clearBan,
    });
    if (input.banned === true && !target.banned) {
      // Sign-in is refused by Better Auth (banned flag); sessions end now; JWTs fail within seconds everywhere.
      await queries.deleteSessions(tx, id);
      await ctx.revocations.revoke(tx, id, "banned");
    }
    await audit(tx, ctx, "user.update", { userId: id }, { changes: input, before: { role: target.role, banned: target.banned } });
    return (await queries.userDetail(tx, id)) as string;
  });
}

export async function deleteUser(ctx: AdminContext, id: string): Promise<void> {
  if (!userIdPattern.test(id)) throw notFound("No such user.");
  if (id === ctx.actor.id) throw conflict("You cannot delete your own account here.");
  await ctx.db.transaction(async (tx) => {
    const target = await lockTarget(tx, id);
    assertKeepsAnActiveAdmin(target, { deleted: true });
    const tasksDeleted = await queries.taskCount(tx, id);
    await queries.deleteUser(tx, id);
    await ctx.revocations.revoke(tx, id, "deleted");
    await audit(tx, ctx, "user.delete", { userId: id }, { role: target.role, tasks_deleted: tasksDeleted });
  });
}

export async function stats(ctx: AdminContext): Promise<string> {
  return queries.statsJson(ctx.db);
}

export async function listAudit(ctx: AdminContext, query: AuditQuery): Promise<Page> {
  const limit = query.limit ?? 50;
  const after = query.cursor ? decodeCursor(query.cursor, "audit", "timestamp") : null;
  const rows = await queries.listAudit(
    ctx.db,
    { actorId: query.actor_id, targetUserId: query.target_user_id, action: query.action },
    after,
    limit,
  );
  return pageOf(rows, limit, "audit");
}

/**
 * `npm run admin -- promote|demote <email>`: the same lock, the same
 * last-admin rule and the same audit entry (`user.update`) as the API.
 */
export async function setRoleByEmail(
  ctx: Omit<AdminContext, "revocations">,
  email: string,
  role: "user" | "admin",
): Promise<"changed" | "unchanged"> {
  return ctx.db.transaction(async (tx) => {
    const id = await queries.userIdByEmail(tx, email);
    if (!id) throw notFound(`No account with email ${email}; sign up first.`);
    const target = await lockTarget(tx, id);
    if (target.role === role) return "unchanged";
    assertKeepsAnActiveAdmin(target, { role });
    await queries.updateUser(tx, id, { role, banned: null, clearBan: false });
    await audit(
      tx,
      ctx,
      "user.update",
      { userId: id },
      { changes: { role }, before: { role: target.role, banned: target.banned }, via: "cli" },
    );
    return "changed";
  });
}

export const listAdmins = (db: Database) => queries.listAdmins(db);
