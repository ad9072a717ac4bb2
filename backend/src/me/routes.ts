import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { actorOf } from "../auth/bearer-gate.ts";
import { isoUtc } from "../db/sql.ts";
import { unauthorized } from "../http/errors.ts";
import { apiErrors, problemResponses } from "../http/schemas.ts";

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

export function registerMeRoutes(api: FastifyInstance): void {
  const { db } = api.ctx;
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
      const rows = await db.query<{ j: string }>(
        `SELECT row_to_json(x)::text AS j FROM (
           SELECT id, email, name, role, ${isoUtc('"createdAt"')} AS created_at
             FROM "user" WHERE id = $1) x`,
        [actorOf(req).id],
        "me",
      );
      const row = rows[0];
      if (!row) throw unauthorized("Your account no longer exists.");
      return reply.type("application/json; charset=utf-8").header("cache-control", "no-store").send(row.j);
    },
  );
}
