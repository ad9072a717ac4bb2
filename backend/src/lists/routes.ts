import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { actorOf } from "../auth/bearer-gate.ts";
import { etagOf, ifNoneMatchMatches, parseIfMatch } from "../http/conditional.ts";
import { jsonContent, sendJsonText } from "../http/reply.ts";
import { apiErrors, problemResponses } from "../http/schemas.ts";
import { List, ListCreate, ListIdParams, ListMove, ListsQuery, ListUpdate, listHeaders } from "./schemas.ts";
import * as lists from "./service.ts";

const ConditionalHeaders = Type.Object({
  "if-match": Type.Optional(Type.String({ description: "Only write if the list's ETag is one of these (else 412)" })),
});

/** Trims the name before validation, so that its 1–100 characters are those stored (as tasks do for titles). */
async function trimName(req: FastifyRequest): Promise<void> {
  const body = req.body as Record<string, unknown> | null;
  if (body && typeof body === "object" && !Array.isArray(body) && typeof body.name === "string") body.name = body.name.trim();
}

function sendList(reply: FastifyReply, list: lists.ListResult, status = 200): FastifyReply {
  return sendJsonText(reply.header("etag", etagOf(list.version)), list.json, status);
}

/**
 * /api/lists: the caller's lists (SPEC §7). Not encapsulated (fastify-plugin),
 * so that the List schema is there for later features (the admin's view).
 */
export const listRoutes = fp(async (scope: FastifyInstance) => {
  for (const schema of [List, ListCreate, ListUpdate, ListMove]) scope.addSchema(schema);
  const api = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { db, limits } = api.ctx;
  const ctxOf = (req: FastifyRequest): lists.ListContext => ({ db, userId: actorOf(req).id, limits });
  const tags = ["lists"];
  const oneList = (description: string) => jsonContent(description, Type.Ref(List), listHeaders);

  api.get(
    "/api/lists",
    {
      schema: {
        operationId: "listLists",
        summary: "Your lists, in your order (one array, no paging)",
        tags,
        querystring: ListsQuery,
        response: { 200: jsonContent("The lists", Type.Array(Type.Ref(List))), ...problemResponses(...apiErrors) },
      },
    },
    async (req, reply) => sendJsonText(reply, await lists.listLists(ctxOf(req), req.query)),
  );

  api.post(
    "/api/lists",
    {
      preValidation: trimName,
      schema: {
        operationId: "createList",
        summary: "Create a list (at the end of your order)",
        tags,
        body: Type.Ref(ListCreate),
        response: {
          201: jsonContent("Created", Type.Ref(List), { ...listHeaders, location: { type: "string", description: "URL of the new list" } }),
          ...problemResponses(...apiErrors),
        },
      },
    },
    async (req, reply) => {
      const created = await lists.createList(ctxOf(req), req.body);
      reply.header("location", `/api/lists/${created.id}`);
      return sendList(reply, created, 201);
    },
  );

  api.get(
    "/api/lists/:id",
    {
      schema: {
        operationId: "getList",
        summary: "One of your lists",
        tags,
        params: ListIdParams,
        headers: Type.Object({ "if-none-match": Type.Optional(Type.String({ description: "304 when the ETag still matches" })) }),
        response: {
          200: oneList("The list"),
          304: { description: "Not modified", type: "null" },
          ...problemResponses(...apiErrors, 404),
        },
      },
    },
    async (req, reply) => {
      const list = await lists.getList(ctxOf(req), req.params.id);
      const etag = etagOf(list.version);
      if (ifNoneMatchMatches(req.headers["if-none-match"], etag)) return reply.code(304).header("etag", etag).send();
      return sendList(reply, list);
    },
  );

  api.patch(
    "/api/lists/:id",
    {
      preValidation: trimName,
      schema: {
        operationId: "updateList",
        summary: "Rename, recolour, archive or restore a list (the Inbox cannot be archived: 409)",
        tags,
        params: ListIdParams,
        headers: ConditionalHeaders,
        body: Type.Ref(ListUpdate),
        response: { 200: oneList("The updated list"), ...problemResponses(...apiErrors, 403, 404, 409, 412) },
      },
    },
    async (req, reply) =>
      sendList(reply, await lists.updateList(ctxOf(req), req.params.id, req.body, parseIfMatch(req.headers["if-match"]))),
  );

  api.delete(
    "/api/lists/:id",
    {
      schema: {
        operationId: "deleteList",
        summary: "Delete a list with all of its tasks (owner only; the Inbox cannot be deleted: 409)",
        tags,
        params: ListIdParams,
        headers: ConditionalHeaders,
        response: { 204: { description: "Deleted", type: "null" }, ...problemResponses(...apiErrors, 403, 404, 409, 412) },
      },
    },
    async (req, reply) => {
      await lists.deleteList(ctxOf(req), req.params.id, parseIfMatch(req.headers["if-match"]));
      return reply.code(204).send();
    },
  );

  api.post(
    "/api/lists/:id/move",
    {
      schema: {
        operationId: "moveList",
        summary: "Move a list just before or just after another of your lists",
        tags,
        params: ListIdParams,
        body: Type.Ref(ListMove),
        // 405: an id such as "." leaves /api/lists/move, a path with other methods only.
        response: { 200: oneList("The moved list"), ...problemResponses(...apiErrors, 404, 405) },
      },
    },
    async (req, reply) => sendList(reply, await lists.moveList(ctxOf(req), req.params.id, req.body)),
  );
});
