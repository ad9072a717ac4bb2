import swagger from "@fastify/swagger";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import type { Config } from "../config.ts";
import { Problem } from "./schemas.ts";

const description = `Doable is a multi-user task service. People keep their own tasks; administrators oversee users.

**Authentication.** Sign up and sign in through Better Auth under \`/api/auth\`, then fetch a short-lived JWT from
\`GET /api/auth/token\` and send it as \`Authorization: Bearer <jwt>\` to every other \`/api\` route. Tokens are
verified without a database lookup; a ban, a deletion or a password change makes earlier tokens fail within 5 seconds.

**Errors** are \`application/problem+json\` (RFC 9457) with a stable \`code\` and the \`request_id\`.

**Lists** return a plain JSON array; when more results exist a \`Link: <…>; rel="next"\` header carries an opaque cursor
(keyset pagination). Filters: \`due_after\` is inclusive and \`due_before\` exclusive; \`overdue=true\` means open tasks
whose \`due_at\` has passed.

**Concurrency.** Task responses carry a strong \`ETag\`; send \`If-Match\` on writes to get 412 instead of overwriting a
change you have not seen, and \`If-None-Match\` on reads for 304. \`POST /api/tasks\` honours \`Idempotency-Key\` for 24 hours.`;

export async function registerOpenApi(app: FastifyInstance, config: Config): Promise<void> {
  // Features add their own schemas where they register their routes; this one every error response uses.
  app.addSchema(Problem);
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Doable API",
        version: "1.0.0",
        description,
        license: { name: "MIT", identifier: "MIT" },
        contact: { name: "Doable maintainers", url: `${config.publicUrl}/docs` },
      },
      servers: [{ url: config.publicUrl, description: "This Doable server" }],
      tags: [
        { name: "auth", description: "Accounts and sessions (Better Auth)" },
        { name: "me", description: "The signed-in user" },
        { name: "tasks", description: "The caller's own tasks" },
        { name: "admin", description: "User and task oversight (administrators only)" },
        { name: "operations", description: "Health, readiness and metrics" },
      ],
      components: {
        securitySchemes: {
          bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: "A JWT from GET /api/auth/token" },
          sessionCookie: { type: "apiKey", in: "cookie", name: "better-auth.session_token", description: "Better Auth session cookie" },
          sessionBearer: { type: "http", scheme: "bearer", description: "Better Auth session token (bearer plugin); only for /api/auth" },
        },
      },
      security: [{ bearerAuth: [] }],
    },
    refResolver: {
      // Shared schemas keep their $id as their component name.
      buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === "string" ? json.$id : `def-${i}`),
    },
  });

  app.get("/openapi.json", { schema: { hide: true } }, async (_req, reply) =>
    reply.type("application/json; charset=utf-8").send(JSON.stringify(app.swagger())),
  );

  registerDocsViewer(app);
}

// The reference page bootstraps with an inline script; it loads nothing from other origins.
const docsPolicy =
  "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

let docsViewerLoaded = false;

/** Whether the API reference viewer has been loaded (tests). */
export const isDocsViewerLoaded = (): boolean => docsViewerLoaded;

/**
 * The API reference (Scalar) at /docs, loaded on its first request. Its
 * plugin embeds the viewer's 4 MB browser bundle as a string: loaded at
 * start it held ~17 MB of the V8 heap in every process (docs/PERFORMANCE.md),
 * which the garbage collector marked again and again while serving tasks.
 * The plugin runs unchanged in a Fastify instance of its own, built on first
 * use; these routes hand it the request.
 */
function registerDocsViewer(app: FastifyInstance): void {
  let viewer: Promise<FastifyInstance> | null = null;
  const load = (): Promise<FastifyInstance> => {
    viewer ??= (async () => {
      const { default: scalar } = await import("@scalar/fastify-api-reference");
      const inner = Fastify({ logger: false });
      await inner.register(scalar, {
        routePrefix: "/docs",
        configuration: { url: "/openapi.json", title: "Doable API", pageTitle: "Doable API", hideClientButton: true },
      });
      await inner.ready();
      docsViewerLoaded = true;
      return inner;
    })().catch((err: unknown) => {
      viewer = null;
      throw err;
    });
    return viewer;
  };
  const forward = async (req: FastifyRequest, reply: FastifyReply) => {
    const res = await (await load()).inject({ method: "GET", url: req.url });
    for (const name of ["content-type", "location"]) {
      const value = res.headers[name];
      if (typeof value === "string") reply.header(name, value);
    }
    return reply.code(res.statusCode).header("content-security-policy", docsPolicy).send(res.rawPayload);
  };
  for (const url of ["/docs", "/docs/", "/docs/js/scalar.js"]) app.get(url, { schema: { hide: true } }, forward);
}
