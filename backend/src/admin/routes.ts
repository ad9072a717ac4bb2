import { type TSchema, Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { actorOf } from "../auth/bearer-gate.ts";
import { forbidden, unauthorized } from "../http/errors.ts";
import { apiErrors, problemResponses } from "../http/schemas.ts";
import { sendTaskPage, taskListResponse } from "../tasks/routes.ts";
import type { TaskListQuery as TaskListQueryInput } from "../tasks/schemas.ts";
import { TaskListQuery } from "../tasks/schemas.ts";
import * as tasks from "../tasks/service.ts";
import type {
  AdminUserListQuery as AdminUserListQueryInput,
  AdminUserUpdate as AdminUserUpdateInput,
  AuditQuery as AuditQueryInput,
} from "./schemas.ts";
import { AdminUser, AdminUserDetail, AdminUserListQuery, AdminUserUpdate, AuditEntry, AuditQuery, Stats, UserIdParams } from "./schemas.ts";
import * as admin from "./service.ts";

declare module "fastify" {
  interface FastifyRequest {
    adminEmail?: string;
  }
}

const json = (description: string, schema: TSchema, headers: Record<string, unknown> = {}) =>
  ({ description, headers, content: { "application/json": { schema } } }) as unknown as TSchema;
const linkHeader = { link: { type: "string", description: 'Present when more results exist: `<url>; rel="next"`' } };
const adminErrors = [...apiErrors, 403] as const;

function sendJson(reply: FastifyReply, text: string, status = 200): FastifyReply {
  return reply.code(status).type("application/json; charset=utf-8").header("cache-control", "no-store").send(text);
}

function sendPage(req: FastifyRequest, reply: FastifyReply, page: admin.Page): FastifyReply {
  return sendTaskPage(req, reply.header("cache-control", "no-store"), { body: page.json, count: 0, nextCursor: page.nextCursor });
}

/**
 * /api/admin/*. The admin gate re-reads the caller's role and ban state from
 * the database on every call, so a demotion or ban applies to the very next
 * request whatever the JWT still claims.
 */
export async function registerAdminRoutes(scope: FastifyInstance): Promise<void> {
  const { db, revocations } = scope.ctx;
  scope.decorateRequest("adminEmail", undefined);
  scope.addHook("onRequest", async (req) => {
    const rows = await db.query<{ role: string; banned: boolean; email: string }>(
      'SELECT role, banned, email FROM "user" WHERE id = $1',
      [actorOf(req).id],
      "admin_gate",
    );
    const caller = rows[0];
    if (!caller) throw unauthorized("Your account no longer exists.");
    if (caller.banned) throw unauthorized("Your account has been banned.");
    if (caller.role !== "admin") throw forbidden("This needs an administrator.");
    req.adminEmail = caller.email;
  });

  const ctxOf = (req: FastifyRequest): admin.AdminContext => ({
    db,
    revocations,
    actor: { id: actorOf(req).id, email: req.adminEmail ?? "" },
    requestId: String(req.id),
  });
  const tags = ["admin"];
  const idOf = (req: FastifyRequest) => (req.params as { id: string }).id;

  scope.get(
    "/api/admin/users",
    {
      schema: {
        operationId: "adminListUsers",
        summary: "Users, newest first (search, role and ban filters, keyset paging)",
        tags,
        querystring: AdminUserListQuery,
        response: { 200: json("Users", Type.Array(Type.Ref(AdminUser)), linkHeader), ...problemResponses(...adminErrors) },
      },
    },
    async (req, reply) => sendPage(req, reply, await admin.listUsers(ctxOf(req), req.query as AdminUserListQueryInput)),
  );

  scope.get(
    "/api/admin/users/:id",
    {
      schema: {
        operationId: "adminGetUser",
        summary: "One user with task counts",
        tags,
        params: UserIdParams,
        response: { 200: json("The user", Type.Ref(AdminUserDetail)), ...problemResponses(...adminErrors, 404) },
      },
    },
    async (req, reply) => sendJson(reply, await admin.getUser(ctxOf(req), idOf(req))),
  );

  scope.get(
    "/api/admin/users/:id/tasks",
    {
      schema: {
        operationId: "adminListUserTasks",
        summary: "A user's tasks, with every filter, sort and paging option of /api/tasks (audited)",
        tags,
        params: UserIdParams,
        querystring: TaskListQuery,
        response: { 200: taskListResponse, ...problemResponses(...adminErrors, 404) },
      },
    },
    async (req, reply) => {
      const ctx = ctxOf(req);
      const id = idOf(req);
      await admin.assertUserExists(ctx, id);
      const page = await tasks.listTasks({ db, ownerId: id, listCache: scope.ctx.listCache }, req.query as TaskListQueryInput);
      await admin.audit(db, ctx, "user.tasks.list", { userId: id }, { query: req.query, returned: page.count });
      return sendTaskPage(req, reply.header("cache-control", "no-store"), page);
    },
  );

  scope.patch(
    "/api/admin/users/:id",
    {
      schema: {
        operationId: "adminUpdateUser",
        summary: "Change a user's role, or ban (reason, optional expiry) / unban them",
        tags,
        params: UserIdParams,
        body: Type.Ref(AdminUserUpdate),
        response: { 200: json("The updated user", Type.Ref(AdminUserDetail)), ...problemResponses(...adminErrors, 404, 409) },
      },
    },
    async (req, reply) => sendJson(reply, await admin.updateUser(ctxOf(req), idOf(req), req.body as AdminUserUpdateInput)),
  );

  scope.delete(
    "/api/admin/users/:id",
    {
      schema: {
        operationId: "adminDeleteUser",
        summary: "Delete a user and all of their tasks",
        tags,
        params: UserIdParams,
        response: { 204: { description: "Deleted", type: "null" }, ...problemResponses(...adminErrors, 404, 409) },
      },
    },
    async (req, reply) => {
      await admin.deleteUser(ctxOf(req), idOf(req));
      return reply.code(204).send();
    },
  );

  scope.get(
    "/api/admin/stats",
    {
      schema: {
        operationId: "adminStats",
        summary: "Counts for a dashboard",
        tags,
        response: { 200: json("Counts", Type.Ref(Stats)), ...problemResponses(...adminErrors) },
      },
    },
    async (req, reply) => sendJson(reply, await admin.stats(ctxOf(req))),
  );

  scope.get(
    "/api/admin/audit",
    {
      schema: {
        operationId: "adminAuditLog",
        summary: "The admin audit log, newest first",
        tags,
        querystring: AuditQuery,
        response: { 200: json("Entries", Type.Array(Type.Ref(AuditEntry)), linkHeader), ...problemResponses(...adminErrors) },
      },
    },
    async (req, reply) => sendPage(req, reply, await admin.listAudit(ctxOf(req), req.query as AuditQueryInput)),
  );
}

export const adminSchemas = [AdminUser, AdminUserDetail, AdminUserUpdate, Stats, AuditEntry];
