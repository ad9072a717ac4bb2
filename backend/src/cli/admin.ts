import { randomUUID } from "node:crypto";
import { listAdmins, setRoleByEmail } from "../admin/service.ts";
import { loadConfig, loadDotEnv } from "../config.ts";
import { connectDatabase } from "../db/client.ts";
import { migrate } from "../db/migrate.ts";
import { DomainError } from "../domain/errors.ts";

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
    const admins = await listAdmins(db);
    process.stdout.write(admins.length ? `${admins.map((r) => `${r.email}\t${r.name}`).join("\n")}\n` : "no admins yet\n");
  } else {
    const role = command === "promote" ? "admin" : "user";
    // The operator is the actor; the audit log names the command line and this run.
    // A role change revokes no token: the admin gate reads the role on every call.
    const ctx = { db, actor: { id: "cli", email: null }, requestId: `cli-${randomUUID()}` };
    const outcome = await setRoleByEmail(ctx, email as string, role);
    const now = role === "admin" ? "an admin" : "a regular user";
    process.stdout.write(outcome === "changed" ? `${email} is now ${now}\n` : `${email} is already ${now}\n`);
  }
} catch (err) {
  if (err instanceof DomainError) {
    process.stderr.write(`refusing: ${err.detail}\n`);
  } else {
    process.stderr.write(`admin: ${(err as Error).message}\n`);
  }
  exitCode = 1;
} finally {
  await db.close();
}
process.exit(exitCode);
