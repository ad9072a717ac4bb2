import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { actorOf } from "../auth/bearer-gate.ts";
import { sendJsonText } from "../http/reply.ts";
import { apiErrors, problemResponses } from "../http/schemas.ts";
import { getMe, updateMe } from "./service.ts";

export const Me = Type.Object(
  {
    id: Type.String(),
    email: Type.String({ format: "email" }),
    name: Type.String(),
    role: Type.Union([Type.Literal("user"), Type.Literal("admin")]),
    created_at: Type.String({ format: "date-time" }),
    timezone: Type.String({ description: "IANA time zone name (default UTC): today, upcoming and overdue are computed in it" }),
  },
  { $id: "Me", additionalProperties: false },
);

export const MeUpdate = Type.Object(
  { timezone: Type.String({ minLength: 1, maxLength: 64, description: "An IANA time zone name, e.g. Europe/Berlin, or UTC" }) },
  { $id: "MeUpdate", additionalProperties: false },
);

export async function meRoutes(scope: FastifyInstance): Promise<void> {
  const api = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = api.ctx;
  api.addSchema(Me);
  api.addSchema(MeUpdate);
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
    async (req, reply) => sendJsonText(reply, await getMe(db, actorOf(req).id), 200, "no-store"),
  );
  api.patch(
    "/api/me",
    {
      schema: {
        operationId: "updateMe",
        summary: "Change your settings (your time zone)",
        tags: ["me"],
        body: Type.Ref(MeUpdate),
        response: { 200: Type.Ref(Me), ...problemResponses(...apiErrors) },
      },
    },
    async (req, reply) => sendJsonText(reply, await updateMe(db, actorOf(req).id, req.body), 200, "no-store"),
  );
}
