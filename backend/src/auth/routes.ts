import { type TSchema, Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from "fastify";
import { DomainError, type ErrorCode } from "../domain/errors.ts";
import { errorCodes, problemBody, sendProblem } from "../http/errors.ts";
import { problemResponses } from "../http/schemas.ts";
import { rawJsonBodyChecker } from "../http/validation.ts";
import { CLIENT_IP_HEADER } from "./better-auth.ts";

interface AuthEndpoint {
  method: HTTPMethods;
  path: string;
  operationId: string;
  summary: string;
  body?: TSchema;
  security?: Record<string, string[]>[];
  limited?: "sign-in" | "sign-up";
  /** The 200 body, when it is not a JSON object. */
  response?: TSchema;
  /** Sessions in the response lose their `token` (see withoutSessionTokens). */
  hidesSessionTokens?: boolean;
}

const AnyObject = Type.Object({}, { additionalProperties: true });

const session: Record<string, string[]>[] = [{ sessionCookie: [] }, { sessionBearer: [] }];
const Email = Type.String({ format: "email", maxLength: 254 });
const Password = Type.String({ minLength: 8, maxLength: 128 });
const noNul = "^[^\\u0000]*$";
const Name = Type.String({ minLength: 1, maxLength: 100, pattern: noNul });
// Bodies are checked against these before Better Auth sees them: only the
// fields listed, of the types listed (Better Auth alone stores `image`,
// non-string names and NUL bytes, or fails on them with a 500).
const Body = (fields: Parameters<typeof Type.Object>[0]) => Type.Object(fields, { additionalProperties: false });

/*
 * Only these Better Auth endpoints are served. Everything else under
 * /api/auth — its admin endpoints and impersonation above all — answers 404,
 * so every admin action goes through /api/admin, its gate and its audit log.
 */
const endpoints: AuthEndpoint[] = [
  {
    method: "POST",
    path: "/sign-up/email",
    operationId: "signUp",
    summary: "Create an account with email and password (signs in; session token in `set-auth-token`)",
    body: Body({ email: Email, password: Password, name: Name }),
    security: [],
    limited: "sign-up",
  },
  {
    method: "POST",
    path: "/sign-in/email",
    operationId: "signIn",
    summary: "Sign in with email and password (session cookie, and session token in `set-auth-token`)",
    body: Body({ email: Email, password: Type.String({ maxLength: 128 }), rememberMe: Type.Optional(Type.Boolean()) }),
    security: [],
    limited: "sign-in",
  },
  { method: "POST", path: "/sign-out", operationId: "signOut", summary: "End the current session", security: session },
  {
    method: "GET",
    path: "/get-session",
    operationId: "getSession",
    summary: "The current session and user (null without a session); with a session, a JWT for the API in `set-auth-jwt`",
    security: session,
    response: Type.Union([AnyObject, Type.Null()]),
    hidesSessionTokens: true,
  },
  {
    method: "GET",
    path: "/token",
    operationId: "getToken",
    summary: "A short-lived JWT for the API (`{ token }`)",
    security: session,
  },
  { method: "GET", path: "/jwks", operationId: "getJwks", summary: "Public keys that verify the JWTs", security: [] },
  {
    method: "POST",
    path: "/change-password",
    operationId: "changePassword",
    summary: "Change the password; tokens issued before stop working within seconds",
    body: Body({
      currentPassword: Type.String({ maxLength: 128 }),
      newPassword: Password,
      revokeOtherSessions: Type.Optional(Type.Boolean()),
    }),
    security: session,
    limited: "sign-in",
  },
  {
    method: "POST",
    path: "/update-user",
    operationId: "updateUser",
    summary: "Change the display name",
    body: Body({ name: Type.Optional(Name) }),
    security: session,
  },
  {
    method: "GET",
    path: "/list-sessions",
    operationId: "listSessions",
    summary: "The user's sessions",
    security: session,
    response: Type.Array(AnyObject),
    hidesSessionTokens: true,
  },
  {
    method: "POST",
    path: "/revoke-session",
    operationId: "revokeSession",
    summary: "End one of the user's sessions",
    body: Body({ token: Type.String({ maxLength: 512, pattern: noNul }) }),
    security: session,
  },
  {
    method: "POST",
    path: "/revoke-other-sessions",
    operationId: "revokeOtherSessions",
    summary: "End all other sessions",
    security: session,
  },
  { method: "GET", path: "/ok", operationId: "authOk", summary: "Better Auth liveness", security: [] },
];

/** Headers a client could use to claim another address; the bridge passes Fastify's own `req.ip` instead. */
const addressHeaders = ["x-forwarded-for", "x-real-ip", "forwarded", "cf-connecting-ip", "true-client-ip", "x-client-ip", CLIENT_IP_HEADER];

function emailOf(body: Buffer | undefined): string | null {
  if (!body || body.length === 0) return null;
  try {
    const parsed = JSON.parse(body.toString("utf8")) as { email?: unknown };
    return typeof parsed.email === "string" ? parsed.email : null;
  } catch {
    return null;
  }
}

/**
 * A session token is a credential the httpOnly cookie keeps away from scripts;
 * echoing it (and every other session's) in JSON would hand it to any script
 * on the page. Reads of sessions keep their ids and metadata, not their tokens.
 */
function withoutSessionTokens(text: string): string {
  const body = JSON.parse(text) as unknown;
  const strip = (s: unknown) => {
    if (s && typeof s === "object") delete (s as { token?: unknown }).token;
  };
  if (Array.isArray(body)) body.forEach(strip);
  else if (body && typeof body === "object") strip((body as { session?: unknown }).session);
  return JSON.stringify(body);
}

const statusCodes = new Map<number, ErrorCode>(Object.entries(errorCodes).map(([c, s]) => [s, c as ErrorCode]));

/** Better Auth's `{ code, message }` errors, re-sent as problem+json (keeping `message` for its client). */
async function relayError(response: Response, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const text = await response.text();
  let upstream: { code?: unknown; message?: unknown } = {};
  try {
    upstream = JSON.parse(text) as typeof upstream;
  } catch {
    // Not JSON: keep the status, say nothing internal.
  }
  const status = response.status === 400 ? 422 : response.status;
  const code = statusCodes.get(status) ?? (status >= 500 ? "internal" : "bad_request");
  const message = typeof upstream.message === "string" && status < 500 ? upstream.message : "The request could not be completed.";
  if (status >= 500) req.log.error({ status: response.status }, "better auth failed");
  const retryAfter = response.headers.get("retry-after");
  if (retryAfter) reply.header("retry-after", retryAfter);
  if (status === 401) reply.header("www-authenticate", 'Bearer realm="doable"');
  return reply
    .code(errorCodes[code] === status ? status : errorCodes[code])
    .type("application/problem+json")
    .send(
      JSON.stringify({
        ...problemBody(code, message, String(req.id)),
        message,
        ...(typeof upstream.code === "string" ? { reason: upstream.code } : {}),
      }),
    );
}

/** Mounts Better Auth at /api/auth: a Web Request built from Fastify's, a Fastify reply built from its Response. */
export function registerAuthRoutes(app: FastifyInstance): void {
  const { auth, config, limiters } = app.ctx;
  const bodyCheckers = new Map(endpoints.map((e) => [e, e.body ? rawJsonBodyChecker(e.body) : null]));

  app.register(async (scope) => {
    // Better Auth reads and validates the raw body itself.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", { parseAs: "buffer" }, (_req, body, done) => done(null, body));
    scope.setValidatorCompiler(() => () => true);

    const handle = async (req: FastifyRequest, reply: FastifyReply, endpoint: AuthEndpoint | null) => {
      if (!endpoint) return sendProblem(reply, new DomainError("not_found", "This auth endpoint is not available."));
      const body = Buffer.isBuffer(req.body) && req.body.length > 0 ? req.body : undefined;
      if (endpoint.limited) {
        await limiters.authByIp(req.ip);
        const email = endpoint.limited === "sign-in" ? emailOf(body) : null;
        if (email) await limiters.authByAccount(email);
      }
      const problem = body && bodyCheckers.get(endpoint)?.(req.headers["content-type"], body);
      if (problem) return sendProblem(reply, problem);
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (value === undefined || addressHeaders.includes(name)) continue;
        for (const v of [value].flat()) headers.append(name, v);
      }
      headers.set(CLIENT_IP_HEADER, req.ip);
      // The body passed the JSON checks above; Better Auth itself only knows the bare media type.
      if (body) headers.set("content-type", "application/json");
      const url = new URL(req.url, config.publicUrl);
      const request = new Request(url, {
        method: req.method,
        headers,
        body: req.method === "GET" || req.method === "HEAD" || !body ? undefined : new Uint8Array(body),
      });
      const response = await auth.handler(request);
      if (response.status >= 400) return relayError(response, req, reply);
      reply.code(response.status);
      response.headers.forEach((value, name) => {
        if (name !== "set-cookie" && name !== "content-length" && name !== "content-encoding") reply.header(name, value);
      });
      const cookies = response.headers.getSetCookie();
      if (cookies.length > 0) reply.header("set-cookie", cookies);
      reply.header("cache-control", "no-store");
      if (endpoint.hidesSessionTokens) return reply.send(withoutSessionTokens(await response.text()));
      return reply.send(Buffer.from(await response.arrayBuffer()));
    };

    for (const endpoint of endpoints) {
      scope.route({
        method: endpoint.method,
        url: `/api/auth${endpoint.path}`,
        schema: {
          operationId: endpoint.operationId,
          summary: endpoint.summary,
          tags: ["auth"],
          security: endpoint.security ?? [],
          ...(endpoint.body ? { body: endpoint.body } : {}),
          response: {
            200: { description: "Better Auth's JSON response", ...(endpoint.response ?? AnyObject) },
            ...problemResponses(400, 401, 403, 404, 413, 415, 422, 429, 500, 503),
          },
        },
        handler: (req, reply) => handle(req, reply, endpoint),
      });
    }
    scope.all("/api/auth/*", { schema: { hide: true } }, (req, reply) => handle(req, reply, null));
  });
}
