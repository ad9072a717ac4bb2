import type { Queryable } from "../db/client.ts";
import { isoUtc } from "../db/sql.ts";

/*
 * The list data layer. Access is a membership row of the caller, read in the
 * same statement as the list (a list you are not a member of is a miss, the
 * 404 of one that does not exist). Lists leave PostgreSQL as the API's JSON.
 */

export interface ListRow {
  j: string;
  version: number;
}

/** The list's JSON for the member `m` (aliases: l = lists, m = the caller's list_members row). */
const LIST_JSON = `json_build_object(
    'id', l.id, 'name', l.name, 'color', l.color, 'position', m.position, 'is_inbox', l.is_inbox,
    'archived', l.archived, 'owner_id', l.owner_id, 'role', m.role,
    'member_count', (SELECT count(*)::int FROM list_members c WHERE c.list_id = l.id),
    'task_count', l.task_count, 'open_task_count', l.open_task_count,
    'created_at', ${isoUtc("l.created_at")}, 'updated_at', ${isoUtc("l.updated_at")})::text`;

/** The caller's lists in their order; `archived` null: both kinds. */
export async function selectLists(q: Queryable, userId: string, archived: boolean | null): Promise<string> {
  const rows = await q.query<{ j: string }>(
    `SELECT '[' || coalesce(string_agg(${LIST_JSON}, ',' ORDER BY m.position, l.id), '') || ']' AS j
       FROM list_members m JOIN lists l ON l.id = m.list_id
      WHERE m.user_id = $1 AND ($2::boolean IS NULL OR l.archived = $2::boolean)`,
    [userId, archived],
    "lists_select",
  );
  return rows[0]?.j ?? "[]";
}

export async function selectList(q: Queryable, userId: string, id: string): Promise<ListRow | undefined> {
  const rows = await q.query<ListRow>(
    `SELECT ${LIST_JSON} AS j, l.version FROM list_members m JOIN lists l ON l.id = m.list_id WHERE m.user_id = $1 AND m.list_id = $2`,
    [userId, id],
    "list_select",
  );
  return rows[0];
}

/** What a write needs to tell a miss (404) from a refusal (409) or a stale If-Match (412). */
export interface ListStanding {
  version: number;
  isInbox: boolean;
  role: string;
}

export async function listStanding(q: Queryable, userId: string, id: string): Promise<ListStanding | undefined> {
  const rows = await q.query<{ version: number; is_inbox: boolean; role: string }>(
    "SELECT l.version, l.is_inbox, m.role FROM list_members m JOIN lists l ON l.id = m.list_id WHERE m.user_id = $1 AND m.list_id = $2",
    [userId, id],
    "list_standing",
  );
  const r = rows[0];
  return r && { version: r.version, isInbox: r.is_inbox, role: r.role };
}

/**
 * Creates a list and its owner membership at the end of the owner's order, in
 * one statement, while the owner has fewer than `maxLists` lists (a burst of
 * concurrent creates can pass the limit by a few: each counts before the
 * others commit). Nothing returned: the limit. Two creates that computed the
 * same key: 23505 on list_members_user_position_idx (the caller retries).
 */
export async function insertList(
  q: Queryable,
  l: { id: string; ownerId: string; name: string; color: string | null },
  maxLists: number,
): Promise<ListRow | undefined> {
  const rows = await q.query<ListRow>(
    `WITH owned AS (SELECT count(*) AS n FROM lists WHERE owner_id = $2),
     last AS (SELECT max(position) AS k FROM list_members WHERE user_id = $2),
     l AS (INSERT INTO lists (id, owner_id, name, color) SELECT $1, $2, $3, $4 FROM owned WHERE owned.n < $5 RETURNING *),
     m AS (INSERT INTO list_members (list_id, user_id, role, position)
             SELECT l.id, $2, 'owner', coalesce(fi_key_after((SELECT k FROM last)), 'a0') FROM l RETURNING *)
     SELECT json_build_object(
        'id', l.id, 'name', l.name, 'color', l.color, 'position', m.position, 'is_inbox', l.is_inbox,
        'archived', l.archived, 'owner_id', l.owner_id, 'role', m.role, 'member_count', 1,
        'task_count', l.task_count, 'open_task_count', l.open_task_count,
        'created_at', ${isoUtc("l.created_at")}, 'updated_at', ${isoUtc("l.updated_at")})::text AS j, l.version
       FROM l JOIN m ON m.list_id = l.id`,
    [l.id, l.ownerId, l.name, l.color, maxLists],
    "list_insert",
  );
  return rows[0];
}

/** A present key means "set this field"; an absent key keeps the stored value. */
export interface ListChanges {
  name?: string;
  color?: string | null;
  archived?: boolean;
}

/** Changes a list its owner holds; the Inbox is never archived (nothing updated: see listStanding). */
export async function updateList(
  q: Queryable,
  userId: string,
  id: string,
  c: ListChanges,
  expectedVersions: readonly number[] | null,
): Promise<ListRow | undefined> {
  const rows = await q.query<ListRow>(
    `UPDATE lists l SET
       name = CASE WHEN $3 THEN $4 ELSE l.name END,
       color = CASE WHEN $5 THEN $6 ELSE l.color END,
       archived = CASE WHEN $7 THEN $8::boolean ELSE l.archived END,
       version = l.version + 1,
       updated_at = now()
       FROM list_members m
      WHERE l.id = $2 AND m.list_id = l.id AND m.user_id = $1 AND m.role = 'owner'
        AND NOT (l.is_inbox AND $7 AND $8::boolean)
        AND ($9::int[] IS NULL OR l.version = ANY($9::int[]))
     RETURNING ${LIST_JSON} AS j, l.version`,
    [userId, id, "name" in c, c.name ?? null, "color" in c, c.color ?? null, "archived" in c, c.archived ?? false, expectedVersions],
    "list_update",
  );
  return rows[0];
}

/** Deletes a list (its tasks go with it: on delete cascade) that its owner holds and that is not their Inbox. */
export async function deleteList(q: Queryable, userId: string, id: string, expectedVersions: readonly number[] | null): Promise<boolean> {
  const rows = await q.query(
    `DELETE FROM lists l USING list_members m
      WHERE l.id = $2 AND m.list_id = l.id AND m.user_id = $1 AND m.role = 'owner' AND NOT l.is_inbox
        AND ($3::int[] IS NULL OR l.version = ANY($3::int[]))
     RETURNING 1`,
    [userId, id, expectedVersions],
    "list_delete",
  );
  return rows.length > 0;
}

/**
 * The neighbours a list moved next to `anchor` gets in the caller's order:
 * the anchor's key and the key on its other side (the moved list itself left
 * out). Undefined when the caller is not a member of either list.
 */
export async function moveNeighbours(
  q: Queryable,
  userId: string,
  id: string,
  anchor: string,
  side: "before" | "after",
): Promise<{ before: string | null; after: string | null } | undefined> {
  const rows = await q.query<{ anchor: string; other: string | null }>(
    side === "before"
      ? `SELECT a.position AS anchor,
                (SELECT max(o.position) FROM list_members o WHERE o.user_id = $1 AND o.position < a.position AND o.list_id <> $2) AS other
           FROM list_members a WHERE a.user_id = $1 AND a.list_id = $3 AND EXISTS (SELECT 1 FROM list_members s WHERE s.user_id = $1 AND s.list_id = $2)`
      : `SELECT a.position AS anchor,
                (SELECT min(o.position) FROM list_members o WHERE o.user_id = $1 AND o.position > a.position AND o.list_id <> $2) AS other
           FROM list_members a WHERE a.user_id = $1 AND a.list_id = $3 AND EXISTS (SELECT 1 FROM list_members s WHERE s.user_id = $1 AND s.list_id = $2)`,
    [userId, id, anchor],
    side === "before" ? "list_move_neighbours_before" : "list_move_neighbours_after",
  );
  const r = rows[0];
  if (!r) return undefined;
  return side === "before" ? { before: r.other, after: r.anchor } : { before: r.anchor, after: r.other };
}

/** Writes the caller's new key for a list (one row of theirs; the list's version rises: its JSON changed). */
export async function setListPosition(q: Queryable, userId: string, id: string, position: string): Promise<ListRow | undefined> {
  const rows = await q.query<ListRow>(
    `WITH m AS (UPDATE list_members SET position = $3 WHERE user_id = $1 AND list_id = $2 RETURNING *),
     l AS (UPDATE lists SET version = version + 1 WHERE id = (SELECT list_id FROM m) RETURNING *)
     SELECT json_build_object(
        'id', l.id, 'name', l.name, 'color', l.color, 'position', m.position, 'is_inbox', l.is_inbox,
        'archived', l.archived, 'owner_id', l.owner_id, 'role', m.role,
        'member_count', (SELECT count(*)::int FROM list_members c WHERE c.list_id = l.id),
        'task_count', l.task_count, 'open_task_count', l.open_task_count,
        'created_at', ${isoUtc("l.created_at")}, 'updated_at', ${isoUtc("l.updated_at")})::text AS j, l.version
       FROM l JOIN m ON m.list_id = l.id`,
    [userId, id, position],
    "list_set_position",
  );
  return rows[0];
}

/** Whether the caller may see this list (a task filter on it, say). */
export async function isMember(q: Queryable, userId: string, id: string): Promise<boolean> {
  const rows = await q.query("SELECT 1 FROM list_members WHERE user_id = $1 AND list_id = $2", [userId, id], "list_is_member");
  return rows.length > 0;
}
