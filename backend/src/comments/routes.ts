import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { actorOf } from "../auth/bearer-gate.ts";
import { etagOf, parseIfMatch } from "../http/conditional.ts";
import { etagHeader, jsonContent, linkHeader, sendJsonText, sendPage } from "../http/reply.ts";
import { apiErrors, problemResponses } from "../http/schemas.ts";
import { Comment, CommentBody, CommentIdParams, CommentListQuery, TaskIdParams } from "./schemas.ts";
import * as comments from "./service.ts";

const ConditionalHeaders = Type.Object({
  "if-match": Type.Optional(Type.String({ description: "Only write if the comment's ETag is one of these (else 412)" })),
});

function sendComment(reply: FastifyReply, comment: comments.CommentResult, status = 200): FastifyReply {
  return sendJsonText(reply.header("etag", etagOf(comment.version)), comment.json, status);
}

/**
 * Comments on tasks (SPEC §8): every member of the task's list reads and
 * writes them, viewers included; only the author changes or deletes one.
 */
export async function commentRoutes(scope: FastifyInstance): Promise<void> {
  for (const schema of [Comment, CommentBody]) scope.addSchema(schema);
  const api = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { db, config } = api.ctx;
  const ctxOf = (req: FastifyRequest): comments.CommentContext => ({ db, userId: actorOf(req).id });
  const tags = ["comments"];

  api.get(
    "/api/tasks/:id/comments",
    {
      schema: {
        operationId: "listComments",
        summary: "A task's comments, oldest first (keyset paging)",
        tags,
        params: TaskIdParams,
        querystring: CommentListQuery,
        response: {
          200: jsonContent("The comments", Type.Array(Type.Ref(Comment)), linkHeader),
          ...problemResponses(...apiErrors, 404),
        },
      },
    },
    async (req, reply) => {
      const page = await comments.listComments(ctxOf(req), req.params.id, req.query);
      return sendPage(req, reply, { body: page.body, nextCursor: page.nextCursor }, { publicUrl: config.publicUrl });
    },
  );

  api.post(
    "/api/tasks/:id/comments",
    {
      schema: {
        operationId: "createComment",
        summary: "Comment on a task (any member of its list, viewers included)",
        tags,
        params: TaskIdParams,
        body: Type.Ref(CommentBody),
        response: {
          201: jsonContent("Created", Type.Ref(Comment), {
            ...etagHeader,
            location: { type: "string", description: "URL of the new comment" },
          }),
          ...problemResponses(...apiErrors, 404),
        },
      },
    },
    async (req, reply) => {
      const created = await comments.createComment(ctxOf(req), req.params.id, req.body.body);
      reply.header("location", `/api/comments/${created.id}`);
      return sendComment(reply, created, 201);
    },
  );

  api.patch(
    "/api/comments/:id",
    {
      schema: {
        operationId: "updateComment",
        summary: "Change your comment's text (the author only: another member gets 403)",
        tags,
        params: CommentIdParams,
        headers: ConditionalHeaders,
        body: Type.Ref(CommentBody),
        response: {
          200: jsonContent("The updated comment", Type.Ref(Comment), etagHeader),
          ...problemResponses(...apiErrors, 403, 404, 412),
        },
      },
    },
    async (req, reply) =>
      sendComment(reply, await comments.updateComment(ctxOf(req), req.params.id, req.body.body, parseIfMatch(req.headers["if-match"]))),
  );

  api.delete(
    "/api/comments/:id",
    {
      schema: {
        operationId: "deleteComment",
        summary: "Delete your comment (the author only: another member gets 403)",
        tags,
        params: CommentIdParams,
        headers: ConditionalHeaders,
        response: { 204: { description: "Deleted", type: "null" }, ...problemResponses(...apiErrors, 403, 404, 412) },
      },
    },
    async (req, reply) => {
      await comments.deleteComment(ctxOf(req), req.params.id, parseIfMatch(req.headers["if-match"]));
      return reply.code(204).send();
    },
  );
}
