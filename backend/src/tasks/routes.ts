import { type TSchema, Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { actorOf } from "../auth/bearer-gate.ts";
import { validationFailed } from "../http/errors.ts";
import { apiErrors, problemResponses } from "../http/schemas.ts";
import { requestHash } from "./idempotency.ts";
import type { TaskCreate as TaskCreateInput, TaskListQuery as TaskListQueryInput, TaskUpdate as TaskUpdateInput } from "./schemas.ts";
import { CompletionBody, Task, TaskCreate, TaskIdParams, TaskListQuery, TaskUpdate } from "./schemas.ts";
import * as tasks from "./service.ts";

const jsonBody = (description: string, schema: TSchema, headers: Record<string, unknown> = {}) =>
  ({ description, headers, content: { "application/json": { schema } } }) as unknown as TSchema;

const etagHeader = { etag: { type: "string", description: "Strong validator of the task's current state" } };
const linkHeader = {
  link: { type: "string", description: 'Present when more results exist: `<url>; rel="next"`' },
};

export const taskSchemas = [Task, TaskCreate, TaskUpdate, CompletionBody];
export const TaskArray = Type.Array(Type.Ref(Task));
export const taskListResponse = jsonBody("The tasks, in the requested order", TaskArray, linkHeader);

const ConditionalHeaders = Type.Object({
  "if-match": Type.Optional(Type.String({ description: "Only write if the task's ETag is one of these (else 412)" })),
});

/** Sends one page of tasks with the `Link` to the next one (built from this request's own URL). */
export function sendTaskPage(req: FastifyRequest, reply: FastifyReply, page: tasks.TaskPage): FastifyReply {
  if (page.nextCursor) {
    const url = new URL(req.url, req.server.ctx.config.publicUrl);
    const base = new URL(req.server.ctx.config.publicUrl);
    url.protocol = base.protocol;
    url.host = base.host;
    url.searchParams.set("cursor", page.nextCursor);
    reply.header("link", `<${url.toString()}>; rel="next"`);
  }
  return reply.type("application/json; charset=utf-8").header("cache-control", "private, no-cache").send(page.body);
}

function sendTask(reply: FastifyReply, task: tasks.TaskResult, status = 200): FastifyReply {
  return reply
    .code(status)
    .header("etag", task.etag)
    .header("cache-control", "private, no-cache")
    .type("application/json; charset=utf-8")
    .send(task.json);
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

export function registerTaskRoutes(api: FastifyInstance): void {
  const { db, listCache } = api.ctx;
  const ctxOf = (req: FastifyRequest): tasks.TaskContext => ({ db, ownerId: actorOf(req).id, listCache });
  const tags = ["tasks"];

  api.get(
    "/api/tasks",
    {
      schema: {
        operationId: "listTasks",
        summary: "List your tasks (filter, search, sort, keyset paging)",
        tags,
        querystring: TaskListQuery,
        response: { 200: taskListResponse, ...problemResponses(...apiErrors) },
      },
    },
    async (req, reply) => sendTaskPage(req, reply, await tasks.listTasks(ctxOf(req), req.query as TaskListQueryInput)),
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
          201: jsonBody("Created (or, for a repeated Idempotency-Key, the original response)", Type.Ref(Task), {
            ...etagHeader,
            location: { type: "string", description: "URL of the new task" },
            "idempotent-replayed": { type: "string", description: "`true` when this is a stored response" },
          }),
          ...problemResponses(...apiErrors, 409),
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
        req.body as TaskCreateInput,
        // Hashed after validation (bounded depth), over the body as the client sent it.
        key === undefined ? undefined : { key, requestHash: requestHash({ ...(req.body as object), ...req.receivedTaskFields }) },
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
        summary: "One of your tasks",
        tags,
        params: TaskIdParams,
        headers: Type.Object({ "if-none-match": Type.Optional(Type.String({ description: "304 when the ETag still matches" })) }),
        response: {
          200: jsonBody("The task", Type.Ref(Task), etagHeader),
          304: { description: "Not modified", type: "null" },
          ...problemResponses(...apiErrors, 404),
        },
      },
    },
    async (req, reply) => {
      const task = await tasks.getTask(ctxOf(req), (req.params as { id: string }).id);
      const ifNoneMatch = req.headers["if-none-match"];
      if (ifNoneMatch && (ifNoneMatch.trim() === "*" || ifNoneMatch.split(",").some((t) => t.trim().replace(/^W\//, "") === task.etag))) {
        return reply.code(304).header("etag", task.etag).send();
      }
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
        response: { 200: jsonBody("The updated task", Type.Ref(Task), etagHeader), ...problemResponses(...apiErrors, 404, 412) },
      },
      handler: async (req, reply) => {
        const ifMatch = tasks.parseIfMatch(req.headers["if-match"]);
        const task = await tasks.updateTask(ctxOf(req), (req.params as { id: string }).id, req.body as TaskUpdateInput, ifMatch);
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
        response: { 204: { description: "Deleted", type: "null" }, ...problemResponses(...apiErrors, 404, 412) },
      },
    },
    async (req, reply) => {
      await tasks.deleteTask(ctxOf(req), (req.params as { id: string }).id, tasks.parseIfMatch(req.headers["if-match"]));
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
        response: { 200: jsonBody("The task", Type.Ref(Task), etagHeader), ...problemResponses(...apiErrors, 404, 412) },
      },
      // No body at all means "toggle", like an empty object.
      preValidation: async (req) => {
        if (req.body === undefined) req.body = {};
      },
    },
    async (req, reply) => {
      const body = req.body as { completed?: boolean };
      const task = await tasks.setCompletion(
        ctxOf(req),
        (req.params as { id: string }).id,
        body.completed ?? null,
        tasks.parseIfMatch(req.headers["if-match"]),
      );
      return sendTask(reply, task);
    },
  );
}
