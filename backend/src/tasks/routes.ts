import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { actorOf } from "../auth/bearer-gate.ts";
import { validationFailed } from "../domain/errors.ts";
import { etagOf, ifNoneMatchMatches, parseIfMatch } from "../http/conditional.ts";
import { etagHeader, jsonContent, sendJsonText, sendPage } from "../http/reply.ts";
import { apiErrors, problemResponses } from "../http/schemas.ts";
import { requestHash } from "./idempotency.ts";
import { moveTask } from "./move.ts";
import { CompletionBody, Task, TaskCreate, TaskIdParams, TaskListQuery, TaskMove, TaskUpdate, taskListResponse } from "./schemas.ts";
import * as tasks from "./service.ts";

/** Schemas other routes refer to by $id (the admin's view of a user's tasks among them). */
const sharedSchemas = [Task, TaskCreate, TaskUpdate, CompletionBody, TaskMove];

const ConditionalHeaders = Type.Object({
  "if-match": Type.Optional(Type.String({ description: "Only write if the task's ETag is one of these (else 412)" })),
});

function sendTask(reply: FastifyReply, task: tasks.TaskResult, status = 200): FastifyReply {
  return sendJsonText(reply.header("etag", etagOf(task.version)), task.json, status);
}

declare module "fastify" {
  interface FastifyRequest {
    /** The title and tags as received, before normalization (Idempotency-Key compares bodies as sent). */
    receivedTaskFields?: Record<string, unknown>;
  }
}

const idempotencyKey = /^[\x21-\x7e]{1,255}$/;

/**
 * Trims the title and trims + lower-cases tags before validation, so that the
 * length limits apply to what is stored ("1–255 characters after trimming"),
 * including tags that grow when lower-cased.
 */
async function normalizeTaskBody(req: FastifyRequest): Promise<void> {
  const body = req.body as Record<string, unknown> | null;
  if (!body || typeof body !== "object" || Array.isArray(body)) return;
  req.receivedTaskFields = { title: body.title, tags: body.tags };
  if (typeof body.title === "string") body.title = body.title.trim();
  if (Array.isArray(body.tags)) body.tags = body.tags.map((t) => (typeof t === "string" ? t.trim().toLowerCase() : t));
}

/**
 * /api/tasks. Not encapsulated (fastify-plugin), so that the task schemas it
 * adds are there for the routes of later features that return tasks.
 */
export const taskRoutes = fp(async (scope: FastifyInstance) => {
  for (const schema of sharedSchemas) scope.addSchema(schema);
  const api = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { db, listCache, config } = api.ctx;
  const { limits, clock } = api.ctx;
  const ctxOf = (req: FastifyRequest): tasks.TaskContext => ({ db, ownerId: actorOf(req).id, listCache, limits, clock });
  const tags = ["tasks"];

  api.get(
    "/api/tasks",
    {
      schema: {
        operationId: "listTasks",
        summary: "List the tasks of your lists and of lists shared with you (filter, search, sort, keyset paging)",
        tags,
        querystring: TaskListQuery,
        // 404: list_id or parent_id names a list or task the caller cannot see.
        response: { 200: taskListResponse, ...problemResponses(...apiErrors, 404) },
      },
    },
    async (req, reply) => sendPage(req, reply, await tasks.listTasks(ctxOf(req), req.query), { publicUrl: config.publicUrl }),
  );

  api.post(
    "/api/tasks",
    {
      preValidation: normalizeTaskBody,
      schema: {
        operationId: "createTask",
        summary: "Create a task (honours Idempotency-Key for 24 hours)",
        tags,
        headers: Type.Object({
          "idempotency-key": Type.Optional(
            Type.String({ description: "1–255 visible ASCII characters; a retry with the same key and body returns the original task" }),
          ),
        }),
        body: Type.Ref(TaskCreate),
        response: {
          201: jsonContent("Created (or, for a repeated Idempotency-Key, the original response)", Type.Ref(Task), {
            ...etagHeader,
            location: { type: "string", description: "URL of the new task" },
            "idempotent-replayed": { type: "string", description: "`true` when this is a stored response" },
          }),
          ...problemResponses(...apiErrors, 403, 409),
        },
      },
    },
    async (req, reply) => {
      const key = req.headers["idempotency-key"];
      if (key !== undefined && (typeof key !== "string" || !idempotencyKey.test(key))) {
        throw validationFailed([{ field: "Idempotency-Key", message: "must be 1–255 visible ASCII characters" }]);
      }
      const created = await tasks.createTask(
        ctxOf(req),
        req.body,
        // Hashed after validation (bounded depth), over the body as the client sent it.
        key === undefined ? undefined : { key, requestHash: requestHash({ ...req.body, ...req.receivedTaskFields }) },
      );
      reply.header("location", `/api/tasks/${created.id}`);
      if (created.replayed) reply.header("idempotent-replayed", "true");
      return sendTask(reply, created, 201);
    },
  );

  api.get(
    "/api/tasks/:id",
    {
      schema: {
        operationId: "getTask",
        summary: "A task of one of your lists (or of a list shared with you)",
        tags,
        params: TaskIdParams,
        headers: Type.Object({ "if-none-match": Type.Optional(Type.String({ description: "304 when the ETag still matches" })) }),
        response: {
          200: jsonContent("The task", Type.Ref(Task), etagHeader),
          304: { description: "Not modified", type: "null" },
          ...problemResponses(...apiErrors, 404),
        },
      },
    },
    async (req, reply) => {
      const task = await tasks.getTask(ctxOf(req), req.params.id);
      const etag = etagOf(task.version);
      if (ifNoneMatchMatches(req.headers["if-none-match"], etag)) return reply.code(304).header("etag", etag).send();
      return sendTask(reply, task);
    },
  );

  for (const method of ["PUT", "PATCH"] as const) {
    api.route({
      method,
      url: "/api/tasks/:id",
      preValidation: normalizeTaskBody,
      schema: {
        operationId: method === "PUT" ? "replaceTaskFields" : "updateTask",
        summary: "Change the given fields of a task (others are kept)",
        tags,
        params: TaskIdParams,
        headers: ConditionalHeaders,
        body: Type.Ref(TaskUpdate),
        response: {
          200: jsonContent("The updated task", Type.Ref(Task), etagHeader),
          ...problemResponses(...apiErrors, 403, 404, 412),
        },
      },
      handler: async (req, reply) => {
        const task = await tasks.updateTask(ctxOf(req), req.params.id, req.body, parseIfMatch(req.headers["if-match"]));
        return sendTask(reply, task);
      },
    });
  }

  api.delete(
    "/api/tasks/:id",
    {
      schema: {
        operationId: "deleteTask",
        summary: "Delete a task",
        tags,
        params: TaskIdParams,
        headers: ConditionalHeaders,
        response: { 204: { description: "Deleted", type: "null" }, ...problemResponses(...apiErrors, 403, 404, 412) },
      },
    },
    async (req, reply) => {
      await tasks.deleteTask(ctxOf(req), req.params.id, parseIfMatch(req.headers["if-match"]));
      return reply.code(204).send();
    },
  );

  api.patch(
    "/api/tasks/:id/complete",
    {
      schema: {
        operationId: "completeTask",
        summary: 'Toggle completion, or set it with {"completed": bool}',
        tags,
        params: TaskIdParams,
        headers: ConditionalHeaders,
        body: Type.Ref(CompletionBody),
        response: { 200: jsonContent("The task", Type.Ref(Task), etagHeader), ...problemResponses(...apiErrors, 403, 404, 412) },
      },
      // No body at all means "toggle", like an empty object.
      preValidation: async (req) => {
        if (req.body === undefined) req.body = {};
      },
    },
    async (req, reply) => {
      const task = await tasks.setCompletion(ctxOf(req), req.params.id, req.body.completed ?? null, parseIfMatch(req.headers["if-match"]));
      return sendTask(reply, task);
    },
  );

  api.post(
    "/api/tasks/:id/move",
    {
      // No body at all means "to the end of its siblings", like an empty object.
      preValidation: async (req) => {
        if (req.body === undefined) req.body = {};
      },
      schema: {
        operationId: "moveTask",
        summary: "Move a task with its subtasks: among its siblings, under another parent, to another list",
        tags,
        params: TaskIdParams,
        headers: ConditionalHeaders,
        body: Type.Ref(TaskMove),
        response: {
          200: jsonContent("The moved task", Type.Ref(Task), etagHeader),
          // 405: an id such as "." leaves /api/tasks/move, a path with other methods only.
          ...problemResponses(...apiErrors, 403, 404, 405, 409, 412),
        },
      },
    },
    async (req, reply) => sendTask(reply, await moveTask(ctxOf(req), req.params.id, req.body, parseIfMatch(req.headers["if-match"]))),
  );
});
