import { createHash } from "node:crypto";
import type { Queryable } from "../db/client.ts";
import { isoUtc, likePattern } from "../db/sql.ts";
import type { SortKey, View } from "./schemas.ts";

/*
 * The task data layer. Every statement on a task checks the caller's
 * membership of the task's list in the statement itself (reads: any role;
 * writes: owner or editor) and names the caller as the actor of the list's
 * activity (set_config('doable.actor', …), read by the activity trigger of
 * migration 0006). Rows leave
 * PostgreSQL already as the API's JSON: the `doc` column, which a trigger
 * writes with the row (migration 0003), so reads pass stored text through
 * without building, parsing or re-serializing anything.
 */

export interface TaskRow {
  j: string;
  version: number;
}

const RETURNING = "RETURNING doc AS j, version";

/** The caller (`user`, a parameter) is a member of the list of `t` (an alias of tasks), in any role. */
const member = (t: string, user: string) => `EXISTS (SELECT 1 FROM list_members m WHERE m.list_id = ${t}.list_id AND m.user_id = ${user})`;

/** The caller may change the tasks of the list of `t`: owner or editor. */
const writer = (t: string, user: string) =>
  `EXISTS (SELECT 1 FROM list_members m WHERE m.list_id = ${t}.list_id AND m.user_id = ${user} AND m.role IN ('owner', 'editor'))`;

/**
 * Names the caller as the actor of this statement's activity entries (the
 * trigger reads it at the end of the statement); always true, as a condition
 * of the writing statement's WHERE clause.
 */
export const actorIs = (user: string) => `set_config('doable.actor', ${user}, true) IS NOT NULL`;

export interface NewTask {
  id: string;
  userId: string;
  title: string;
  description: string | null;
  priority: number;
  dueAt: string | null;
  dueDate: string | null;
  tags: string[];
  completed: boolean;
  /** The list named by the client; null: the parent's list, or else the creator's Inbox. */
  listId: string | null;
  parentId: string | null;
  /** A member of the task's list (checked by the insert), or null. */
  assigneeId: string | null;
}

export interface TaskLimits {
  tasksPerList: number;
  subtasksPerTask: number;
}

/** A top-level task is level 1; subtasks nest down to this level (SPEC §7). */
export const MAX_DEPTH = 4;

/**
 * Inserts a task at the end of its siblings in one statement: the list (the
 * named one, else the parent's, else the Inbox) must be one the creator may
 * write to, the parent a task of that list less than MAX_DEPTH levels deep,
 * and the trigger-kept counters under the limits; the key after the last
 * sibling is computed in place (task_append_position, migration 0005, which
 * queues concurrent appends to one list on the list's row). Nothing inserted
 * means one of these failed: `explainRejectedInsert` says which. A move that
 * took the same key at the same moment makes this fail with 23505 on
 * tasks_sibling_position_key; the service retries.
 */
export async function insertTask(q: Queryable, t: NewTask, limits: TaskLimits): Promise<TaskRow | undefined> {
  const rows = await q.query<TaskRow>(
    `WITH RECURSIVE parent AS (
       SELECT p.id, p.list_id, p.subtask_count FROM tasks p
        WHERE p.id = $10::uuid
          AND p.list_id IN (SELECT list_id FROM list_members WHERE user_id = $2 AND role IN ('owner', 'editor'))
     ), target AS (
       SELECT l.id, l.task_count FROM lists l
        WHERE l.id = coalesce($9::uuid, (SELECT list_id FROM parent),
                              CASE WHEN $10::uuid IS NULL THEN (SELECT id FROM lists WHERE owner_id = $2 AND is_inbox) END)
          AND l.id IN (SELECT list_id FROM list_members WHERE user_id = $2 AND role IN ('owner', 'editor'))
     ), up (id, parent_id, depth) AS (
       SELECT id, parent_id, 1 FROM tasks WHERE id = (SELECT id FROM parent)
       UNION ALL
       SELECT t.id, t.parent_id, up.depth + 1 FROM tasks t JOIN up ON t.id = up.parent_id WHERE up.depth <= $14
     )
     INSERT INTO tasks (id, user_id, created_by, assignee_id, list_id, parent_id, position, title, description, priority, due_at, due_date,
                        tags, completed, completed_at)
     SELECT $1, $2, $2, $15::text, target.id, $10::uuid,
            task_append_position(target.id, $10::uuid),
            $3, $4, $5, $6::timestamptz, $11::date, $7::text[], $8, CASE WHEN $8 THEN now() END
       FROM target
      WHERE target.task_count < $12
        AND ($10::uuid IS NULL OR EXISTS (SELECT 1 FROM parent WHERE parent.list_id = target.id AND parent.subtask_count < $13))
        AND (SELECT count(*) FROM up) < $14
        AND ($15::text IS NULL OR EXISTS (SELECT 1 FROM list_members a WHERE a.list_id = target.id AND a.user_id = $15::text))
        AND ${actorIs("$2")}
     ${RETURNING}`,
    [
      t.id,
      t.userId,
      t.title,
      t.description,
      t.priority,
      t.dueAt,
      t.tags,
      t.completed,
      t.listId,
      t.parentId,
      t.dueDate,
      limits.tasksPerList,
      limits.subtasksPerTask,
      MAX_DEPTH,
      t.assigneeId,
    ],
    "task_insert",
  );
  return rows[0];
}

export type InsertRejection =
  | "viewer"
  | "list"
  | "parent"
  | "parent_elsewhere"
  | "depth"
  | "list_full"
  | "parent_full"
  | "assignee"
  | "none";

/** Why `insertTask` inserted nothing (read after the fact: only on the failure path). */
export async function explainRejectedInsert(q: Queryable, t: NewTask, limits: TaskLimits): Promise<InsertRejection> {
  const rows = await q.query<{
    list: string | null;
    list_count: number | null;
    parent_list: string | null;
    parent_count: number | null;
    depth: number;
    assignee_member: boolean;
    role: string | null;
  }>(
    `WITH RECURSIVE writable AS (SELECT list_id FROM list_members WHERE user_id = $1 AND role IN ('owner', 'editor')),
     parent AS (SELECT id, list_id, subtask_count FROM tasks WHERE id = $3::uuid AND list_id IN (SELECT list_id FROM writable)),
     up (id, parent_id, depth) AS (
       SELECT id, parent_id, 1 FROM tasks WHERE id = (SELECT id FROM parent)
       UNION ALL
       SELECT t.id, t.parent_id, up.depth + 1 FROM tasks t JOIN up ON t.id = up.parent_id WHERE up.depth <= $4
     )
     SELECT l.id::text AS list, l.task_count AS list_count, (SELECT list_id::text FROM parent) AS parent_list,
            (SELECT subtask_count FROM parent) AS parent_count, (SELECT count(*)::int FROM up) AS depth,
            $5::text IS NULL OR EXISTS (SELECT 1 FROM list_members a WHERE a.list_id = l.id AND a.user_id = $5::text) AS assignee_member,
            (SELECT m.role FROM list_members m
              WHERE m.user_id = $1 AND m.list_id = coalesce($2::uuid, (SELECT p.list_id FROM tasks p WHERE p.id = $3::uuid))) AS role
       FROM (SELECT 1) one
       LEFT JOIN lists l ON l.id = coalesce($2::uuid, (SELECT list_id FROM parent),
                                            CASE WHEN $3::uuid IS NULL THEN (SELECT id FROM lists WHERE owner_id = $1 AND is_inbox) END)
                        AND l.id IN (SELECT list_id FROM writable)`,
    [t.userId, t.listId, t.parentId, MAX_DEPTH, t.assigneeId],
    "task_insert_rejected",
  );
  const r = rows[0];
  if (r?.role === "viewer") return "viewer";
  if (t.parentId !== null && r?.parent_list == null) return "parent";
  if (!r?.list) return "list";
  if (t.parentId !== null && r.parent_list !== r.list) return "parent_elsewhere";
  if (r.depth >= MAX_DEPTH) return "depth";
  if ((r.list_count ?? 0) >= limits.tasksPerList) return "list_full";
  if (t.parentId !== null && (r.parent_count ?? 0) >= limits.subtasksPerTask) return "parent_full";
  if (!r.assignee_member) return "assignee";
  return "none";
}

/** A task of a list the caller is a member of (any role). */
export async function selectTask(q: Queryable, userId: string, id: string): Promise<TaskRow | undefined> {
  const rows = await q.query<TaskRow>(
    `SELECT doc AS j, version FROM tasks t WHERE t.id = $1 AND ${member("t", "$2")}`,
    [id, userId],
    "task_select",
  );
  return rows[0];
}

export interface TaskAccess {
  role: "owner" | "editor" | "viewer";
  version: number;
  /** `assigneeId` (when given) is a member of the task's list. */
  assigneeMember: boolean;
}

/**
 * The caller's role in the task's list and the task's version: why a write
 * by id matched nothing (only read on that path). Undefined: the caller is
 * not a member of the task's list, or there is no such task.
 */
export async function taskAccess(q: Queryable, userId: string, id: string, assigneeId: string | null): Promise<TaskAccess | undefined> {
  const rows = await q.query<TaskAccess>(
    `SELECT m.role, t.version,
            $3::text IS NULL OR EXISTS (SELECT 1 FROM list_members a WHERE a.list_id = t.list_id AND a.user_id = $3::text) AS "assigneeMember"
       FROM tasks t JOIN list_members m ON m.list_id = t.list_id AND m.user_id = $2
      WHERE t.id = $1`,
    [id, userId, assigneeId],
    "task_access",
  );
  return rows[0];
}

type CompletedRow = TaskRow & { closed: number };

/**
 * Completing a task completes its open subtasks at every level (SPEC §7), in
 * the same statement: `update` (an UPDATE of one task, without RETURNING) runs
 * as a CTE, and when `completing` (SQL) holds and the task ends up completed,
 * its open descendants are completed beside it. Already completed ones keep
 * their completed_at; reopening reopens only the task itself.
 */
function withCompletionCascade(update: string, completing: string): string {
  return `WITH RECURSIVE target AS (${update}
       RETURNING id, doc, version, completed
     ), sub AS (
       SELECT c.id FROM tasks c JOIN target ON c.parent_id = target.id WHERE target.completed AND ${completing}
       UNION ALL
       SELECT c.id FROM tasks c JOIN sub ON c.parent_id = sub.id
     ), closed AS (
       UPDATE tasks c SET completed = true, completed_at = now(), version = c.version + 1, updated_at = now()
       FROM sub WHERE c.id = sub.id AND NOT c.completed AND ${actorIs("$2")}
       RETURNING 1
     )
     SELECT doc AS j, version, (SELECT count(*) FROM closed)::int AS closed FROM target`;
}

/**
 * The task as stored once the statement is over: after a cascade the child
 * counters' trigger has raised the task's open_subtask_count and version
 * behind the RETURNING, so it is read again (by id: the write just proved access).
 */
async function afterCascade(q: Queryable, id: string, row: CompletedRow | undefined): Promise<TaskRow | undefined> {
  if (!row || row.closed === 0) return row && { j: row.j, version: row.version };
  const rows = await q.query<TaskRow>("SELECT doc AS j, version FROM tasks WHERE id = $1", [id], "task_after_cascade");
  return rows[0];
}

/** A present key means "set this field" (null included); an absent key keeps the stored value. */
export interface TaskChanges {
  title?: string;
  description?: string | null;
  priority?: number;
  dueAt?: string | null;
  dueDate?: string | null;
  tags?: string[];
  completed?: boolean;
  /** A member of the task's list (checked by the update), or null. */
  assigneeId?: string | null;
}

export async function updateTask(
  q: Queryable,
  ownerId: string,
  id: string,
  c: TaskChanges,
  expectedVersions: readonly number[] | null,
): Promise<TaskRow | undefined> {
  const has = (k: keyof TaskChanges) => k in c;
  const rows = await q.query<CompletedRow>(
    withCompletionCascade(
      `UPDATE tasks t SET
       title = CASE WHEN $3 THEN $4 ELSE title END,
       description = CASE WHEN $5 THEN $6 ELSE description END,
       priority = CASE WHEN $7 THEN $8::smallint ELSE priority END,
       due_at = CASE WHEN $9 THEN $10::timestamptz ELSE due_at END,
       tags = CASE WHEN $11 THEN $12::text[] ELSE tags END,
       completed = CASE WHEN $13 THEN $14::boolean ELSE completed END,
       completed_at = CASE WHEN NOT $13 THEN completed_at
                           WHEN $14::boolean AND completed THEN completed_at
                           WHEN $14::boolean THEN now() ELSE NULL END,
       due_date = CASE WHEN $16 THEN $17::date ELSE due_date END,
       assignee_id = CASE WHEN $18 THEN $19::text ELSE assignee_id END,
       version = version + 1,
       updated_at = now()
     WHERE id = $1 AND ${writer("t", "$2")} AND ($15::int[] IS NULL OR version = ANY($15::int[]))
       AND (NOT $18 OR $19::text IS NULL OR EXISTS (SELECT 1 FROM list_members a WHERE a.list_id = t.list_id AND a.user_id = $19::text))
       AND ${actorIs("$2")}`,
      "$13 AND $14::boolean",
    ),
    [
      id,
      ownerId,
      has("title"),
      c.title ?? null,
      has("description"),
      c.description ?? null,
      has("priority"),
      c.priority ?? 0,
      has("dueAt"),
      c.dueAt ?? null,
      has("tags"),
      c.tags ?? [],
      has("completed"),
      c.completed ?? false,
      expectedVersions,
      has("dueDate"),
      c.dueDate ?? null,
      has("assigneeId"),
      c.assigneeId ?? null,
    ],
    "task_update",
  );
  return afterCascade(q, id, rows[0]);
}

/** Sets completion (or toggles it when `completed` is null) in one atomic statement. */
export async function setCompletion(
  q: Queryable,
  ownerId: string,
  id: string,
  completed: boolean | null,
  expectedVersions: readonly number[] | null,
): Promise<TaskRow | undefined> {
  const rows = await q.query<CompletedRow>(
    withCompletionCascade(
      `UPDATE tasks t SET
       completed = coalesce($3::boolean, NOT completed),
       completed_at = CASE WHEN NOT coalesce($3::boolean, NOT completed) THEN NULL
                           WHEN completed THEN completed_at ELSE now() END,
       version = version + 1,
       updated_at = now()
     WHERE id = $1 AND ${writer("t", "$2")} AND ($4::int[] IS NULL OR version = ANY($4::int[])) AND ${actorIs("$2")}`,
      "true",
    ),
    [id, ownerId, completed, expectedVersions],
    "task_completion",
  );
  return afterCascade(q, id, rows[0]);
}

export async function deleteTask(q: Queryable, ownerId: string, id: string, expectedVersions: readonly number[] | null): Promise<boolean> {
  const rows = await q.query(
    `DELETE FROM tasks t WHERE t.id = $1 AND ${writer("t", "$2")} AND ($3::int[] IS NULL OR t.version = ANY($3::int[])) AND ${actorIs("$2")}
     RETURNING 1`,
    [id, ownerId, expectedVersions],
    "task_delete",
  );
  return rows.length > 0;
}

export interface ListFilters {
  completed?: boolean;
  priorities?: number[];
  tags?: string[];
  /** Text to find in the title or description, literally (`q`). */
  search?: string;
  dueBefore?: string;
  dueAfter?: string;
  overdue?: boolean;
  /** One list's tasks (the caller must be a member). */
  listId?: string;
  /** "none": top-level tasks; an id: that task's direct subtasks. */
  parentId?: string;
  view?: View;
  /** A user id: the tasks assigned to them; null: the unassigned ones. */
  assignee?: string | null;
}

/**
 * Which counter validates a cached page: the list's own (tasks_version, for a
 * page of one list or of one task's subtasks) or the owner's cross-list one.
 */
export type PageScope = { kind: "owner" } | { kind: "list"; listId: string } | { kind: "parent"; parentId: string };

export function scopeOf(f: ListFilters): PageScope {
  if (f.listId !== undefined) return { kind: "list", listId: f.listId };
  if (f.parentId !== undefined && f.parentId !== "none") return { kind: "parent", parentId: f.parentId };
  return { kind: "owner" };
}

/**
 * The version a page of this scope is read at, as one scalar subquery of the
 * page's own statement (same snapshot) that is also its access check: null
 * when the caller cannot see the list or the parent task. A list's counter
 * carries the list's id, so that two lists' counters never compare equal.
 */
function versionSql(scope: PageScope, param: (v: unknown) => string): string {
  switch (scope.kind) {
    case "owner":
      return "(SELECT version::text FROM task_list_versions WHERE user_id = $1)";
    case "list":
      return `(SELECT l.id::text || ':' || l.tasks_version FROM lists l JOIN list_members m ON m.list_id = l.id AND m.user_id = $1
                WHERE l.id = ${param(scope.listId)}::uuid)`;
    case "parent":
      return `(SELECT l.id::text || ':' || l.tasks_version FROM tasks p JOIN lists l ON l.id = p.list_id
                 JOIN list_members m ON m.list_id = l.id AND m.user_id = $1 WHERE p.id = ${param(scope.parentId)}::uuid)`;
  }
}

/** The version of a page's scope now; undefined when the caller cannot see it (see versionSql). */
export async function scopeVersion(q: Queryable, ownerId: string, scope: PageScope): Promise<string | undefined> {
  const params: unknown[] = [ownerId];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const rows = await q.query<{ v: string | null }>(`SELECT ${versionSql(scope, param)} AS v`, params, `task_scope_version_${scope.kind}`);
  const v = rows[0]?.v;
  if (v == null) return scope.kind === "owner" ? "0" : undefined;
  return v;
}

export interface ListPage {
  sort: SortKey;
  descending: boolean;
  limit: number;
  after?: { key: string | number; id: string };
}

/**
 * Sort expressions (each has an index on (user_id, expression, id)) and the
 * cursor key made from a value of one, computed for the page's last row only.
 */
const sortColumn: Record<SortKey, { expr: string; cast: string; key: (value: string) => string }> = {
  created_at: { expr: "created_at", cast: "timestamptz", key: isoUtc },
  updated_at: { expr: "updated_at", cast: "timestamptz", key: isoUtc },
  due_at: { expr: "due_sort", cast: "timestamptz", key: (v) => `CASE WHEN isfinite(${v}) THEN ${isoUtc(v)} ELSE 'infinity' END` },
  priority: { expr: "priority", cast: "smallint", key: (v) => v },
  title: { expr: "lower(title)", cast: "text", key: (v) => v },
  position: { expr: "position", cast: "text", key: (v) => v },
};

const statementNames = new Map<string, string>();
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) {
    name = `task_list_${createHash("sha1").update(text).digest("hex").slice(0, 16)}`;
    statementNames.set(text, name);
  }
  return name;
}

export interface ListedPage {
  /** The owner's list version the page was read at ("0" before their first write). */
  version: string;
  /** The page's tasks as one JSON array (text). */
  json: string;
  /** Tasks in the page. */
  count: number;
  /** Sort key and id of the page's last task when more tasks follow, else null. */
  next: { k: string | number; id: string } | null;
}

/**
 * The rows of a page across lists: every task of every list the caller
 * ($1) is a member of, as two index-friendly halves, each ordered and
 * limited, merged here. The caller's own tasks in their lists (for a user
 * whose lists are all private, that is everything, on the seed's (user_id,
 * sort, id) indexes), and the others' tasks in the shared lists the caller
 * is a member of, read list by list (a LATERAL subquery per shared list, each
 * ordered and limited on its own: on (list_id, created_at, id) for the default
 * sort, a walk that stops after limit + 1 rows, where one scan over all those
 * lists had to read and sort every task of a 10,000-task list). A list that
 * was never shared holds only its owner's tasks (a move that brings another
 * creator's task in marks it shared: move-queries.ts), so nothing falls
 * between the halves.
 */
function rowsAcrossLists(rowsWhere: (access: string[]) => string, dir: string, limit: string): string {
  // The membership test is wrapped (IS TRUE) so that it stays a filter (a hashed subplan, one read of
  // the caller's memberships) on the walk of (user_id, sort, id): as a plain IN, PostgreSQL turned it
  // into a join and, misestimating the two conditions together, read and sorted all of the caller's
  // tasks: measured on the mixed bench database, generic plans, 0.59 ms against 0.12 ms for the
  // seed's query; wrapped, 0.14 ms. The shared flag is read per membership (a primary-key lookup).
  const own = rowsWhere(["user_id = $1", "(list_id IN (SELECT list_id FROM list_members WHERE user_id = $1)) IS TRUE"]);
  const others = `SELECT x.j, x.id, x.s
      FROM (SELECT m.list_id FROM list_members m WHERE m.user_id = $1 AND (SELECT l.shared FROM lists l WHERE l.id = m.list_id)) sl
      CROSS JOIN LATERAL (${rowsWhere(["list_id = sl.list_id", "user_id <> $1"])}) x`;
  return `SELECT j, id, s FROM ((${own}) UNION ALL (${others})) halves ORDER BY s ${dir}, id ${dir} LIMIT ${limit}`;
}

/**
 * One page of the tasks the caller can see, aggregated by PostgreSQL into one row: the
 * JSON array, how many rows matched (up to limit + 1, the extra one meaning
 * "there is a next page") and the last task's key and id for the cursor. One
 * row instead of limit + 1 saves the driver most of its work: measured on a
 * 100-task page, about 170-280 µs less CPU in Node for about 55 µs more in
 * PostgreSQL.
 */
export async function listTasks(
  q: Queryable,
  ownerId: string,
  f: ListFilters,
  page: ListPage,
  nowMs: number,
): Promise<ListedPage | undefined> {
  const params: unknown[] = [ownerId];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const scope = scopeOf(f);
  const where: string[] = [];
  // One list: the version below is its access check. One task's subtasks: they are in the parent's
  // list, whose membership the version checks. Across lists: see `rowsAcrossLists`.
  if (f.listId !== undefined) where.push(`list_id = ${param(f.listId)}::uuid`);
  if (f.parentId === "none") where.push("parent_id IS NULL");
  else if (f.parentId !== undefined) where.push(`parent_id = ${param(f.parentId)}::uuid`);
  if (f.assignee === null) where.push("assignee_id IS NULL");
  if (f.completed !== undefined) where.push(f.completed ? "completed" : "NOT completed");
  if (f.priorities) where.push(`priority = ANY(${param(f.priorities)}::smallint[])`);
  if (f.tags && f.tags.length > 0) where.push(`tags @> ${param(f.tags)}::text[]`);
  if (f.search !== undefined) {
    // The concatenation is what the trigram index holds. A match can span both fields only through
    // the newline between them, so only a search text with a newline needs the second test; written
    // always, it made PostgreSQL guess 10-20x too few matches and at times pick a plan 5-14x slower.
    const p = param(likePattern(f.search));
    const concatenated = `(title || E'\\n' || coalesce(description, '')) ILIKE ${p}`;
    where.push(f.search.includes("\n") ? `${concatenated} AND (title ILIKE ${p} OR description ILIKE ${p})` : concatenated);
  }
  // Written on due_sort (= coalesce(due_at, end of due_date in UTC, 'infinity'); due dates are always
  // finite) so that the (user_id, due_sort, id) index serves the range and the planner sees one range.
  if (f.dueBefore) where.push(`due_sort < ${param(f.dueBefore)}::timestamptz`);
  if (f.dueAfter) where.push(`due_sort >= ${param(f.dueAfter)}::timestamptz AND due_sort < 'infinity'`);
  if (f.overdue !== undefined || f.view !== undefined) {
    const day = dayTerms(param(new Date(nowMs).toISOString()));
    if (f.overdue === true) where.push(day.overdue);
    if (f.overdue === false) where.push(`NOT ${day.overdue}`);
    if (f.view !== undefined) where.push(day.view(f.view));
  }

  const col = sortColumn[page.sort];
  const dir = page.descending ? "DESC" : "ASC";
  if (page.after) {
    const k = `${param(page.after.key)}::${col.cast}`;
    // The leading column alone lets the index start the scan at the key (the row comparison alone
    // is not an index condition on (list_id, parent_id, position)).
    if (page.sort === "position") where.push(`position ${page.descending ? "<=" : ">="} ${k}`);
    where.push(`(${col.expr}, id) ${page.descending ? "<" : ">"} (${k}, ${param(page.after.id)}::uuid)`);
  }
  const version = versionSql(scope, param);
  const extra = param(page.limit + 1);
  const rowsWhere = (access: string[]) => `SELECT doc AS j, id, ${col.expr} AS s FROM tasks
    WHERE ${[...access, ...where].join(" AND ")}
    ORDER BY ${col.expr} ${dir}, id ${dir}
    LIMIT ${extra}`;
  let rows: string;
  if (typeof f.assignee === "string") {
    // One assignee's tasks (tasks_assignee_idx), in the lists the caller is a member of.
    const access = [`assignee_id = ${param(f.assignee)}`];
    if (scope.kind === "owner") access.push("list_id IN (SELECT list_id FROM list_members WHERE user_id = $1)");
    rows = rowsWhere(access);
  } else if (scope.kind === "owner") {
    rows = rowsAcrossLists(rowsWhere, dir, extra);
  } else {
    rows = rowsWhere([]);
  }
  // Numbered after the LIMIT (which keeps PostgreSQL's top-N sort), in the order the rows already have.
  const limit = param(page.limit);
  // The version comes from the same snapshot as the rows (for the page cache); for a list or a
  // parent it is also the access check: null, and no rows, when the caller cannot see it.
  const text = `SELECT count(*)::int AS n, ${version} AS v,
      '[' || coalesce(string_agg(j, ',' ORDER BY n) FILTER (WHERE n <= ${limit}), '') || ']' AS json,
      ${col.key(`max(s) FILTER (WHERE n = ${limit})`)} AS k, max(id::text) FILTER (WHERE n = ${limit}) AS id
    FROM (SELECT j, id, s, row_number() OVER (ORDER BY s ${dir}, id ${dir}) AS n FROM (${rows}) page
          WHERE ${scope.kind === "owner" ? "true" : `${version} IS NOT NULL`}) numbered`;
  // A search or tag filter's best plan depends on its value (a common word: walk the sort index;
  // a rare one: the GIN index), so those statements stay unnamed and are planned for their values.
  // A named one gets PostgreSQL's generic plan after five runs: measured 20-40x slower for them.
  const valueSensitive = f.search !== undefined || (f.tags !== undefined && f.tags.length > 0);
  const [r] = await q.query<{ n: number; v: string | null; json: string; k: string | number | null; id: string | null }>(
    text,
    params,
    valueSensitive ? undefined : statementName(text),
  );
  if (scope.kind !== "owner" && r?.v == null) return undefined;
  const n = r?.n ?? 0;
  return {
    version: r?.v ?? "0",
    json: r?.json ?? "[]",
    count: Math.min(n, page.limit),
    next: n > page.limit && r?.k != null && r.id !== null ? { k: r.k, id: r.id } : null,
  };
}

/**
 * The calendar in the owner's time zone (user_preferences, UTC by default)
 * at `now` (the app's clock, a parameter: tests pin it). A due_date is that
 * day wherever the reader is: due at its end, overdue from the next day on.
 */
function dayTerms(now: string) {
  const zone = "coalesce((SELECT timezone FROM user_preferences WHERE user_id = $1), 'UTC')";
  const today = `((${now}::timestamptz AT TIME ZONE ${zone})::date)`;
  // Midnight at the start of `today + days` in the zone, as an instant (DST-aware).
  const midnight = (days: number) => `((${today} + ${days})::timestamp AT TIME ZONE ${zone})`;
  const overdue = `(NOT completed AND (coalesce(due_at < ${now}::timestamptz, false) OR coalesce(due_date < ${today}, false)))`;
  const dueWithin = (days: number) =>
    `((due_at >= ${midnight(0)} AND due_at < ${midnight(days)}) OR (due_date >= ${today} AND due_date < ${today} + ${days}))`;
  // Bounds on due_sort (a floating day sorts at its end in UTC) so that (user_id, due_sort, id) can
  // narrow the scan; the exact tests follow them.
  // The last millisecond of `today + days` in UTC: where due_sort puts that floating day.
  const dayEndUtc = (days: number) => `((((${today} + ${days + 1})::timestamp - interval '1 millisecond') AT TIME ZONE 'UTC'))`;
  const view = (v: View): string => {
    switch (v) {
      case "today":
        return `due_sort <= greatest(${midnight(1)}, ${dayEndUtc(0)}) AND (${dueWithin(1)} OR ${overdue})`;
      case "upcoming":
        return `due_sort >= least(${midnight(0)}, ${dayEndUtc(0)}) AND due_sort <= greatest(${midnight(7)}, ${dayEndUtc(6)})
                AND ${dueWithin(7)} AND NOT ${overdue}`;
      case "overdue":
        return overdue;
    }
  };
  return { overdue, view };
}
