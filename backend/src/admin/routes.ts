import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { actorOf } from "../auth/bearer-gate.ts";
import { forbidden, unauthorized } from "../domain/errors.ts";
import { jsonContent as json, linkHeader, sendJsonText, sendPage } from "../http/reply.ts";
import { apiErrors, problemResponses } from "../http/schemas.ts";
import { List } from "../lists/schemas.ts";
import * as lists from "../lists/service.ts";
import { TaskListQuery, taskListResponse } from "../tasks/schemas.ts";
import * as tasks from "../tasks/service.ts";
import * as queries from "./queries.ts";
import { AdminUser, AdminUserDetail, AdminUserListQuery, AdminUserUpdate, AuditEntry, AuditQuery, Stats, UserIdParams } from "./schemas.ts";
import * as admin from "./service.ts";

declare module "fastify" {
  interface FastifyRequest {
    adminEmail?: string;
  }
}

const adminErrors = [...apiErrors, 403] as const;

// Admin responses hold other people's data: never stored, not even by the admin's browser.
const noStore = "no-store";
const asPage = (page: admin.Page) => ({ body: page.json, nextCursor: page.nextCursor });
const sendJson = (reply: FastifyReply, text: string): FastifyReply => sendJsonText(reply, text, 200, noStore);

/**
 * /api/admin/*. The admin gate re-reads the caller's role and ban state from
 * the database on every call, so a demotion or ban applies to the very next
 * request whatever the JWT still claims.
 */
export async function adminRoutes(scope: FastifyInstance): Promise<void> {
  const api = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { db, revocations, config, listCache } = api.ctx;
  for (const schema of [AdminUser, AdminUserDetail, AdminUserUpdate, Stats, AuditEntry]) api.addSchema(schema);
  const pageOptions = { publicUrl: config.publicUrl, cacheControl: noStore };
  api.decorateRequest("adminEmail", undefined);
  api.addHook("onRequest", async (req) => {
    const caller = await queries.callerStanding(db, actorOf(req).id);
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

  api.get(
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
    async (req, reply) => sendPage(req, reply, asPage(await admin.listUsers(ctxOf(req), req.query)), pageOptions),
  );

  api.get(
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
    async (req, reply) => sendJson(reply, await admin.getUser(ctxOf(req), req.params.id)),
  );

  api.get(
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
      const id = req.params.id;
      await admin.assertUserExists(ctx, id);
      // The target user's tasks, seen as they see them (views in their time zone).
      const page = await tasks.listTasks({ db, ownerId: id, listCache, limits: api.ctx.limits, clock: api.ctx.clock }, req.query);
      await admin.audit(db, ctx, "user.tasks.list", { userId: id }, { query: req.query, returned: page.count });
      return sendPage(req, reply, page, pageOptions);
    },
  );

  api.get(
    "/api/admin/users/:id/lists",
    {
      schema: {
        operationId: "adminListUserLists",
        summary:
          "A user's lists and memberships: those they own and those shared with them, each with their role, owner and counts, archived ones included, in the user's order (read-only, audited)",
        tags,
        params: UserIdParams,
        response: {
          200: json("The user's lists, as they see them (role: theirs)", Type.Array(Type.Ref(List))),
          ...problemResponses(...adminErrors, 404),
        },
      },
    },
    async (req, reply) => {
      const ctx = ctxOf(req);
      const id = req.params.id;
      await admin.assertUserExists(ctx, id);
      const body = await lists.listLists({ db, userId: id, limits: api.ctx.limits }, { archived: "all" });
      await admin.audit(db, ctx, "user.lists.read", { userId: id }, {});
      return sendJson(reply, body);
    },
  );

  api.patch(
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
    async (req, reply) => sendJson(reply, await admin.updateUser(ctxOf(req), req.params.id, req.body)),
  );

  api.delete(
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
      await admin.deleteUser(ctxOf(req), req.params.id);
      return reply.code(204).send();
    },
  );

  api.get(
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

  api.get(
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
    async (req, reply) => sendPage(req, reply, asPage(await admin.listAudit(ctxOf(req), req.query)), pageOptions),
  );
}
