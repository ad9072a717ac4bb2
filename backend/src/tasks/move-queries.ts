import type { Queryable } from "../db/client.ts";
import { actorIs, type TaskRow } from "./queries.ts";

/*
 * The statements of a task move (tasks/move.ts runs them in one transaction).
 * Access is the caller's membership of the lists involved, in each statement;
 * a write also needs a role other than viewer, re-checked by the write itself.
 * The first statement (lockTrees) names the caller as the actor of the
 * activity the move writes, for the whole transaction; the writes name it too.
 */

/** A sibling group: the top level of a list (parent null) or one parent's subtasks. */
export interface Group {
  listId: string;
  parentId: string | null;
}

const writer = (list: string, actor: string) =>
  `EXISTS (SELECT 1 FROM list_members m WHERE m.list_id = ${list} AND m.user_id = ${actor} AND m.role <> 'viewer')`;

/** Advisory lock class of "the task tree of one list" (the two-key form: apart from the migrations' lock). */
const TREE_LOCK_CLASS = 13;

/**
 * Takes the tree locks of the lists a move touches, in id order (movers never
 * deadlock on them): the task's list, `listId` and the list of `parentId`,
 * each only if the caller is a member. Moves of one list thus run one at a
 * time, so a cycle or depth check is never overtaken by another move. Creates
 * do not take them, so a create never waits behind a move's reads (it can
 * still take a key a move computed: the unique constraint then makes the move
 * retry). Returns the locked list ids.
 */
export async function lockTrees(
  q: Queryable,
  actorId: string,
  taskId: string,
  listId: string | null,
  parentId: string | null,
): Promise<string[]> {
  const rows = await q.query<{ id: string }>(
    `SELECT l.id::text AS id, pg_advisory_xact_lock(${TREE_LOCK_CLASS}, hashtext(l.id::text))::text AS locked,
            set_config('doable.actor', $1, true) AS actor
     FROM (SELECT DISTINCT x AS id FROM unnest(ARRAY[
             (SELECT list_id FROM tasks WHERE id = $2::uuid), $3::uuid, (SELECT list_id FROM tasks WHERE id = $4::uuid)]) x
           WHERE x IS NOT NULL
             AND EXISTS (SELECT 1 FROM list_members m WHERE m.list_id = x AND m.user_id = $1)
           ORDER BY x) l`,
    [actorId, taskId, listId, parentId],
    "task_move_lock",
  );
  return rows.map((r) => r.id);
}

export interface MoveSource {
  listId: string;
  parentId: string | null;
  position: string;
  version: number;
  role: string;
  /** Levels of the task's subtree, the task included (1: no subtasks). */
  height: number;
}

/**
 * The task to move, locked for this transaction (a concurrent write of it
 * waits, so what is read here is what the move's write replaces), with the
 * caller's role in its list and the height of its subtree. Nothing when the
 * caller cannot see it.
 */
export async function selectMoveSource(q: Queryable, actorId: string, taskId: string): Promise<MoveSource | undefined> {
  const rows = await q.query<MoveSource>(
    `WITH RECURSIVE sub AS (
       SELECT t.id, 1 AS level FROM tasks t WHERE t.id = $1::uuid
       UNION ALL
       SELECT c.id, s.level + 1 FROM tasks c JOIN sub s ON c.parent_id = s.id WHERE s.level < 8
     )
     SELECT t.list_id::text AS "listId", t.parent_id::text AS "parentId", t.position, t.version, m.role,
            (SELECT max(level) FROM sub)::int AS height
     FROM tasks t JOIN list_members m ON m.list_id = t.list_id AND m.user_id = $2
     WHERE t.id = $1::uuid
     FOR UPDATE OF t`,
    [taskId, actorId],
    "task_move_source",
  );
  return rows[0];
}

export interface MoveDestination {
  /** The caller's role in the named list (null: not a list the caller can see). */
  listRole: string | null;
  /** The named parent, when the caller can see it. */
  parent: {
    listId: string;
    role: string;
    /** Its level: 1 for a top-level task. */
    depth: number;
    /** The moved task is the parent or one of its ancestors. */
    cycle: boolean;
  } | null;
}

/** What the caller named as the destination: their role in `listId`, and `parentId` with its level and ancestry. */
export async function selectMoveDestination(
  q: Queryable,
  actorId: string,
  movedId: string,
  listId: string | null,
  parentId: string | null,
): Promise<MoveDestination> {
  const rows = await q.query<{
    list_role: string | null;
    parent_list_id: string | null;
    parent_role: string | null;
    depth: number | null;
    cycle: boolean;
  }>(
    `WITH RECURSIVE up AS (
       SELECT p.id, p.parent_id, 1 AS n FROM tasks p WHERE p.id = $3::uuid
       UNION ALL
       SELECT a.id, a.parent_id, u.n + 1 FROM tasks a JOIN up u ON a.id = u.parent_id WHERE u.n < 8
     )
     SELECT (SELECT m.role FROM list_members m WHERE m.list_id = $2::uuid AND m.user_id = $1) AS list_role,
            p.list_id::text AS parent_list_id, pm.role AS parent_role,
            CASE WHEN pm.role IS NOT NULL THEN (SELECT max(n) FROM up)::int END AS depth,
            pm.role IS NOT NULL AND EXISTS (SELECT 1 FROM up WHERE up.id = $4::uuid) AS cycle
     FROM (SELECT 1) one
     LEFT JOIN tasks p ON p.id = $3::uuid
     LEFT JOIN list_members pm ON pm.list_id = p.list_id AND pm.user_id = $1`,
    [actorId, listId, parentId, movedId],
    "task_move_destination",
  );
  const r = rows[0];
  return {
    listRole: r?.list_role ?? null,
    parent:
      r && r.parent_list_id !== null && r.parent_role !== null
        ? { listId: r.parent_list_id, role: r.parent_role, depth: r.depth ?? 1, cycle: r.cycle }
        : null,
  };
}

/** Where the moved task goes in its group: before a sibling, after one, between two adjacent ones, or last. */
export interface Anchor {
  before: string | null;
  after: string | null;
}

export interface Bounds {
  /** Key of the sibling the task follows (null: it goes first). */
  lower: string | null;
  /** Key of the sibling it precedes (null: it goes last). */
  upper: string | null;
  /** `before` / `after` name siblings at the destination (true when not given). */
  beforeFound: boolean;
  afterFound: boolean;
  /** With both: `before` is the sibling right after `after`. */
  adjacent: boolean;
}

/**
 * The keys around the place the moved task goes, among its siblings at the
 * destination other than itself: two indexed lookups at most, however many
 * siblings there are.
 */
export async function selectBounds(q: Queryable, group: Group, movedId: string, anchor: Anchor): Promise<Bounds> {
  const params: unknown[] = [];
  const param = (value: unknown, cast: string) => {
    params.push(value);
    return `$${params.length}::${cast}`;
  };
  const list = param(group.listId, "uuid");
  const parent = group.parentId === null ? null : param(group.parentId, "uuid");
  const moved = param(movedId, "uuid");
  const inGroup = (alias: string) =>
    `${alias}.list_id = ${list} AND ${alias}.parent_id ${parent === null ? "IS NULL" : `= ${parent}`} AND ${alias}.id <> ${moved}`;
  const neighbour = (of: string, dir: "<" | ">") =>
    `(SELECT s.position FROM tasks s WHERE ${inGroup("s")} AND s.position ${dir} ${of}.position
      ORDER BY s.position ${dir === "<" ? "DESC" : "ASC"} LIMIT 1)`;
  let text: string;
  let variant: string;
  if (anchor.before !== null && anchor.after !== null) {
    variant = "both";
    const before = param(anchor.before, "uuid");
    const after = param(anchor.after, "uuid");
    text = `SELECT a.position AS lower, b.position AS upper, b.id IS NOT NULL AS before_found, a.id IS NOT NULL AS after_found,
              coalesce((SELECT s.id FROM tasks s WHERE ${inGroup("s")} AND s.position > a.position ORDER BY s.position LIMIT 1) = b.id, false) AS adjacent
            FROM (SELECT 1) one
            LEFT JOIN tasks b ON b.id = ${before} AND ${inGroup("b")}
            LEFT JOIN tasks a ON a.id = ${after} AND ${inGroup("a")}`;
  } else if (anchor.before !== null) {
    variant = "before";
    text = `SELECT ${neighbour("b", "<")} AS lower, b.position AS upper, b.id IS NOT NULL AS before_found, true AS after_found, true AS adjacent
            FROM (SELECT 1) one LEFT JOIN tasks b ON b.id = ${param(anchor.before, "uuid")} AND ${inGroup("b")}`;
  } else if (anchor.after !== null) {
    variant = "after";
    text = `SELECT a.position AS lower, ${neighbour("a", ">")} AS upper, true AS before_found, a.id IS NOT NULL AS after_found, true AS adjacent
            FROM (SELECT 1) one LEFT JOIN tasks a ON a.id = ${param(anchor.after, "uuid")} AND ${inGroup("a")}`;
  } else {
    variant = "end";
    text = `SELECT (SELECT s.position FROM tasks s WHERE ${inGroup("s")} ORDER BY s.position DESC LIMIT 1) AS lower,
              NULL::text AS upper, true AS before_found, true AS after_found, true AS adjacent`;
  }
  const [r] = await q.query<{ lower: string | null; upper: string | null; before_found: boolean; after_found: boolean; adjacent: boolean }>(
    text,
    params,
    `task_move_bounds_${variant}_${parent === null ? "top" : "sub"}`,
  );
  return {
    lower: r?.lower ?? null,
    upper: r?.upper ?? null,
    beforeFound: r?.before_found ?? false,
    afterFound: r?.after_found ?? false,
    adjacent: r?.adjacent ?? false,
  };
}

const groupPredicate = (alias: string, list: string, parent: string) =>
  `${alias}.list_id = ${list} AND ${alias}.parent_id IS NOT DISTINCT FROM ${parent}`;

/** The moved task's siblings at the destination in their order, with the smallest key of the group (itself included). */
export async function selectGroup(q: Queryable, group: Group, movedId: string): Promise<{ ids: string[]; smallest: string | null }> {
  const [r] = await q.query<{ ids: string[] | null; smallest: string | null }>(
    `SELECT array_agg(t.id::text ORDER BY t.position, t.id) FILTER (WHERE t.id <> $3::uuid) AS ids, min(t.position) AS smallest
     FROM tasks t WHERE ${groupPredicate("t", "$1::uuid", "$2::uuid")}`,
    [group.listId, group.parentId, movedId],
  );
  return { ids: r?.ids ?? [], smallest: r?.smallest ?? null };
}

/**
 * Clears a group's keys to unique placeholders ('!' and the id: no key of the
 * scheme starts with '!'), so that new keys can be written without meeting an
 * old one: the fallback when the group's keys are not the scheme's.
 */
export async function clearGroupKeys(q: Queryable, group: Group, movedId: string): Promise<void> {
  await q.query(
    `UPDATE tasks t SET position = '!' || t.id::text WHERE ${groupPredicate("t", "$1::uuid", "$2::uuid")} AND t.id <> $3::uuid`,
    [group.listId, group.parentId, movedId],
  );
}

export interface MoveWrite {
  actorId: string;
  taskId: string;
  fromListId: string;
  to: Group;
  position: string;
  /** A rebalance: the destination group's other tasks and their new keys (empty: none). */
  regroup: { ids: string[]; positions: string[] };
}

/*
 * A rebalance is written by the move's own statement (the `regrouped` CTE):
 * every row lock is then taken before the statement trigger locks the list's
 * row, as for any single write, so a rebalance never deadlocks against another
 * writer waiting for that row. The regrouped siblings' JSON changes, so their
 * versions rise; their updated_at does not (nothing their owner set changed).
 */
const regrouped = `regrouped AS (
       UPDATE tasks g SET position = v.position, version = g.version + 1
       FROM unnest($7::uuid[], $8::text[]) AS v(id, position)
       WHERE g.id = v.id AND g.list_id = $6::uuid AND g.parent_id IS NOT DISTINCT FROM $3::uuid AND g.id <> $1::uuid
         AND ${actorIs("$5")}
       RETURNING 1
     )`;

const moveParams = (w: MoveWrite) => [
  w.taskId,
  w.fromListId,
  w.to.parentId,
  w.position,
  w.actorId,
  w.to.listId,
  w.regroup.ids,
  w.regroup.positions,
];

/**
 * Writes a move within one list: the moved row alone (its parent and key),
 * one row however long the list, unless the group is rebalanced. The caller
 * must still be able to write the list, checked in the same statement.
 */
export async function moveWithinList(q: Queryable, w: MoveWrite): Promise<TaskRow | undefined> {
  const rows = await q.query<TaskRow>(
    `WITH ${regrouped}
     UPDATE tasks t SET parent_id = $3::uuid, position = $4, version = t.version + 1, updated_at = now()
     WHERE t.id = $1::uuid AND t.list_id = $2::uuid AND t.list_id = $6::uuid AND ${writer("t.list_id", "$5")} AND ${actorIs("$5")}
     RETURNING t.doc AS j, t.version`,
    moveParams(w),
    "task_move_within",
  );
  return rows[0];
}

/**
 * Writes a move to another list: the task with its whole subtree, in one
 * statement (every descendant's list_id follows; their parents and keys stay,
 * so their groups move with them). Both lists must be writable by the caller.
 * A list that was never shared holds only its owner's tasks (the cross-list
 * listing relies on it: queries.ts, rowsAcrossLists), so a move that brings
 * another creator's task into one marks it shared, in the same statement;
 * user_id stays the creator (SPEC §8).
 */
export async function moveAcrossLists(q: Queryable, w: MoveWrite): Promise<TaskRow | undefined> {
  const rows = await q.query<TaskRow>(
    `WITH RECURSIVE sub AS (
       SELECT id FROM tasks WHERE id = $1::uuid AND list_id = $2::uuid
       UNION ALL
       SELECT c.id FROM tasks c JOIN sub s ON c.parent_id = s.id
     ), ${regrouped}, moved AS (
       UPDATE tasks t SET list_id = $6::uuid,
         parent_id = CASE WHEN t.id = $1::uuid THEN $3::uuid ELSE t.parent_id END,
         position = CASE WHEN t.id = $1::uuid THEN $4 ELSE t.position END,
         version = t.version + 1, updated_at = now()
       FROM sub
       WHERE t.id = sub.id AND ${writer("$2::uuid", "$5")} AND ${writer("$6::uuid", "$5")} AND ${actorIs("$5")}
       RETURNING t.id, t.user_id, t.doc, t.version
     ), marked AS (
       UPDATE lists d SET shared = true
        WHERE d.id = $6::uuid AND NOT d.shared AND EXISTS (SELECT 1 FROM moved m WHERE m.user_id <> d.owner_id)
     )
     SELECT doc AS j, version FROM moved WHERE id = $1::uuid`,
    moveParams(w),
    "task_move_across",
  );
  return rows[0];
}
