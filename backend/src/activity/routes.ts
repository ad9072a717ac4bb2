import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { actorOf } from "../auth/bearer-gate.ts";
import { jsonContent, linkHeader, sendPage } from "../http/reply.ts";
import { apiErrors, problemResponses } from "../http/schemas.ts";
import { Activity, ActivityQuery, ListIdParams } from "./schemas.ts";
import * as activity from "./service.ts";

/** A list's activity (SPEC §8), for every member of the list. */
export async function activityRoutes(scope: FastifyInstance): Promise<void> {
  scope.addSchema(Activity);
  const api = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { db, config } = api.ctx;

  api.get(
    "/api/lists/:id/activity",
    {
      schema: {
        operationId: "listActivity",
        summary: "Who did what in a list, newest first (keyset paging)",
        tags: ["activity"],
        params: ListIdParams,
        querystring: ActivityQuery,
        response: {
          200: jsonContent("The list's activity", Type.Array(Type.Ref(Activity)), linkHeader),
          ...problemResponses(...apiErrors, 404),
        },
      },
    },
    async (req, reply) => {
      const page = await activity.listActivity({ db, userId: actorOf(req).id }, req.params.id, req.query);
      return sendPage(req, reply, { body: page.body, nextCursor: page.nextCursor }, { publicUrl: config.publicUrl });
    },
  );
}
