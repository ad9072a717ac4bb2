import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { actorOf } from "../auth/bearer-gate.ts";
import { unauthorized } from "../domain/errors.ts";
import { sendJsonText } from "../http/reply.ts";
import { apiErrors, problemResponses } from "../http/schemas.ts";
import { meJson } from "./queries.ts";

export const Me = Type.Object(
  {
    id: Type.String(),
    email: Type.String({ format: "email" }),
    name: Type.String(),
    role: Type.Union([Type.Literal("user"), Type.Literal("admin")]),
    created_at: Type.String({ format: "date-time" }),
  },
  { $id: "Me", additionalProperties: false },
);

export async function meRoutes(api: FastifyInstance): Promise<void> {
  const { db } = api.ctx;
  api.addSchema(Me);
  api.get(
    "/api/me",
    {
      schema: {
        operationId: "getMe",
        summary: "The signed-in user",
        tags: ["me"],
        response: { 200: Type.Ref(Me), ...problemResponses(...apiErrors) },
      },
    },
    async (req, reply) => {
      const json = await meJson(db, actorOf(req).id);
      if (!json) throw unauthorized("Your account no longer exists.");
      return sendJsonText(reply, json, 200, "no-store");
    },
  );
}
