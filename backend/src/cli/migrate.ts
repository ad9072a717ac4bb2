import { loadConfig, loadDotEnv } from "../config.ts";
import { connectDatabase } from "../db/client.ts";
import { migrate } from "../db/migrate.ts";

/** npm run db:migrate — applies pending migrations to DATABASE_URL (or the embedded database) and exits. */
loadDotEnv();
const config = loadConfig(process.env);
const db = await connectDatabase(config.database, { poolMax: 2, timeoutMs: config.databaseTimeoutMs });
try {
  const applied = await migrate(db);
  process.stdout.write(applied.length ? `applied: ${applied.join(", ")}\n` : "database is up to date\n");
} finally {
  await db.close();
}
