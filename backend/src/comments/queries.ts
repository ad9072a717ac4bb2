import type { Queryable } from "../db/client.ts";
import { isoUtc } from "../db/sql.ts";

/*
 * The comment data layer. Access is the caller's membership of the task's
 * list, joined in the same statement as the read or write (tasks → list_members):
 * a task or comment in a list the caller is not a member of is a miss, the 404
 * of one that does not exist. Comments leave PostgreSQL as the API's JSON.
 */

export interface CommentRow {
  j: string;
  version: number;
}

/** The comment's JSON (alias c = comments). */
const COMMENT_JSON = `json_build_object(
    'id', c.id, 'task_id', c.task_id, 'author_id', c.author_id, 'body', c.body,
    'created_at', ${isoUtc("c.created_at")}, 'updated_at', ${isoUtc("c.updated_at")})::text`;

/** The caller's view of a task: rows only when they are a member of its list (alias t). */
const VISIBLE_TASK = "tasks t JOIN list_members m ON m.list_id = t.list_id AND m.user_id = $1";

export interface CommentPage {
  /** Whether the caller can see the task at all (false: the 404 of a missing task). */
  visible: boolean;
  json: string;
  count: number;
  /** created_at and id of the page's last comment when more follow, else null. */
  next: { k: string; id: string } | null;
}

/**
 * One page of a task's comments, oldest first, aggregated by PostgreSQL into
 * one row (the JSON array, up to limit + 1 rows counted, the last row's key),
 * with the access check in the same statement. Keyset on (created_at, id):
 * the comments_task_idx index; the first page compares with the lowest key
 * rather than skipping the comparison, so that one plan serves every page
 * with the key as an index condition.
 */
export async function selectComments(
  q: Queryable,
  userId: string,
  taskId: string,
  limit: number,
  after: { key: string; id: string } | null,
): Promise<CommentPage> {
  const [r] = await q.query<{ visible: boolean; n: number; json: string; k: string | null; id: string | null }>(
    `WITH t AS (SELECT t.id FROM ${VISIBLE_TASK} WHERE t.id = $2),
     page AS (
       SELECT ${COMMENT_JSON} AS j, c.id, c.created_at FROM comments c
        WHERE c.task_id = (SELECT id FROM t)
          AND (c.created_at, c.id) > (coalesce($3::timestamptz, '-infinity'), coalesce($4::uuid, '00000000-0000-0000-0000-000000000000'))
        ORDER BY c.created_at, c.id
        LIMIT $5::int + 1),
     numbered AS (SELECT j, id, created_at, row_number() OVER (ORDER BY created_at, id) AS n FROM page)
     SELECT EXISTS (SELECT 1 FROM t) AS visible, count(*)::int AS n,
            '[' || coalesce(string_agg(j, ',' ORDER BY n) FILTER (WHERE n <= $5::int), '') || ']' AS json,
            ${isoUtc("max(created_at) FILTER (WHERE n = $5::int)")} AS k, max(id::text) FILTER (WHERE n = $5::int) AS id
       FROM numbered`,
    [userId, taskId, after?.key ?? null, after?.id ?? null, limit],
    "comments_select",
  );
  const n = r?.n ?? 0;
  return {
    visible: r?.visible ?? false,
    json: r?.json ?? "[]",
    count: Math.min(n, limit),
    next: n > limit && r?.k != null && r.id != null ? { k: r.k, id: r.id } : null,
  };
}

/**
 * Adds a comment by the caller to a task of a list they are a member of (any
 * role) and the list's activity entry comment.created, in one statement.
 * The task row is locked (FOR SHARE) so that a concurrent move or delete waits
 * for this one: the entry is then moved away or deleted with the task's others.
 * Nothing returned: the caller cannot see the task.
 */
export async function insertComment(
  q: Queryable,
  userId: string,
  taskId: string,
  comment: { id: string; body: string },
): Promise<CommentRow | undefined> {
  const rows = await q.query<CommentRow>(
    `WITH t AS (SELECT t.id, t.list_id, t.title FROM ${VISIBLE_TASK} WHERE t.id = $2 FOR SHARE OF t),
     c AS (INSERT INTO comments (id, task_id, author_id, body) SELECT $3, t.id, $1, $4 FROM t RETURNING *),
     a AS (INSERT INTO activity (list_id, actor_id, action, task_id, data)
             SELECT t.list_id, $1, 'comment.created', t.id, jsonb_build_object('title', t.title) FROM t JOIN c ON c.task_id = t.id)
     SELECT ${COMMENT_JSON} AS j, c.version FROM c`,
    [userId, taskId, comment.id, comment.body],
    "comment_insert",
  );
  return rows[0];
}

/** Changes the body of the caller's own comment on a task they can see (nothing returned: see commentStanding). */
export async function updateComment(
  q: Queryable,
  userId: string,
  id: string,
  body: string,
  expectedVersions: readonly number[] | null,
): Promise<CommentRow | undefined> {
  const rows = await q.query<CommentRow>(
    `UPDATE comments c SET body = $3, version = c.version + 1, updated_at = now()
       FROM ${VISIBLE_TASK}
      WHERE c.id = $2 AND t.id = c.task_id AND c.author_id = $1
        AND ($4::int[] IS NULL OR c.version = ANY($4::int[]))
     RETURNING ${COMMENT_JSON} AS j, c.version`,
    [userId, id, body, expectedVersions],
    "comment_update",
  );
  return rows[0];
}

/** Deletes the caller's own comment on a task they can see. */
export async function deleteComment(
  q: Queryable,
  userId: string,
  id: string,
  expectedVersions: readonly number[] | null,
): Promise<boolean> {
  const rows = await q.query(
    `DELETE FROM comments c USING ${VISIBLE_TASK}
      WHERE c.id = $2 AND t.id = c.task_id AND c.author_id = $1
        AND ($3::int[] IS NULL OR c.version = ANY($3::int[]))
     RETURNING 1`,
    [userId, id, expectedVersions],
    "comment_delete",
  );
  return rows.length > 0;
}

/** What a refused write needs to tell a miss (404) from another author's comment (403) or a stale If-Match (412). */
export interface CommentStanding {
  authorId: string | null;
  version: number;
}

export async function commentStanding(q: Queryable, userId: string, id: string): Promise<CommentStanding | undefined> {
  const rows = await q.query<{ author_id: string | null; version: number }>(
    `SELECT c.author_id, c.version FROM comments c
       JOIN tasks t ON t.id = c.task_id JOIN list_members m ON m.list_id = t.list_id AND m.user_id = $1
      WHERE c.id = $2`,
    [userId, id],
    "comment_standing",
  );
  const r = rows[0];
  return r && { authorId: r.author_id, version: r.version };
}
