import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { migrationsApplied } from "../db/migrate.ts";
import { problemResponses } from "../http/schemas.ts";
import { registerPoolGauges, registry } from "./metrics.ts";

const Health = Type.Object({ status: Type.Literal("ok") }, { $id: "Health" });
const Readiness = Type.Object(
  { status: Type.Union([Type.Literal("ready"), Type.Literal("unavailable")]), database: Type.Boolean(), migrations: Type.Boolean() },
  { $id: "Readiness" },
);

export function registerOpsRoutes(app: FastifyInstance): void {
  const { db } = app.ctx;
  registerPoolGauges(() => db.poolStats());

  app.get(
    "/healthz",
    {
      schema: {
        operationId: "health",
        summary: "Liveness: the process is up",
        tags: ["operations"],
        security: [],
        response: { 200: Health, ...problemResponses(400) },
      },
    },
    async () => ({ status: "ok" as const }),
  );

  app.get(
    "/readyz",
    {
      schema: {
        operationId: "readiness",
        summary: "Readiness: the database answers and every migration is applied",
        tags: ["operations"],
        security: [],
        response: { 200: Readiness, 503: Readiness, ...problemResponses(400) },
      },
    },
    async (_req, reply) => {
      let database = false;
      let migrations = false;
      try {
        migrations = await migrationsApplied(db);
        database = true;
      } catch {
        database = false;
      }
      const ok = database && migrations && app.ctx.ready();
      return reply.code(ok ? 200 : 503).send({ status: ok ? "ready" : "unavailable", database, migrations });
    },
  );

  app.get(
    "/metrics",
    {
      schema: {
        operationId: "metrics",
        summary: "Prometheus metrics: requests, durations, process and pool figures",
        tags: ["operations"],
        security: [],
        produces: ["text/plain"],
        response: {
          200: { description: "Prometheus text exposition format", content: { "text/plain": { schema: Type.String() } } },
          ...problemResponses(400, 500),
        },
      },
    },
    async (_req, reply) => {
      const text = await registry.metrics();
      return reply.type(registry.contentType).send(text);
    },
  );
}
