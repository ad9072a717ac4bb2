import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Database } from "./client.ts";

const migrationsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "migrations");
// Arbitrary constant shared by every instance: the advisory lock that makes
// concurrent start-ups apply migrations one at a time.
const MIGRATION_LOCK_KEY = 727_2026_11;

interface Migration {
  tag: string;
  statements: string[];
}

function readMigrations(): Migration[] {
  const journal = JSON.parse(readFileSync(path.join(migrationsDir, "meta", "_journal.json"), "utf8")) as {
    entries: { tag: string }[];
  };
  return journal.entries.map(({ tag }) => ({
    tag,
    statements: readFileSync(path.join(migrationsDir, `${tag}.sql`), "utf8")
      .split("--> statement-breakpoint")
      .map((s) => s.trim())
      .filter(Boolean),
  }));
}

export const expectedMigrations = readMigrations().map((m) => m.tag);

/**
 * Applies the versioned SQL files drizzle-kit generated, in journal order,
 * each in its own transaction that also takes the advisory lock, so several
 * instances starting at once apply each migration exactly once. `through`
 * stops after that migration (upgrade tests build yesterday's schema with it).
 */
export async function migrate(db: Database, options: { through?: string } = {}): Promise<string[]> {
  await db
    .query("CREATE TABLE IF NOT EXISTS doable_migrations (tag text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())")
    .catch(async (err: { code?: string }) => {
      // Two instances racing on CREATE TABLE IF NOT EXISTS can collide on the catalog.
      if (err.code !== "23505" && err.code !== "42P07") throw err;
    });
  const migrations = readMigrations();
  const last = options.through === undefined ? migrations.length - 1 : migrations.findIndex((m) => m.tag === options.through);
  if (last < 0) throw new Error(`no migration ${options.through}`);
  const applied: string[] = [];
  for (const migration of migrations.slice(0, last + 1)) {
    const done = await db.transaction(async (tx) => {
      await tx.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK_KEY]);
      const rows = await tx.query<{ tag: string }>("SELECT tag FROM doable_migrations WHERE tag = $1", [migration.tag]);
      if (rows.length > 0) return false;
      for (const statement of migration.statements) await tx.query(statement);
      await tx.query("INSERT INTO doable_migrations (tag) VALUES ($1)", [migration.tag]);
      return true;
    });
    if (done) applied.push(migration.tag);
  }
  return applied;
}

/** True when every migration this build knows has been applied. */
export async function migrationsApplied(db: Database): Promise<boolean> {
  const rows = await db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM doable_migrations WHERE tag = ANY($1::text[])",
    [expectedMigrations],
    "migrations_applied",
  );
  return rows[0]?.n === expectedMigrations.length;
}
