import { randomUUID } from "node:crypto";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import pino, { type DestinationStream } from "pino";
import { activityRoutes } from "./activity/routes.ts";
import { adminRoutes } from "./admin/routes.ts";
import { applyAdminEmails } from "./auth/admin-emails.ts";
import { registerBearerGate } from "./auth/bearer-gate.ts";
import { type Auth, createAuth } from "./auth/better-auth.ts";
import { RevocationList } from "./auth/revocation.ts";
import { registerAuthRoutes } from "./auth/routes.ts";
import { TokenVerifier } from "./auth/verify-bearer.ts";
import { type Clock, systemClock } from "./clock.ts";
import { commentRoutes } from "./comments/routes.ts";
import type { Config } from "./config.ts";
import { connectDatabase, type Database } from "./db/client.ts";
import { migrate } from "./db/migrate.ts";
import { registerCore, sendFrameworkError } from "./http/core.ts";
import { logRedactPaths } from "./http/logging.ts";
import { registerOpenApi } from "./http/openapi.ts";
import { createRateLimiters, type RateLimiters } from "./http/rate-limit.ts";
import { registerWebApp, webAppFallback } from "./http/static.ts";
import { buildValidator } from "./http/validation.ts";
import { listRoutes } from "./lists/routes.ts";
import { meRoutes } from "./me/routes.ts";
import { registerOpsRoutes } from "./ops/routes.ts";
import { sharingRoutes } from "./sharing/routes.ts";
import { startIdempotencySweeper } from "./tasks/idempotency.ts";
import { ListPageCache } from "./tasks/list-cache.ts";
import { taskRoutes } from "./tasks/routes.ts";

export interface AppDeps {
  /** Use this database instead of connecting one (the caller closes it). */
  db?: Database;
  /** Where log lines go (tests capture them); defaults to stdout. */
  logStream?: DestinationStream;
  /** The time that stamps, revokes and expires tokens (tests move it instead of sleeping). */
  clock?: Clock;
}

export interface AppContext {
  config: Config;
  db: Database;
  auth: Auth;
  revocations: RevocationList;
  verifier: TokenVerifier;
  limiters: RateLimiters;
  listCache: ListPageCache;
  limits: Config["limits"];
  /** The app's clock (AppDeps.clock): token times, and "now" for the task views. */
  clock: Clock;
  ready: () => boolean;
}

declare module "fastify" {
  interface FastifyInstance {
    ctx: AppContext;
  }
}

export type App = FastifyInstance;

export async function buildApp(config: Config, deps: AppDeps = {}): Promise<App> {
  const logger = pino(
    {
      level: config.logLevel,
      redact: { paths: logRedactPaths, censor: "[redacted]" },
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    deps.logStream ?? pino.destination({ sync: false }),
  );

  const ownsDb = !deps.db;
  const db =
    deps.db ??
    (await connectDatabase(config.database, {
      poolMax: config.databasePoolMax,
      timeoutMs: config.databaseTimeoutMs,
      onListenError: (err) => logger.warn({ err }, "revocation listener lost its connection; polling continues"),
    }));

  let started = false;
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // One line per request is written by the onResponse hook in http/core.ts.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimit,
    // A hop count is valid at run time (proxy-addr), though Fastify's types only list the other forms.
    trustProxy: config.trustProxy as boolean | string[],
    requestIdHeader: false,
    genReqId: requestIdFrom,
    return503OnClosing: true,
    frameworkErrors: sendFrameworkError,
    forceCloseConnections: "idle",
    routerOptions: { ignoreTrailingSlash: false, maxParamLength: 200 },
    // Fastify types the factory for its own Ajv wrapper; ours returns the same (schema) => validate shape.
    schemaController: { compilersFactory: { buildValidator: buildValidator as never } },
  });

  try {
    await migrate(db);
    const clock = deps.clock ?? systemClock;
    const revocations = new RevocationList(db, config.revocationPollMs, logger, clock);
    await revocations.start();
    const auth = createAuth(config, db, revocations, clock);
    await applyAdminEmails(db, config.adminEmails);
    const verifier = new TokenVerifier(config, db, revocations, clock);
    const limiters = createRateLimiters(config.rateLimit);
    const stopSweeper = startIdempotencySweeper(db, logger);

    const listCache = new ListPageCache(config.listCacheMb * 1024 * 1024);
    app.decorate("ctx", {
      config,
      db,
      auth,
      revocations,
      verifier,
      limiters,
      listCache,
      limits: config.limits,
      clock,
      ready: () => started,
    });
    app.addHook("onClose", async () => {
      stopSweeper();
      await revocations.stop();
      await limiters.close();
      if (ownsDb) await db.close();
    });

    const spa = webAppFallback(config);
    await registerCore(app, config, spa && ((_req, reply) => spa(reply)));
    await registerOpenApi(app, config);
    registerOpsRoutes(app);
    registerAuthRoutes(app);
    await app.register(async (api) => {
      registerBearerGate(api);
      // One plugin per feature; each adds its own schemas and routes.
      await api.register(meRoutes);
      await api.register(taskRoutes);
      await api.register(listRoutes);
      await api.register(sharingRoutes);
      await api.register(commentRoutes);
      await api.register(activityRoutes);
      await api.register(adminRoutes);
    });
    await registerWebApp(app, config);
    await app.ready();
    started = true;
    return app;
  } catch (err) {
    await app.close().catch(() => {});
    if (ownsDb) await db.close().catch(() => {});
    throw err;
  }
}

const saneRequestId = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** Keeps a caller's sane X-Request-Id; otherwise makes a new one. */
function requestIdFrom(req: { headers: Record<string, string | string[] | undefined> }): string {
  const incoming = req.headers["x-request-id"];
  return typeof incoming === "string" && saneRequestId.test(incoming) ? incoming : randomUUID();
}
