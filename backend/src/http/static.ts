import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { Config } from "../config.ts";

/** The web app's index.html for deep links (the client-side router takes over), or null without a build. */
export function webAppFallback(config: Config): ((reply: FastifyReply) => FastifyReply) | null {
  const indexFile = config.staticDir ? path.join(config.staticDir, "index.html") : null;
  if (!indexFile || !existsSync(indexFile)) return null;
  const indexHtml = readFileSync(indexFile);
  return (reply) => reply.code(200).type("text/html; charset=utf-8").header("cache-control", "no-cache").send(indexHtml);
}

/** Serves the built web app: hashed assets cached for a year, everything else revalidated. */
export async function registerWebApp(app: FastifyInstance, config: Config): Promise<void> {
  if (!config.staticDir || !existsSync(path.join(config.staticDir, "index.html"))) return;
  await app.register(fastifyStatic, {
    root: config.staticDir,
    wildcard: false,
    index: false,
    cacheControl: false,
    setHeaders(reply, file) {
      reply.header("cache-control", /[\\/]assets[\\/]/.test(file) ? "public, max-age=31536000, immutable" : "no-cache");
    },
  });
}
