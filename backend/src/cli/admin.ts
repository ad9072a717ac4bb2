import { loadConfig, loadDotEnv } from "../config.ts";
import { connectDatabase } from "../db/client.ts";
import { migrate } from "../db/migrate.ts";

/**
 * npm run admin -- promote <email> | demote <email> | list
 *
 * Works on whatever database the service is configured for. On the embedded
 * database, stop the service first (the data directory is locked while it runs).
 */
const usage = "usage: npm run admin -- promote <email> | demote <email> | list";
loadDotEnv();
const [command, email] = process.argv.slice(2);
if (!command || !["promote", "demote", "list"].includes(command) || (command !== "list" && !email)) {
  process.stderr.write(`${usage}\n`);
  process.exit(2);
}

const config = loadConfig(process.env);
const db = await connectDatabase(config.database, { poolMax: 2, timeoutMs: config.databaseTimeoutMs });
let exitCode = 0;
try {
  await migrate(db);
  if (command === "list") {
    const rows = await db.query<{ email: string; name: string }>(
      `SELECT email, name FROM "user" WHERE role = 'admin' ORDER BY "createdAt"`,
    );
    process.stdout.write(rows.length ? `${rows.map((r) => `${r.email}\t${r.name}`).join("\n")}\n` : "no admins yet\n");
  } else {
    const role = command === "promote" ? "admin" : "user";
    if (role === "user") {
      const others = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "user" WHERE role = 'admin' AND NOT banned AND lower(email) <> lower($1)`,
        [email],
      );
      if ((others[0]?.n ?? 0) === 0) {
        process.stderr.write(`refusing: ${email} is the last active admin\n`);
        exitCode = 1;
      }
    }
    if (exitCode === 0) {
      const rows = await db.query<{ email: string }>(
        `UPDATE "user" SET role = $2, "updatedAt" = now() WHERE lower(email) = lower($1) RETURNING email`,
        [email, role],
      );
      if (rows.length === 0) {
        process.stderr.write(`no account with email ${email}; sign up first\n`);
        exitCode = 1;
      } else {
        process.stdout.write(`${rows[0]?.email} is now ${role === "admin" ? "an admin" : "a regular user"}\n`);
      }
    }
  }
} catch (err) {
  process.stderr.write(`admin: ${(err as Error).message}\n`);
  exitCode = 1;
} finally {
  await db.close();
}
process.exit(exitCode);
