import type { FastifyInstance } from "fastify";
import type { Actor } from "./verify-bearer.ts";

declare module "fastify" {
  interface FastifyRequest {
    actor?: Actor;
  }
}

/** The login gate: every route registered in `api` needs a valid bearer JWT, then passes the per-user rate limit. */
export function registerBearerGate(api: FastifyInstance): void {
  const { verifier, limiters } = api.ctx;
  api.decorateRequest("actor", undefined);
  api.addHook("onRequest", async (req, reply) => {
    req.actor = await verifier.verify(req.headers.authorization);
    await limiters.api(req.actor.id, reply);
  });
}

/** The actor of a request that passed the gate. */
export function actorOf(req: { actor?: Actor }): Actor {
  if (!req.actor) throw new Error("route registered outside the bearer gate");
  return req.actor;
}
