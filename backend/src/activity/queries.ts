import type { Queryable } from "../db/client.ts";
import { isoUtc } from "../db/sql.ts";

/*
 * The activity data layer: a list's entries, read with the caller's
 * membership of that list in the same statement (not a member: the 404 of a
 * list that does not exist). People are read through LEFT JOINs on "user", so
 * an account deleted since reads as null.
 */

export interface ActivityPage {
  /** Whether the caller is a member of the list. */
  visible: boolean;
  json: string;
  count: number;
  /** The id of the page's last entry when more follow, else null. */
  next: string | null;
}

/**
 * One page of a list's activity, newest first, as one row. Keyset on id
 * (activity_list_idx); the first page compares with the largest bigint rather
 * than skipping the comparison, so that a deep page of a long history is an
 * index range too, not a filter over every newer entry (checked with
 * EXPLAIN on PostgreSQL: 300 entries of a list under 100,000 newer ones of
 * other lists, and 20,000 of one list: a range on activity_list_idx or a short
 * walk of the primary key, 51 rows read either way).
 */
export async function selectActivity(
  q: Queryable,
  userId: string,
  listId: string,
  limit: number,
  beforeId: string | null,
): Promise<ActivityPage> {
  const [r] = await q.query<{ visible: boolean; n: number; json: string; next: string | null }>(
    `WITH m AS (SELECT 1 FROM list_members WHERE list_id = $2 AND user_id = $1),
     page AS (
       SELECT a.* FROM activity a
        WHERE a.list_id = $2 AND EXISTS (SELECT 1 FROM m) AND a.id < coalesce($3::bigint, 9223372036854775807)
        ORDER BY a.id DESC
        LIMIT $4::int + 1),
     numbered AS (
       SELECT json_build_object(
                'id', p.id::text, 'list_id', p.list_id, 'actor_id', actor.id, 'action', p.action, 'task_id', p.task_id,
                'user_id', subject.id, 'data', p.data, 'created_at', ${isoUtc("p.created_at")})::text AS j,
              p.id, row_number() OVER (ORDER BY p.id DESC) AS n
         FROM page p
         LEFT JOIN "user" actor ON actor.id = p.actor_id
         LEFT JOIN "user" subject ON subject.id = p.subject_user_id)
     SELECT EXISTS (SELECT 1 FROM m) AS visible, count(*)::int AS n,
            '[' || coalesce(string_agg(j, ',' ORDER BY n) FILTER (WHERE n <= $4::int), '') || ']' AS json,
            max(id::text) FILTER (WHERE n = $4::int) AS next
       FROM numbered`,
    [userId, listId, beforeId, limit],
    "activity_select",
  );
  const n = r?.n ?? 0;
  return {
    visible: r?.visible ?? false,
    json: r?.json ?? "[]",
    count: Math.min(n, limit),
    next: n > limit && r?.next != null ? r.next : null,
  };
}
