import type { IncomingMessage, ServerResponse } from "node:http";
import cors from "@fastify/cors";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import FindMyWay, { type HTTPMethod } from "find-my-way";
import helmet, { type HelmetOptions } from "helmet";
import type { Config } from "../config.ts";
import { DomainError } from "../domain/errors.ts";
import { observeRequest } from "../ops/metrics.ts";
import { sendProblem, toDomainError } from "./errors.ts";
import { loggableUrl } from "./logging.ts";
import { jsonMediaType } from "./validation.ts";

export interface RouteInfo {
  method: string;
  url: string;
  /** Left out of the OpenAPI document (static files, the docs UI). */
  hidden: boolean;
}

declare module "fastify" {
  interface FastifyInstance {
    routeTable: RouteInfo[];
  }
}

// OPTIONS is left out: CORS answers it on every path, which says nothing about the resource.
const methods: HTTPMethod[] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];

/** Request ids, one log line per request, security headers, CORS, body parsing and the one error handler. */
export async function registerCore(
  app: FastifyInstance,
  config: Config,
  spaFallback: ((req: FastifyRequest, reply: FastifyReply) => FastifyReply) | null,
): Promise<void> {
  // Every route the app serves, by method: to tell 404 from 405, and for tests
  // that walk the route table (documentation, admin gate).
  const routes = FindMyWay({ ignoreTrailingSlash: false });
  const table: RouteInfo[] = [];
  app.decorate("routeTable", table);
  app.addHook("onRoute", (route) => {
    for (const method of [route.method].flat() as HTTPMethod[]) {
      if (!routes.hasRoute(method, route.url)) routes.on(method, route.url, () => {});
      table.push({ method, url: route.url, hidden: Boolean((route.schema as { hide?: boolean } | undefined)?.hide) });
    }
  });

  app.addHook("onRequest", async (req, reply) => {
    reply.header("x-request-id", req.id);
  });

  // While draining for shutdown, responses close their connection: a
  // keep-alive socket that finishes a request after close() began would
  // otherwise hold the process open until its keep-alive timeout.
  let draining = false;
  app.addHook("preClose", async () => {
    draining = true;
  });
  app.addHook("onSend", async (_req, reply) => {
    if (draining) reply.header("connection", "close");
  });
  app.addHook("onResponse", async (req, reply) => {
    const route = req.routeOptions.url ?? "unmatched";
    const seconds = reply.elapsedTime / 1000;
    observeRequest(req.method, route, reply.statusCode, seconds);
    req.log.info(
      {
        method: req.method,
        url: loggableUrl(req.url),
        route,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
        ip: req.ip,
        user: req.actor?.id,
      },
      "request",
    );
  });

  const securityHeaders = helmetHeaders({
    // The web app is self-contained: no third-party origin is allowed anywhere.
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
      },
    },
    crossOriginResourcePolicy: { policy: "same-origin" },
    strictTransportSecurity: config.publicUrl.startsWith("https:"),
  });
  app.addHook("onRequest", async (_req, reply) => {
    reply.headers(securityHeaders);
  });
  if (config.corsOrigins.length > 0) {
    await app.register(cors, {
      // A function, not the list: with a list @fastify/cors still sends
      // Allow-Credentials to origins it refuses; `false` sends no CORS header at all.
      origin: (origin, callback) => callback(null, origin !== undefined && config.corsOrigins.includes(origin)),
      credentials: true,
      exposedHeaders: [
        "ETag",
        "Link",
        "Location",
        "X-Request-Id",
        "Retry-After",
        "RateLimit-Limit",
        "RateLimit-Remaining",
        "RateLimit-Reset",
      ],
      allowedHeaders: ["Authorization", "Content-Type", "If-Match", "If-None-Match", "Idempotency-Key", "X-Request-Id"],
      methods: ["GET", "POST", "PUT", "PATCH", "DELETE"],
      maxAge: 600,
    });
  }

  // JSON bodies, whatever parameters the media type carries (`; charset=utf-8`
  // from .NET, OkHttp, Spring) and in any letter case: Fastify matches this
  // against the normalised header. An empty body is no body, so a DELETE or a
  // toggle sent with a JSON content type and nothing else is what it looks
  // like; a route that needs a body then names it in a 422. Parse errors of any
  // kind (syntax, absurd nesting) are the client's.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(jsonMediaType, { parseAs: "string" }, (_req, body, done) => {
    const text = body as string;
    if (text.trim().length === 0) return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new DomainError("bad_request", "The body is not valid JSON."), undefined);
    }
  });

  app.setErrorHandler((err, req, reply) => sendProblem(reply, toDomainError(err, req)));

  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split("?")[0] ?? "/";
    // Paths outside the API belong to the web app, whose router handles deep links.
    if (spaFallback && (req.method === "GET" || req.method === "HEAD") && !isServicePath(path)) return spaFallback(req, reply);
    const allowed = methods.filter((m) => m !== req.method && routes.find(m, path) !== null);
    if (allowed.length > 0 && routes.find(req.method as HTTPMethod, path) === null) {
      reply.header("allow", allowed.join(", "));
      return sendProblem(reply, new DomainError("method_not_allowed", `${req.method} is not allowed here; use ${allowed.join(", ")}.`));
    }
    return sendProblem(reply, new DomainError("not_found", `Nothing is at ${req.method} ${path.slice(0, 200)}.`));
  });
}

/**
 * The headers helmet sets, computed once. @fastify/helmet builds helmet's
 * middleware again for every request (measured: about 10 % of the server's CPU
 * on a cheap request); none of ours depends on the request, so helmet runs
 * once here against a recorder and each response gets the same headers.
 */
function helmetHeaders(options: Readonly<HelmetOptions>): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (err?: unknown) => {
    if (err) throw err;
  });
  return headers;
}

/**
 * Errors the router raises before any hook runs (a URL that does not decode,
 * a path parameter over the length limit): Fastify's constructor option
 * `frameworkErrors`. They get the same problem+json and request id as the rest.
 */
export function sendFrameworkError(err: Error, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  reply.header("x-request-id", req.id).header("x-content-type-options", "nosniff");
  return sendProblem(reply, toDomainError(err, req));
}

function isServicePath(path: string): boolean {
  return (
    path === "/api" ||
    path.startsWith("/api/") ||
    path.startsWith("/docs") ||
    ["/openapi.json", "/healthz", "/readyz", "/metrics"].includes(path)
  );
}
