import path from "node:path";
import pg from "pg";
import { connectDatabase, type Database, type Queryable } from "../src/db/client.ts";
import { Progress } from "./progress.ts";
import type { DatabaseChoice } from "./server.ts";

/**
 * The database the bench may destroy: the URL's own database, which must be
 * recognisably a benchmark's (its name contains "bench"), or `doable_bench`
 * when the URL names none (or names `postgres`). Anything else is refused:
 * a DATABASE_URL meant for real use is never dropped, and two people's runs
 * are never silently pointed at the same database.
 */
export function benchDatabaseUrl(serverUrl: string): { url: string; name: string; where: string } {
  const url = new URL(serverUrl);
  const given = decodeURIComponent(url.pathname.replace(/^\//, ""));
  const name = given === "" || given === "postgres" ? "doable_bench" : given;
  if (!/bench/i.test(name)) {
    const example = new URL(url);
    example.password = "";
    example.pathname = `/${name}_bench`;
    throw new Error(
      `refusing to drop and re-create database "${name}": the benchmark only uses databases whose name contains "bench" (for example ${example})`,
    );
  }
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`the bench database name "${name}" must be a plain identifier`);
  url.pathname = `/${name}`;
  return { url: url.toString(), name, where: `${url.hostname}:${url.port || "5432"}` };
}

/**
 * Claims the bench database for this run (a session advisory lock on the
 * server's maintenance database, held until `release`) and drops and
 * re-creates it, so every run starts from the same empty state and a second
 * run on the same database fails at once instead of dropping it mid-run.
 */
export async function claimPostgresDatabase(benchUrl: string, name: string): Promise<{ release: () => Promise<void> }> {
  const maintenance = new URL(benchUrl);
  maintenance.pathname = "/postgres";
  const client = new pg.Client({ connectionString: maintenance.toString() });
  await client.connect();
  try {
    const { rows } = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock(hashtext($1)) AS locked", [
      `doable-bench:${name}`,
    ]);
    if (!rows[0]?.locked) {
      throw new Error(`another benchmark is using database ${name}; give this run its own (--database-url …/doable_bench_2)`);
    }
    await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  } catch (err) {
    await client.end();
    throw err;
  }
  client.on("error", () => {});
  return { release: () => client.end() };
}

/** Opens the bench database directly (the embedded one only while the server is stopped: it is one process's). */
export function openDatabase(choice: DatabaseChoice): Promise<Database> {
  return choice.kind === "postgres"
    ? connectDatabase({ kind: "pg", url: choice.url }, { poolMax: 2, timeoutMs: 3_600_000 })
    : connectDatabase({ kind: "pglite", dir: path.join(choice.dataDir, "pgdata") }, { poolMax: 1, timeoutMs: 3_600_000 });
}

const verbs = ["Buy", "Call", "Email", "Fix", "Plan", "Review", "Write", "Book", "Pay", "Clean"];
const nouns = [
  "milk",
  "report",
  "dentist",
  "invoice",
  "garden",
  "slides",
  "car",
  "taxes",
  "flights",
  "budget",
  "roof",
  "newsletter",
  "passport",
  "backup",
  "birthday",
  "contract",
  "printer",
  "groceries",
  "server",
  "wardrobe",
];
export const tagNames = ["work", "home", "errands", "urgent", "someday", "health", "finance", "family"];
const sqlArray = (items: string[]) => `ARRAY[${items.map((s) => `'${s}'`).join(",")}]`;

/*
 * One statement per chunk: rows = owners × tasks numbered from..to. Tasks look
 * like real ones: titles from a small vocabulary ("invoice" is in about 5 %),
 * a description on 30 % ("zephyr" in about 0.1 %), 30 % completed, 60 % with
 * a due date from 30 days ago to 90 days ahead, 0–2 tags, created over the
 * past year with time-ordered (UUIDv7-shaped) ids, as the API would make them.
 */
const insertSqlFor = (lists: "inbox" | "given", authors = false) => `
WITH src AS (
  SELECT ${authors ? "($7::text[])[1 + g % cardinality($7::text[])] AS user_id" : "u.user_id"}, ${lists === "given" ? "u.list_id" : "NULL::uuid AS list_id"}, g,
         now() - ($4::int - g) * ($5::float8 * interval '1 second') - random() * interval '1 minute' AS created,
         random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5,
         random() AS r6, random() AS r7, random() AS r8, random() AS r9, random() AS r10
  FROM ${lists === "given" ? "unnest($1::text[], $6::uuid[]) AS u(user_id, list_id)" : "unnest($1::text[]) AS u(user_id)"}, generate_series($2::int, $3::int) AS g
)
INSERT INTO tasks (id, user_id, created_by, list_id, position, title, description, completed, completed_at, priority, due_at, tags, version, created_at, updated_at)
SELECT
  overlay(overlay(overlay(md5(user_id || ':' || g || ':' || r1)
    PLACING lpad(to_hex(floor(extract(epoch FROM created) * 1000)::bigint), 12, '0') FROM 1 FOR 12)
    PLACING '7' FROM 13 FOR 1)
    PLACING substr('89ab', 1 + floor(r2 * 4)::int, 1) FROM 17 FOR 1)::uuid,
  user_id,
  user_id,
  ${lists === "given" ? "list_id" : "(SELECT l.id FROM lists l WHERE l.owner_id = src.user_id AND l.is_inbox)"},
  fi_integer_key(g),
  (${sqlArray(verbs)})[1 + floor(r3 * ${verbs.length})::int] || ' ' || (${sqlArray(nouns)})[1 + floor(r4 * ${nouns.length})::int] || ' #' || g,
  CASE WHEN r5 < 0.001 THEN 'Ask about the zephyr adapter before ordering'
       WHEN r5 < 0.3 THEN 'Notes: follow up on ' || (${sqlArray(nouns)})[1 + floor(r6 * ${nouns.length})::int] || ' and check the details first' END,
  r6 < 0.3,
  CASE WHEN r6 < 0.3 THEN created + r7 * interval '3 days' END,
  floor(r8 * 4)::smallint,
  CASE WHEN r9 < 0.6 THEN date_trunc('minute', now() + (r9 / 0.6 * 120 - 30) * interval '1 day') END,
  CASE WHEN r10 < 0.25 THEN '{}'::text[]
       WHEN r10 < 0.65 THEN ARRAY[(${sqlArray(tagNames)})[1 + floor(r7 * 8)::int]]
       ELSE ARRAY[(${sqlArray(tagNames)})[1 + floor(r7 * 8)::int], (${sqlArray(tagNames)})[1 + (floor(r7 * 8)::int + 1 + floor(r1 * 7)::int) % 8]] END,
  1,
  created,
  CASE WHEN r6 < 0.3 THEN created + r7 * interval '3 days' ELSE created END
FROM src`;
const insertSql = insertSqlFor("inbox");

const ROWS_PER_STATEMENT = 50_000;
const YEAR_SECONDS = 365 * 86_400;

/**
 * Bulk-inserts `perUser` tasks for each owner with INSERT … SELECT
 * generate_series, in chunks of about 50,000 rows (each its own transaction,
 * with a fixed random seed so runs create the same data).
 */
export async function bulkInsertTasks(db: Database, ownerIds: string[], perUser: number, label = "tasks (SQL)"): Promise<number> {
  const total = ownerIds.length * perUser;
  const progress = new Progress(label, total);
  if (perUser === 0) return progress.finish();
  const spacing = YEAR_SECONDS / perUser;
  const usersPerChunk = Math.max(1, Math.floor(ROWS_PER_STATEMENT / perUser));
  const seriesPerChunk = Math.min(perUser, ROWS_PER_STATEMENT);
  let chunk = 0;
  for (let u = 0; u < ownerIds.length; u += usersPerChunk) {
    const owners = ownerIds.slice(u, u + usersPerChunk);
    for (let from = 1; from <= perUser; from += seriesPerChunk) {
      const to = Math.min(perUser, from + seriesPerChunk - 1);
      chunk++;
      await db.transaction(async (tx) => {
        await tx.query("SELECT setseed($1)", [((chunk * 7919) % 10_000) / 10_000]);
        await tx.query(insertSql, [owners, from, to, perUser, spacing]);
      });
      progress.tick(owners.length * (to - from + 1));
    }
  }
  return progress.finish();
}

/** Fresh planner statistics (PGlite has no autovacuum; PostgreSQL's may not have run yet). */
export async function analyze(db: Queryable): Promise<void> {
  await db.query("VACUUM ANALYZE tasks");
  await db.query('ANALYZE "user"');
}

/** Up to `perUser` random task ids of each owner: the targets of get/update/toggle. */
export async function sampleTaskIds(db: Queryable, ownerIds: string[], perUser: number): Promise<Map<string, string[]>> {
  const rows = await db.query<{ user_id: string; id: string }>(
    `SELECT user_id, id::text AS id FROM (
       SELECT user_id, id, row_number() OVER (PARTITION BY user_id ORDER BY random()) AS n
       FROM tasks WHERE user_id = ANY($1::text[])
     ) s WHERE n <= $2`,
    [ownerIds, perUser],
  );
  const byOwner = new Map<string, string[]>();
  for (const row of rows) {
    const list = byOwner.get(row.user_id);
    if (list) list.push(row.id);
    else byOwner.set(row.user_id, [row.id]);
  }
  return byOwner;
}

export async function countTasks(db: Queryable): Promise<number> {
  const rows = await db.query<{ n: string | number }>("SELECT count(*) AS n FROM tasks");
  return Number(rows[0]?.n ?? 0);
}

/**
 * The lists scenario's tasks: `perList` tasks at the top level of each list
 * (the same rows as bulkInsertTasks makes, in the list's manual order), in
 * chunks of about 50,000 rows.
 */
export async function bulkInsertListTasks(
  db: Database,
  lists: { id: string; ownerId: string }[],
  perList: number,
  label: string,
  /** Who created the tasks, in turn (a shared list's members); by default each list's owner. */
  authors?: string[],
): Promise<number> {
  const progress = new Progress(label, lists.length * perList);
  if (perList === 0) return progress.finish();
  const spacing = YEAR_SECONDS / perList;
  const listsPerChunk = Math.max(1, Math.floor(ROWS_PER_STATEMENT / perList));
  const seriesPerChunk = Math.min(perList, ROWS_PER_STATEMENT);
  const sql = insertSqlFor("given", authors !== undefined && authors.length > 0);
  let chunk = 0;
  for (let l = 0; l < lists.length; l += listsPerChunk) {
    const part = lists.slice(l, l + listsPerChunk);
    for (let from = 1; from <= perList; from += seriesPerChunk) {
      const to = Math.min(perList, from + seriesPerChunk - 1);
      chunk++;
      await db.transaction(async (tx) => {
        await tx.query("SELECT setseed($1)", [((chunk * 7919) % 10_000) / 10_000]);
        const params: unknown[] = [part.map((x) => x.ownerId), from, to, perList, spacing, part.map((x) => x.id)];
        if (authors && authors.length > 0) params.push(authors);
        await tx.query(sql, params);
      });
      progress.tick(part.length * (to - from + 1));
    }
  }
  return progress.finish();
}

/**
 * Shares a list as accepting invitations would (SPEC §8), straight in the
 * database: a list_members row per member with `role`, placed after the
 * member's Inbox in their own order of lists (each of them has only the
 * Inbox), a member.joined entry in the list's activity each, and
 * lists.shared = true.
 */
export async function shareList(db: Database, listId: string, memberIds: string[], role: "editor" | "viewer"): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO list_members (list_id, user_id, role, position)
       SELECT $1::uuid, m, $3, 'a1' FROM unnest($2::text[]) AS m`,
      [listId, memberIds, role],
    );
    await tx.query(
      `INSERT INTO activity (list_id, actor_id, action, subject_user_id, data)
       SELECT $1::uuid, m, 'member.joined', m, jsonb_build_object('role', $3::text) FROM unnest($2::text[]) AS m`,
      [listId, memberIds, role],
    );
    await tx.query("UPDATE lists SET shared = true WHERE id = $1::uuid", [listId]);
  });
}

/** Every list of these owners, the Inbox first, then in creation order. */
export async function listsOf(db: Queryable, ownerIds: string[]): Promise<{ id: string; ownerId: string }[]> {
  return db.query<{ id: string; ownerId: string }>(
    `SELECT id::text AS id, owner_id AS "ownerId" FROM lists WHERE owner_id = ANY($1::text[]) ORDER BY owner_id, NOT is_inbox, created_at, id`,
    [ownerIds],
  );
}

/** Up to `n` random top-level tasks of a list. */
export async function sampleListTaskIds(db: Queryable, listId: string, n: number): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    "SELECT id::text AS id FROM tasks WHERE list_id = $1::uuid AND parent_id IS NULL ORDER BY random() LIMIT $2",
    [listId, n],
  );
  return rows.map((r) => r.id);
}

/** Every task's version (and a digest of its row), to tell afterwards which rows a phase wrote. */
export async function taskVersions(db: Queryable): Promise<Map<string, { listId: string; version: number; digest: string }>> {
  const rows = await db.query<{ id: string; list_id: string; version: number; digest: string }>(
    "SELECT id::text AS id, list_id::text AS list_id, version, md5(row_to_json(t)::text) AS digest FROM tasks t",
  );
  return new Map(rows.map((r) => [r.id, { listId: r.list_id, version: r.version, digest: r.digest }]));
}

export async function longestKey(db: Queryable, listId: string): Promise<number> {
  const rows = await db.query<{ n: number | null }>("SELECT max(length(position))::int AS n FROM tasks WHERE list_id = $1::uuid", [listId]);
  return rows[0]?.n ?? 0;
}

/** The highest activity id so far (0 when there is none). */
export async function lastActivityId(db: Queryable): Promise<number> {
  const rows = await db.query<{ n: string | number | null }>("SELECT max(id) AS n FROM activity");
  return Number(rows[0]?.n ?? 0);
}

/** A list's activity entries after `afterId`: how many, by how many distinct actors, and how many without one. */
export async function activitySince(
  db: Queryable,
  listId: string,
  afterId: number,
): Promise<{ entries: number; actors: number; withoutActor: number }> {
  const rows = await db.query<{ entries: number; actors: number; without_actor: number }>(
    `SELECT count(*)::int AS entries, count(DISTINCT actor_id)::int AS actors, (count(*) FILTER (WHERE actor_id IS NULL))::int AS without_actor
       FROM activity WHERE list_id = $1::uuid AND id > $2`,
    [listId, afterId],
  );
  const r = rows[0];
  return { entries: r?.entries ?? 0, actors: r?.actors ?? 0, withoutActor: r?.without_actor ?? 0 };
}
