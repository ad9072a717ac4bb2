import cluster from "node:cluster";
import closeWithGrace from "close-with-grace";
import { ConfigError, loadConfig, loadDotEnv } from "./config.ts";

loadDotEnv();
let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig(process.env);
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`doable: configuration error: ${err.message}\n`);
    process.exit(1);
  }
  throw err;
}

// WEB_CONCURRENCY=N runs N processes sharing the port (PostgreSQL only: the
// embedded database belongs to one process). The primary only supervises.
if (config.webConcurrency > 1 && cluster.isPrimary) {
  if (config.database.kind !== "pg") {
    process.stderr.write("doable: configuration error: WEB_CONCURRENCY: more than one process needs DATABASE_URL=postgres://…\n");
    process.exit(1);
  }
  let stopping = false;
  for (let i = 0; i < config.webConcurrency; i++) cluster.fork();
  cluster.on("exit", (worker, code) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    process.stderr.write(`doable: worker ${worker.process.pid} exited (${code}); starting another\n`);
    cluster.fork();
  });
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.on(signal, () => {
      stopping = true;
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGTERM");
    });
  }
} else {
  await serve();
}

async function serve(): Promise<void> {
  // Loaded here, not at the top: a cluster primary only supervises and never needs the app
  // (importing it cost the primary about 100 MB of memory).
  const [{ buildApp }, { DirectoryLockedError }, { prettyLogStream, wantsPrettyLogs }] = await Promise.all([
    import("./app.ts"),
    import("./db/lock.ts"),
    import("./http/logging.ts"),
  ]);
  const pretty = wantsPrettyLogs(config, process.stdout.isTTY === true);
  let app: Awaited<ReturnType<typeof buildApp>>;
  try {
    app = await buildApp(config, pretty ? { logStream: await prettyLogStream({ colorize: process.stdout.isTTY === true }) } : {});
  } catch (err) {
    if (err instanceof DirectoryLockedError) {
      process.stderr.write(`doable: ${err.message}\n`);
      process.exit(1);
    }
    process.stderr.write(`doable: could not start: ${(err as Error).message}\n`);
    process.exit(1);
  }

  // SIGTERM/SIGINT: stop accepting, let in-flight requests finish, close the database, exit 0.
  closeWithGrace({ delay: config.shutdownTimeoutMs }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, "shutting down after an error");
    else app.log.info({ signal }, "shutting down");
    await app.close();
  });

  const address = await app.listen({ host: config.host, port: config.port });
  const where =
    config.database.kind === "pg"
      ? "PostgreSQL (DATABASE_URL)"
      : config.database.dir
        ? `embedded PostgreSQL in ${config.database.dir}`
        : "embedded PostgreSQL in memory";
  app.log.info({ address, database: config.database.kind }, "listening");
  if (cluster.isPrimary || cluster.worker?.id === 1) {
    process.stderr.write(
      [
        "",
        `  Doable is running at ${config.publicUrl} (listening on ${address})`,
        `  Database: ${where}`,
        `  API docs: ${config.publicUrl}/docs   OpenAPI: ${config.publicUrl}/openapi.json`,
        "  First admin: sign up, then run  npm run admin -- promote <email>  (or set ADMIN_EMAILS)",
        "",
      ].join("\n"),
    );
  }
}
